package dev.habla.cli;

import dev.habla.emulator.LiveEmulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jline.utils.Signals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code habla emulator}: runs the local Live API emulator in the foreground until Ctrl-C. */
@Command(name = "emulator", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Run the local Gemini Live API emulator on 127.0.0.1 until Ctrl-C.",
            "Prints its base URL and WebSocket URL; point a client at it, e.g. habla chat --base-url <base URL>."})
final class EmulatorCommand implements Callable<Integer> {

    private final CliContext ctx;
    private final CountDownLatch stop = new CountDownLatch(1);

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
            description = "TCP port on 127.0.0.1; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    /** Where the emulator's one accepted key may come from without showing in the process list. */
    static final String KEY_VARIABLE = "HABLA_EMULATOR_API_KEY";

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Accept only this API key (others get close 1008). Visible to other users in the process "
                    + "list: prefer --api-key-file or $" + KEY_VARIABLE + ". Default: any non-empty key.")
    String apiKey;

    @Option(names = "--api-key-file", paramLabel = "PATH",
            description = "Accept only the key in this file (its first line).")
    Path apiKeyFile;

    @Option(names = "--connection-lifetime", paramLabel = "DURATION", defaultValue = "10m", converter = DurationText.class,
            description = "How long a connection lives before the emulator ends it, like the service. Default: ${DEFAULT-VALUE}.")
    Duration connectionLifetime;

    @Option(names = "--goaway-lead", paramLabel = "DURATION", defaultValue = "5s", converter = DurationText.class,
            description = "How long before that end goAway is sent. Default: ${DEFAULT-VALUE}.")
    Duration goAwayLead;

    @Option(names = "--text-chunk-delay", paramLabel = "DURATION", defaultValue = "40ms", converter = DurationText.class,
            description = "Pause between the chunks of a text answer (0s sends it at once). Default: ${DEFAULT-VALUE}.")
    Duration textChunkDelay;

    @Option(names = "--replay", paramLabel = "FILE",
            description = "Play this cassette (from `habla chat|talk --record`) as the server: check what the client sends, answer as recorded; a mismatch closes 1007 naming the cassette line.")
    Path replay;

    @Option(names = "--pace", paramLabel = "recorded|fast",
            description = "With --replay: answer with the recorded gaps (default) or as fast as possible.")
    String pace;

    @Option(names = {"-v", "--verbose"}, description = "Log connections and errors (info level) to stderr.")
    boolean verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    EmulatorCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** Makes a running {@link #call()} return (tests; the real process stops on SIGINT or SIGTERM). */
    void stop() {
        stop.countDown();
    }

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0..65535, was " + port);
        }
        if (connectionLifetime.isZero() || connectionLifetime.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--connection-lifetime must be positive");
        }
        if (goAwayLead.isNegative() || goAwayLead.compareTo(connectionLifetime) > 0) {
            throw new ParameterException(spec.commandLine(), "--goaway-lead must be between 0 and --connection-lifetime ("
                    + DurationText.format(connectionLifetime) + ")");
        }
        if (textChunkDelay.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--text-chunk-delay must not be negative");
        }
        String key = acceptedKey();
        LiveEmulator.Pace replayPace = replayPace();
        Path cassette = replay == null ? null : ctx.resolve(replay);
        if (cassette != null && !Files.isRegularFile(cassette)) {
            throw new ParameterException(spec.commandLine(), "--replay " + replay + ": no such file");
        }
        LiveEmulator emulator;
        try {
            emulator = LiveEmulator.create(b -> {
                b.port(port).connectionLifetime(connectionLifetime).goAwayLead(goAwayLead).textChunkDelay(textChunkDelay)
                        // A long-lived dev server: nobody reads what a test would inspect, so nothing is recorded.
                        .maxRecordedMessages(0).maxRecordedAudio(0);
                if (key != null) {
                    b.apiKey(key);
                }
                if (cassette != null) {
                    b.replay(cassette, replayPace);
                }
            });
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            if (cassette == null) {
                throw new CliException(ExitCodes.UNAVAILABLE, "cannot start the emulator on 127.0.0.1:" + port + " ("
                        + rootMessage(e) + ")", e);
            }
            throw new ParameterException(spec.commandLine(), "--replay: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "cannot start the emulator on 127.0.0.1:" + port + " ("
                    + rootMessage(e) + ")", e);
        }
        try (emulator) {
            // Ctrl-C (SIGINT) and SIGTERM end the wait, so the emulator closes its connections and the command
            // exits 0; the previous handlers come back afterwards. Tests call stop() instead.
            Object previousInt = null;
            Object previousTerm = null;
            if (ctx.console()) {
                previousInt = Signals.register("INT", stop::countDown);
                previousTerm = Signals.register("TERM", stop::countDown);
            }
            ctx.out().println("base URL: " + emulator.baseUrl());
            ctx.out().println("ws URL:   " + emulator.wsUrl("v1beta"));
            ctx.out().flush();
            if (cassette != null) {
                ctx.err().println("Replaying " + replay + " (" + replayPace.name().toLowerCase(java.util.Locale.ROOT)
                        + " pace); a client that deviates is closed 1007 with the cassette line.");
            }
            ctx.err().println("Habla emulator on 127.0.0.1:" + emulator.port() + (key == null ? " (any API key)" : " (one API key)")
                    + "; try: habla chat --base-url " + emulator.baseUrl() + " --model " + ChatCommand.EMULATOR_TEXT_MODEL
                    + ". Stop with Ctrl-C.");
            try {
                stop.await();
                for (String m : emulator.replayMismatches()) {
                    ctx.err().println(m);
                }
            } finally {
                if (previousInt != null) {
                    Signals.unregister("INT", previousInt);
                }
                if (previousTerm != null) {
                    Signals.unregister("TERM", previousTerm);
                }
            }
        }
        return ExitCodes.OK;
    }

    private LiveEmulator.Pace replayPace() {
        if (pace == null) {
            return LiveEmulator.Pace.RECORDED;
        }
        if (replay == null) {
            throw new ParameterException(spec.commandLine(), "--pace needs --replay FILE");
        }
        return switch (pace.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "recorded" -> LiveEmulator.Pace.RECORDED;
            case "fast" -> LiveEmulator.Pace.FAST;
            default -> throw new ParameterException(spec.commandLine(), "--pace must be recorded or fast, was '" + pace + "'");
        };
    }

    /** The one key to accept: --api-key, --api-key-file or $HABLA_EMULATOR_API_KEY (at most one); null for any. */
    private String acceptedKey() {
        if (apiKey != null && apiKeyFile != null) {
            throw new ParameterException(spec.commandLine(), "use --api-key or --api-key-file, not both");
        }
        if (apiKeyFile != null) {
            try {
                String first = Files.readAllLines(ctx.resolve(apiKeyFile), StandardCharsets.UTF_8).stream()
                        .findFirst().orElse("").strip();
                if (first.isEmpty()) {
                    throw new ParameterException(spec.commandLine(), "--api-key-file " + apiKeyFile + " is empty");
                }
                return first;
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "cannot read --api-key-file " + apiKeyFile + ": "
                        + SessionArgs.why(e));
            }
        }
        String key = apiKey != null ? apiKey : ctx.env().get(KEY_VARIABLE);
        return key == null || key.isBlank() ? null : key.strip();
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r.getMessage() == null ? r.toString() : r.getMessage();
    }
}
