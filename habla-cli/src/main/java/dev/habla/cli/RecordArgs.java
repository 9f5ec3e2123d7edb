package dev.habla.cli;

import dev.habla.client.ClientConfig;
import dev.habla.protocol.Cassette;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --record FILE} and {@code --record-audio keep|placeholder} of {@code chat} and {@code talk} (a picocli mixin):
 * the session is recorded to a cassette (habla-emulator/README.md, "Record and replay") that
 * {@code habla emulator --replay FILE} plays back.
 */
final class RecordArgs {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--record", paramLabel = "FILE",
            description = "Record the session (every frame, keys redacted) to this cassette; replay it with `habla emulator --replay FILE`.")
    Path record;

    @Option(names = "--record-audio", paramLabel = "keep|placeholder",
            description = "With --record: keep the audio (default) or replace it by silence of the same length.")
    String recordAudio;

    /** Checks the options (exit 64 on a bad one) and sets the recorder on the client config. */
    void configure(CliContext ctx, ClientConfig.Builder c) {
        Cassette.Audio audio = audio();
        if (record != null) {
            c.record(ctx.resolve(record), audio);
        }
    }

    /** Usage errors before anything starts. */
    void validate(CliContext ctx) {
        audio();
        if (record != null) {
            Path p = ctx.resolve(record);
            if (Files.isDirectory(p)) {
                throw new ParameterException(spec.commandLine(), "--record " + record + " is a folder; give a file name");
            }
            Path parent = p.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new ParameterException(spec.commandLine(), "--record " + record + ": no such folder " + parent);
            }
        }
    }

    private Cassette.Audio audio() {
        if (recordAudio == null) {
            return Cassette.Audio.KEEP;
        }
        if (record == null) {
            throw new ParameterException(spec.commandLine(), "--record-audio needs --record FILE");
        }
        return switch (recordAudio.strip().toLowerCase(Locale.ROOT)) {
            case "keep" -> Cassette.Audio.KEEP;
            case "placeholder" -> Cassette.Audio.PLACEHOLDER;
            default -> throw new ParameterException(spec.commandLine(), "--record-audio must be keep or placeholder, was '"
                    + recordAudio + "'");
        };
    }
}
