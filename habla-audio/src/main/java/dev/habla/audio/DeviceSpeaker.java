package dev.habla.audio;

import dev.habla.audio.internal.SourceDataLinePcmLine;
import dev.habla.audio.internal.PlaybackPump;
import java.time.Duration;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.SourceDataLine;

/**
 * Plays PCM on a Java Sound output device: the system default, or one picked by name.
 *
 * <p>{@link #write} only queues: playback runs on its own {@code habla-playback} virtual thread that blocks in
 * {@link SourceDataLine#write}, fed by a queue bounded to {@link #DEFAULT_MAX_QUEUED} of audio (oldest audio dropped
 * beyond that, see {@link #droppedBytes()}). {@link #flush()} silences it at once (barge-in): what the device has
 * already taken is flushed too, which is why its buffer is small ({@link #DEFAULT_LINE_BUFFER}).
 *
 * <p>The format falls back from the preferred one (24 kHz mono for the Live API) to a common device format (48 kHz,
 * 44.1 kHz, mono or stereo); {@link #format()} says which, and the caller converts.
 *
 * <pre>{@code
 * try (DeviceSpeaker speaker = DeviceSpeaker.open()) {
 *     speaker.write(pcm);   // in speaker.format()
 *     speaker.drain();
 * } catch (AudioDeviceException e) {
 *     // no sound card, no PulseAudio, no such device ...: e.getMessage() is one line for the user
 * }
 * }</pre>
 */
public final class DeviceSpeaker implements AudioSink {

    /** Device buffer: enough not to underrun on a busy 2-core machine, small enough for a prompt flush. */
    public static final Duration DEFAULT_LINE_BUFFER = Duration.ofMillis(100);

    /** Queue bound: two minutes is longer than any single answer, yet only 5.8 MB at 24 kHz. */
    public static final Duration DEFAULT_MAX_QUEUED = Duration.ofMinutes(2);

    private final PlaybackPump pump;
    private final String deviceName;

    private DeviceSpeaker(PlaybackPump pump, String deviceName) {
        this.pump = pump;
        this.deviceName = deviceName;
    }

    /** The default output device, 24 kHz mono if it can. */
    public static DeviceSpeaker open() throws AudioDeviceException {
        return open(null, AudioFormat.PCM_24K_MONO);
    }

    /**
     * Opens an output device.
     *
     * @param device    a device name (exact, or a unique part of one; see {@link AudioDevices#list()}), or null for
     *                  the system default
     * @param preferred the format to use if the device supports it
     * @throws AudioDeviceException with a one-line message when there is no such device, it plays no 16-bit PCM
     *                              format, or it is busy
     */
    public static DeviceSpeaker open(String device, AudioFormat preferred) throws AudioDeviceException {
        return open(device, preferred, DEFAULT_LINE_BUFFER, DEFAULT_MAX_QUEUED);
    }

    /** As {@link #open(String, AudioFormat)}, with the device buffer and the queue bound given. */
    public static DeviceSpeaker open(String device, AudioFormat preferred, Duration lineBuffer, Duration maxQueued)
            throws AudioDeviceException {
        Mixer.Info mixer = AudioDevices.find(device, false);
        LineUnavailableException busy = null;
        for (AudioFormat f : AudioDevices.candidates(preferred)) {
            javax.sound.sampled.AudioFormat js = f.toJavaSound();
            DataLine.Info info = new DataLine.Info(SourceDataLine.class, js);
            SourceDataLine line;
            try {
                line = mixer == null ? (SourceDataLine) AudioSystem.getLine(info)
                        : (SourceDataLine) AudioSystem.getMixer(mixer).getLine(info);
            } catch (IllegalArgumentException e) {
                continue;
            } catch (LineUnavailableException e) {
                busy = e;
                continue;
            } catch (SecurityException e) {
                throw new AudioDeviceException("Audio output not permitted: " + AudioDevices.oneLine(e.getMessage()), e);
            }
            try {
                line.open(js, (int) Math.max(f.bytesPerFrame() * 2L, f.bytesFor(lineBuffer)));
                line.start();
            } catch (LineUnavailableException | IllegalArgumentException | IllegalStateException e) {
                line.close();
                if (e instanceof LineUnavailableException lu) {
                    busy = lu;
                }
                continue;
            }
            String name = mixer != null ? mixer.getName() : "system default";
            PlaybackPump pump = PlaybackPump.start(f, new SourceDataLinePcmLine(line),
                    Math.max(f.bytesPerFrame(), f.bytesFor(maxQueued)), "habla-playback");
            return new DeviceSpeaker(pump, name);
        }
        if (busy != null) {
            throw new AudioDeviceException("Audio output device unavailable: " + AudioDevices.oneLine(busy.getMessage()), busy);
        }
        int mixers = AudioSystem.getMixerInfo().length;
        throw new AudioDeviceException(mixers == 0
                ? "No audio output device: Java Sound sees 0 mixers (no sound card or sound server)"
                : "No audio output device plays 16-bit PCM" + (device == null ? "" : " on '" + device + "'")
                        + " (Java Sound sees " + mixers + " mixers)");
    }

    @Override
    public AudioFormat format() {
        return pump.format();
    }

    @Override
    public void write(byte[] pcm) {
        pump.write(pcm);
    }

    @Override
    public void flush() {
        pump.flush();
    }

    @Override
    public void drain() throws InterruptedException {
        pump.drain();
    }

    @Override
    public boolean drain(Duration timeout) throws InterruptedException {
        return pump.drain(timeout);
    }

    /** Bytes waiting to be played. */
    public long queuedBytes() {
        return pump.queuedBytes();
    }

    /** Bytes dropped because the queue overflowed, or arrived after close or a device failure. */
    public long droppedBytes() {
        return pump.droppedBytes();
    }

    /** The device's name, or "system default", for logs and messages. */
    public String deviceName() {
        return deviceName;
    }

    @Override
    public void close() {
        pump.close();
    }

    @Override
    public String toString() {
        return "DeviceSpeaker[" + deviceName + ", " + format() + "]";
    }
}
