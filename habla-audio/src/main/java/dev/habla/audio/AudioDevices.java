package dev.habla.audio;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.SourceDataLine;
import javax.sound.sampled.TargetDataLine;

/**
 * The audio devices Java Sound can see, and lookup by name for {@link JavaSoundMicrophone} and
 * {@link DeviceSpeaker}.
 *
 * <p>A device is a Java Sound mixer with capture lines ({@code TargetDataLine}) and/or playback lines
 * ({@code SourceDataLine}). Mixers that offer only ports (volume controls) are left out. Formats are probed for
 * 16-bit signed little-endian PCM at the usual rates, mono and stereo: a mixer such as ALSA's {@code default} (which
 * PulseAudio serves) reports "any rate", and probing is the only way to turn that into a list.
 */
public final class AudioDevices {

    /** Rates probed by {@link #list()}, lowest first. */
    static final int[] RATES = {8_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000};

    private AudioDevices() {
    }

    /**
     * One device.
     *
     * @param name            the Java Sound mixer name; what {@code --input-device}/{@code --output-device} match
     * @param description     the mixer's description
     * @param vendor          the mixer's vendor
     * @param captureFormats  16-bit PCM formats a capture line supports (empty: cannot capture)
     * @param playbackFormats 16-bit PCM formats a playback line supports (empty: cannot play)
     */
    public record Device(String name, String description, String vendor, List<AudioFormat> captureFormats,
                         List<AudioFormat> playbackFormats) {

        public Device {
            captureFormats = List.copyOf(captureFormats);
            playbackFormats = List.copyOf(playbackFormats);
        }

        public boolean canCapture() {
            return !captureFormats.isEmpty();
        }

        public boolean canPlay() {
            return !playbackFormats.isEmpty();
        }
    }

    /** Every mixer with a capture or playback line, in Java Sound's order (the system default usually first). */
    public static List<Device> list() {
        List<Device> devices = new ArrayList<>();
        for (Mixer.Info info : AudioSystem.getMixerInfo()) {
            Mixer mixer;
            try {
                mixer = AudioSystem.getMixer(info);
            } catch (RuntimeException e) {
                continue;   // a mixer that cannot even be instantiated is not usable
            }
            List<AudioFormat> capture = probe(mixer, TargetDataLine.class);
            List<AudioFormat> playback = probe(mixer, SourceDataLine.class);
            if (!capture.isEmpty() || !playback.isEmpty()) {
                devices.add(new Device(info.getName(), info.getDescription(), info.getVendor(), capture, playback));
            }
        }
        return devices;
    }

    private static List<AudioFormat> probe(Mixer mixer, Class<?> lineClass) {
        List<AudioFormat> formats = new ArrayList<>();
        for (int channels = 1; channels <= 2; channels++) {
            for (int rate : RATES) {
                AudioFormat f = new AudioFormat(rate, channels);
                try {
                    if (mixer.isLineSupported(new DataLine.Info(lineClass, f.toJavaSound()))) {
                        formats.add(f);
                    }
                } catch (RuntimeException e) {
                    // Some providers throw on formats they do not know: simply not supported.
                }
            }
        }
        return formats;
    }

    /**
     * The mixer for {@code name}: an exact (case-insensitive) name match, else the only mixer whose name contains it;
     * null {@code name} means the system default (returns null).
     *
     * @param capture true to look among capture devices, false among playback devices
     * @throws AudioDeviceException when nothing or more than one device matches (the message lists the candidates)
     */
    static Mixer.Info find(String name, boolean capture) throws AudioDeviceException {
        if (name == null || name.isBlank()) {
            return null;
        }
        String want = name.strip().toLowerCase(Locale.ROOT);
        Class<?> lineClass = capture ? TargetDataLine.class : SourceDataLine.class;
        List<Mixer.Info> candidates = new ArrayList<>();
        for (Mixer.Info info : AudioSystem.getMixerInfo()) {
            try {
                Mixer mixer = AudioSystem.getMixer(info);
                if (mixer.getSourceLineInfo().length + mixer.getTargetLineInfo().length == 0
                        || probe(mixer, lineClass).isEmpty()) {
                    continue;
                }
            } catch (RuntimeException e) {
                continue;
            }
            candidates.add(info);
        }
        String kind = capture ? "input" : "output";
        for (Mixer.Info info : candidates) {
            if (info.getName().toLowerCase(Locale.ROOT).equals(want)) {
                return info;
            }
        }
        List<Mixer.Info> partial = candidates.stream()
                .filter(i -> i.getName().toLowerCase(Locale.ROOT).contains(want)).toList();
        if (partial.size() == 1) {
            return partial.getFirst();
        }
        List<String> names = (partial.isEmpty() ? candidates : partial).stream().map(Mixer.Info::getName).toList();
        if (candidates.isEmpty()) {
            throw new AudioDeviceException("No audio " + kind + " device '" + name + "': Java Sound sees no " + kind
                    + " devices at all");
        }
        throw new AudioDeviceException((partial.isEmpty() ? "No audio " + kind + " device matches '" : "Several audio "
                + kind + " devices match '") + name + "': " + String.join(", ", names));
    }

    /** The formats to try, in order: the preferred one, then common device formats. */
    static List<AudioFormat> candidates(AudioFormat preferred) {
        List<AudioFormat> list = new ArrayList<>();
        list.add(Objects.requireNonNull(preferred, "preferred"));
        for (AudioFormat f : List.of(AudioFormat.mono(48_000), AudioFormat.mono(44_100), new AudioFormat(48_000, 2),
                new AudioFormat(44_100, 2), AudioFormat.mono(16_000), AudioFormat.mono(24_000), AudioFormat.mono(32_000),
                new AudioFormat(16_000, 2), new AudioFormat(24_000, 2), AudioFormat.mono(22_050), AudioFormat.mono(8_000))) {
            if (!list.contains(f)) {
                list.add(f);
            }
        }
        return list;
    }

    static String oneLine(String s) {
        return s == null ? "(no detail)" : s.replaceAll("\\s+", " ").trim();
    }
}
