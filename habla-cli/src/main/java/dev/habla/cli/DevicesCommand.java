package dev.habla.cli;

import dev.habla.audio.AudioDevices;
import dev.habla.audio.AudioFormat;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code habla devices}: the audio devices Java Sound sees, with the 16-bit PCM formats each can capture and play;
 * the names are what {@code habla talk --input-device/--output-device} match.
 */
@Command(name = "devices", usageHelpAutoWidth = true,
        description = "List audio devices (Java Sound mixers) with their capture and playback formats.",
        footer = {"", "Exit codes: 0 devices listed, " + TalkCommand.NO_AUDIO_DEVICE + " no audio device at all (one line on stderr)."})
final class DevicesCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--cameras", description = "List the cameras ffmpeg can open (names for talk --camera) instead of audio devices.")
    boolean cameras;

        DevicesCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (cameras) {
            return listCameras();
        }
        List<AudioDevices.Device> devices = AudioDevices.list();
        if (devices.isEmpty()) {
            ctx.err().println("habla: no audio devices: Java Sound sees no mixer with capture or playback lines "
                    + "(no sound card or sound server; `habla talk --input/--output` works with WAV files)");
            return TalkCommand.NO_AUDIO_DEVICE;
        }
        PrintStream out = ctx.out();
        for (AudioDevices.Device d : devices) {
            out.println(d.name() + (d.description().isBlank() ? "" : "  (" + d.description().strip() + ")"));
            out.println("  input:  " + (d.canCapture() ? summary(d.captureFormats()) : "-"));
            out.println("  output: " + (d.canPlay() ? summary(d.playbackFormats()) : "-"));
        }
        return ExitCodes.OK;
    }

    private int listCameras() {
        try {
            List<String> found = dev.habla.vision.Camera.devices();
            if (found.isEmpty()) {
                ctx.err().println("habla: no camera found (`habla talk --camera lavfi:testsrc` shows a test pattern instead)");
                return TalkCommand.NO_AUDIO_DEVICE;
            }
            found.forEach(ctx.out()::println);
            return ExitCodes.OK;
        } catch (dev.habla.vision.VisionException e) {
            ctx.err().println("habla: " + e.getMessage());
            return TalkCommand.NO_AUDIO_DEVICE;
        }
    }

    /** "8000-48000 Hz mono, stereo" style, or an explicit list when the rates differ by channel count. */
    static String summary(List<AudioFormat> formats) {
        String mono = rates(formats, 1);
        String stereo = rates(formats, 2);
        if (mono.equals(stereo)) {
            return mono + " Hz, mono and stereo";
        }
        StringBuilder sb = new StringBuilder();
        if (!mono.isEmpty()) {
            sb.append(mono).append(" Hz mono");
        }
        if (!stereo.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : "; ").append(stereo).append(" Hz stereo");
        }
        return sb.toString();
    }

    private static String rates(List<AudioFormat> formats, int channels) {
        return formats.stream().filter(f -> f.channels() == channels)
                .map(f -> String.format(Locale.ROOT, "%d", f.sampleRate())).collect(Collectors.joining(", "));
    }
}
