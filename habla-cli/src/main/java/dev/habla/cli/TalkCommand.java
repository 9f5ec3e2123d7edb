package dev.habla.cli;

import dev.habla.assistant.DuplexMode;
import dev.habla.assistant.ServerVad;
import dev.habla.assistant.VadMode;
import dev.habla.assistant.VoiceLoop;
import dev.habla.assistant.VoiceLoopConfig;
import dev.habla.audio.AudioSink;
import dev.habla.audio.AudioSource;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.LiveEmulator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jline.reader.UserInterruptException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code habla talk}: a spoken conversation (habla-assistant's {@link VoiceLoop}): microphone in, speaker out, the
 * transcript of both sides on screen, a level meter, and a prompt line for typing into the same session. With
 * {@code --input file.wav} and/or {@code --output reply.wav} it works without audio devices (CI): the file is spoken
 * into the session, every answer is written to the output WAV, and the command exits after the last answer.
 *
 * <p>The loop runs on a resilient session (habla-client's {@code ResilientSession}): the service's connection limit
 * and network drops are crossed by handover and reconnect; the printer shows them as short status lines in
 * parentheses, and a session that finally fails ends the command with the exit code of its cause (interactive mode
 * interrupts the prompt for it).
 *
 * <p>This class owns the options and the run's resources (devices, emulator, client, knowledge), on the command's
 * thread; {@link TalkSetup} turns options into source, sink and configuration, {@link TalkFileMode} and
 * {@link TalkInteractive} run the two modes, {@link TalkPrinter} shows the conversation, {@link TalkFailures} maps a
 * closed session to the exit code.
 */
@Command(name = "talk", sortOptions = false, usageHelpAutoWidth = true,
        // Lines under 80 columns: picocli wraps longer ones mid-sentence.
        description = {
            "Talk to Gemini Live (or OpenAI Realtime with --provider openai): speak, hear",
            "the answer, interrupt it by talking over it.",
            "Type a line to send text into the same conversation; exit, quit, Ctrl-D or",
            "Ctrl-C end it (microphone first, then the session, then the speaker).",
            "With --vad ptt, an empty line (or Ctrl-T) toggles talking.",
            "The API key comes from GEMINI_API_KEY (OPENAI_API_KEY with --provider openai)",
            "in the environment or in ./.env;",
            "without one, a built-in emulator answers (\"I heard N seconds of audio.\")."},
        footer = {"", "File mode: --input speech.wav (a WAV file: PCM or float, any rate) is spoken",
            "into the session in real time (--fast: at once); --output reply.wav receives",
            "every answer (24 kHz mono); the command exits once every utterance has been",
            "answered and played, or after --timeout.",
            "Exit codes: 0 ok, 2 no API key, 3 key rejected, 4 model not found,",
            "  5 network/unreachable or no answer in time, 6 quota, 7 other server error,",
            "  64 bad usage, 65 no speech in the input file,",
            "  " + TalkCommand.NO_AUDIO_DEVICE + " no usable audio device, or no camera, ffmpeg or display for",
            "  --camera/--screen (one line on stderr)."})
final class TalkCommand implements Callable<Integer> {

    /** No microphone or speaker that works (sysexits EX_UNAVAILABLE). */
    static final int NO_AUDIO_DEVICE = 69;
    /** Silence appended after an input file, so that the server's VAD ends the last utterance. */
    static final Duration INPUT_TAIL = Duration.ofMillis(1200);
    /** File mode: how long all must stay quiet (answered, played) before the command exits. */
    static final Duration SETTLE = Duration.ofMillis(800);

    final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL", description = "Model id (native audio). Default:%n" + ChatCommand.DEFAULT_MODEL + ".")
    String model;

    @Option(names = "--provider", paramLabel = "NAME",
            description = "gemini (default) or openai (OpenAI Realtime; key from OPENAI_API_KEY, default model gpt-realtime).")
    String provider;

    /** The chosen provider and what goes with it; set first in {@link #call()}. */
    ProviderArgs service = ProviderArgs.GEMINI;
    /** Exit codes and messages of a session that ended or failed; set in {@link #call()} once the provider is known. */
    TalkFailures failures;

    @Option(names = "--voice", paramLabel = "NAME", description = "Prebuilt voice (e.g. Kore, Puck, Aoede; on OpenAI marin, cedar…; any case).")
    String voice;

    @Option(names = "--system", paramLabel = "TEXT", description = "System instruction.")
    String system;

    @Option(names = "--system-file", paramLabel = "PATH", description = "Read the system instruction from a UTF-8 file.")
    Path systemFile;

    @Option(names = "--vad", paramLabel = "MODE", defaultValue = "assist", converter = VadModeConverter.class,
            description = "Turn-taking: off (server VAD), assist (server VAD + instant local barge-in; default), "
                    + "manual (local VAD sends activity start/end), ptt (push-to-talk: empty line or Ctrl-T).")
    VadMode vad;

    @Option(names = "--half-duplex", description = "Kiosk mode: the microphone is deaf while the assistant speaks (no voice barge-in).")
    boolean halfDuplex;

    @Option(names = "--headphones", description = "No echo gate: every sound the microphone hears may interrupt (headphones, or a device with echo cancellation).")
    boolean headphones;

    @Option(names = "--input-device", paramLabel = "NAME", description = "Microphone: a device name or a unique part of one (see `habla devices`). Default: the system default.")
    String inputDevice;

    @Option(names = "--output-device", paramLabel = "NAME", description = "Speaker: a device name or a unique part of one. Default: the system default.")
    String outputDevice;

    @Option(names = "--input", paramLabel = "FILE.wav", description = "Speak this WAV file into the session instead of using the microphone.")
    Path input;

    @Option(names = "--output", paramLabel = "FILE.wav", description = "Write the answers to this WAV file (24 kHz mono) instead of playing them.")
    Path output;

    @Option(names = "--fast", description = "With --input: send the file as fast as possible instead of in real time.")
    boolean fast;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationText.class,
            description = "File mode: give up waiting for the answers after this long (e.g. 30s, 2m). Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--start-sensitivity", paramLabel = "high|low", description = "Server VAD: start-of-speech sensitivity.")
    String startSensitivity;

    @Option(names = "--end-sensitivity", paramLabel = "high|low", description = "Server VAD: end-of-speech sensitivity.")
    String endSensitivity;

    @Option(names = "--prefix-padding", paramLabel = "MS", description = "Server VAD: speech needed before a start is committed, ms.")
    Integer prefixPaddingMs;

    @Option(names = "--silence-duration", paramLabel = "MS", description = "Server VAD: silence needed before an end is committed, ms.")
    Integer silenceDurationMs;

    @Option(names = "--no-interruption", description = "Server: user activity does not interrupt the answer (activityHandling NO_INTERRUPTION).")
    boolean noInterruption;

    @Option(names = "--base-url", paramLabel = "URL",
            description = "Service root, e.g. http://127.0.0.1:8765 for `habla emulator`. A key is needed unless it is a loopback address.")
    String baseUrl;

    @Option(names = "--api-version", paramLabel = "VERSION", description = "v1beta (default), v1alpha or v1.")
    String apiVersion;

    @Option(names = "--no-emulator", description = "Fail (exit 2) instead of starting the built-in emulator when there is no API key.")
    boolean noEmulator;

    @Option(names = {"-v", "--verbose"}, description = "Log the wire traffic (keys redacted), barge-in latencies and details to stderr.")
    boolean verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** --tools, --allow-dir, --code-execution, --google-search (habla-tools). */
    @Mixin
    ToolSupport tools;

    /** --camera, --screen, --image, --fps, ... (habla-vision); /snap and /image while talking. */
    @Mixin
    VisionArgs vision;

    /** --record FILE, --record-audio (cassettes, issue 15). */
    @Mixin
    RecordArgs recording;
    /** The video feed of this run, once the loop started; null without vision options. */
    dev.habla.vision.VisionFeed feed;

    /** --knowledge INDEX, --domain, --decline, --warn-outside (habla-knowledge-live). */
    @Mixin
    KnowledgeArgs knowledgeArgs;
    /** The knowledge of this run (null without --knowledge); set before the loop starts. */
    private dev.habla.knowledge.live.Knowledge knowledge;
    /** The sources line of the newest in-domain search, printed after the next answer (knowledge event threads). */
    private final java.util.concurrent.atomic.AtomicReference<String> pendingSources = new java.util.concurrent.atomic.AtomicReference<>();

    TalkCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** picocli: off|assist|manual|ptt (any case). */
    static final class VadModeConverter implements picocli.CommandLine.ITypeConverter<VadMode> {
        @Override
        public VadMode convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "off", "server" -> VadMode.OFF;
                case "assist" -> VadMode.ASSIST;
                case "manual" -> VadMode.MANUAL;
                case "ptt", "push-to-talk" -> VadMode.PUSH_TO_TALK;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "expected off, assist, manual or ptt but was '" + value + "'");
            };
        }
    }

    @Override
    public Integer call() throws Exception {
        service = ProviderArgs.of(spec.commandLine(), provider);
        service.checkApiVersion(spec.commandLine(), apiVersion);
        failures = new TalkFailures(ctx, service, apiVersion);
        String voiceName = voice == null ? null : service.voice(spec.commandLine(), ctx, voice);
        String instruction = SessionArgs.systemInstruction(spec.commandLine(), ctx, system, systemFile);
        URI base = baseUrl == null ? null : SessionArgs.baseUrl(spec.commandLine(), baseUrl);
        String version = SessionArgs.apiVersion(spec.commandLine(), apiVersion);
        TalkSetup setup = new TalkSetup(this);
        ServerVad serverVad = setup.serverVad();
        if (fast && input == null) {
            throw new ParameterException(spec.commandLine(), "--fast needs --input");
        }
        if (halfDuplex && headphones) {
            throw new ParameterException(spec.commandLine(), "use --half-duplex or --headphones, not both");
        }
        recording.validate(ctx);
        knowledgeArgs.validate(ctx);
        KeyChoice key = resolveKey(base);
        SessionArgs.refuseClosedLocalPort(base);
        String modelId = model != null ? model.strip() : service.defaultModel();
        SessionConfig session = vision.configure(setup.sessionConfig(modelId, voiceName, instruction));

        // Devices (or files) first: without them there is nothing to do, and the user gets one line.
        AudioSource source = setup.openSource();
        AudioSink sink;
        try {
            sink = setup.openSink();
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        dev.habla.vision.VideoSource video;
        try {
            video = vision.open(ctx);
        } catch (RuntimeException e) {
            source.close();
            sink.close();
            throw e;
        }
        boolean fileMode = input != null;
        DuplexMode duplex = halfDuplex ? DuplexMode.HALF_DUPLEX
                : headphones || fileMode || output != null ? DuplexMode.HEADPHONES : DuplexMode.ECHO_GATE;

        LiveEmulator emulator = null;
        try {
            if (key.startEmulator()) {
                emulator = LiveEmulator.create();
                ctx.err().println("No " + service.keyVariable() + ": using the built-in emulator at " + emulator.baseUrl()
                        + " (it answers \"I heard N seconds of audio.\")");
            }
            URI target = emulator != null ? URI.create(emulator.baseUrl()) : base;
            KeyRedactor redactor = new KeyRedactor(key.key());
            // Answers are spoken: a declined question is said by the model, in its voice.
            knowledge = knowledgeArgs.open(ctx, true, this::onKnowledge);
            if (knowledge != null) {
                tools.alwaysTools.add(knowledge.tool());
            }
            SessionConfig configured = tools.configure(session, ctx);
            if (knowledge != null) {
                configured = knowledge.configure(configured).with(b -> b.inputTranscription(true));
            }
            service.check(spec.commandLine(), configured);
            try (LiveClient client = LiveClient.create(c -> {
                c.apiKey(key.key()).baseUrl(target).apiVersion(version).provider(service.provider());
                recording.configure(ctx, c);
                if (verbose) {
                    c.wireLog(line -> ctx.err().println(redactor.redact(line)));
                }
            })) {
                return fileMode
                        ? new TalkFileMode(this).run(client, configured, source, sink, duplex, serverVad, modelId, target, key, video)
                        : new TalkInteractive(this).run(client, configured, source, sink, duplex, serverVad, modelId, target, key, video);
            }
        } finally {
            if (feed != null) {
                feed.close();   // owns the video source
            } else if (video != null) {
                video.close();
            }
            // The loop closed the source and sink (it owns them once started); closing again is harmless.
            source.close();
            sink.close();
            if (emulator != null) {
                emulator.close();
            }
            knowledgeArgs.close();
        }
    }

    /** Knowledge event threads: remembers the sources of an in-domain search for the line after the next answer. */
    private void onKnowledge(dev.habla.knowledge.live.KnowledgeEvent e) {
        if (e instanceof dev.habla.knowledge.live.KnowledgeEvent.Retrieved r && r.verdict().inDomain() && !r.sources().isEmpty()) {
            pendingSources.set(KnowledgeArgs.sourcesLine(ctx, r.sources()));
        }
    }

    /** A typed line: with --knowledge its passages go with it (habla-knowledge-live decides how, per model). */
    void sendTyped(VoiceLoop loop, String text) {
        if (knowledge == null) {
            loop.sendText(text);
        } else {
            loop.sendText(text, s -> knowledge.send(s, text).sent());
        }
    }

    /**
     * Ends a pending {@code readLine} on {@code prompting} from another thread: JLine's own Ctrl-C handling interrupts
     * the reading thread, and {@code readLine} then throws {@link UserInterruptException}; if the thread is not
     * reading yet, its next {@code readLine} does so at once (the interrupt stays pending), and the loop clears it.
     * Raising INT on the terminal instead would recurse through this command's INT handler when no readLine is
     * active; a widget ({@code ACCEPT_LINE}) does not wake a reader blocked on input.
     */
    static void endPrompt(Thread prompting) {
        prompting.interrupt();
    }

    // ------------------------------------------------------------------------------------------------------------
    // The loop, shared by both modes (TalkFileMode, TalkInteractive)
    // ------------------------------------------------------------------------------------------------------------

    /** Starts the loop with this run's tools and knowledge; a session that cannot start ends the command. */
    VoiceLoop start(LiveClient client, SessionConfig session, AudioSource source, AudioSink sink,
                    DuplexMode duplex, ServerVad serverVad, TalkPrinter printer, boolean fileSink, String modelId,
                    URI target, KeyChoice key) {
        printer.afterAnswer = () -> pendingSources.getAndSet(null);
        try {
            VoiceLoop loop = VoiceLoop.start(client, VoiceLoopConfig.create(c -> c.session(session).microphone(source)
                    .speaker(sink).vadMode(vad).serverVad(serverVad).duplex(duplex).pacedSpeaker(!fileSink)
                    .observer(printer).listenerDecorator(l -> tools.listener(knowledge == null ? l : knowledge.listener(l), printer::line))));
            tools.attach(loop.session());
            return loop;
        } catch (LiveException e) {
            throw failures.failure(e, modelId, target, key);
        }
    }

    /** Ctrl-C outside the prompt (file mode, or while JLine is not reading): close the loop in order, then exit. */
    Thread shutdownHook(VoiceLoop loop) {
        Thread hook = new Thread(loop::close, "habla-talk-shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return hook;
        } catch (IllegalStateException e) {
            return null;   // already shutting down
        }
    }

    static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs
        }
    }

    /** The same key rules as {@code habla chat}. */
    private KeyChoice resolveKey(URI base) {
        return KeyChoice.resolve(ctx, base, noEmulator, service);
    }
}
