package dev.habla.cli;

import dev.habla.assistant.AssistantEvent;
import dev.habla.assistant.DuplexMode;
import dev.habla.assistant.Levels;
import dev.habla.assistant.ServerVad;
import dev.habla.assistant.Transcript;
import dev.habla.assistant.VadMode;
import dev.habla.assistant.VoiceLoop;
import dev.habla.assistant.VoiceLoopConfig;
import dev.habla.audio.AudioDeviceException;
import dev.habla.audio.AudioFileException;
import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSink;
import dev.habla.audio.AudioSource;
import dev.habla.audio.DeviceSpeaker;
import dev.habla.audio.JavaSoundMicrophone;
import dev.habla.audio.WavFormatException;
import dev.habla.audio.WavSink;
import dev.habla.audio.WavSource;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.RealtimeInputConfig.ActivityHandling;
import dev.habla.protocol.RealtimeInputConfig.EndSensitivity;
import dev.habla.protocol.RealtimeInputConfig.StartSensitivity;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jline.keymap.KeyMap;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.DumbTerminal;
import org.jline.utils.AttributedString;
import org.jline.utils.Status;
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

    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL", description = "Model id (native audio). Default:%n" + ChatCommand.DEFAULT_MODEL + ".")
    String model;

    @Option(names = "--provider", paramLabel = "NAME",
            description = "gemini (default) or openai (OpenAI Realtime; key from OPENAI_API_KEY, default model gpt-realtime).")
    String provider;

    /** The chosen provider and what goes with it; set first in {@link #call()}. */
    private ProviderArgs service = ProviderArgs.GEMINI;

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
    private dev.habla.vision.VisionFeed feed;

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
        String voiceName = voice == null ? null : service.voice(spec.commandLine(), ctx, voice);
        String instruction = SessionArgs.systemInstruction(spec.commandLine(), ctx, system, systemFile);
        URI base = baseUrl == null ? null : SessionArgs.baseUrl(spec.commandLine(), baseUrl);
        String version = SessionArgs.apiVersion(spec.commandLine(), apiVersion);
        ServerVad serverVad = serverVad();
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
        SessionConfig session = vision.configure(sessionConfig(modelId, voiceName, instruction));

        // Devices (or files) first: without them there is nothing to do, and the user gets one line.
        AudioSource source = openSource();
        AudioSink sink;
        try {
            sink = openSink();
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
                        ? fileRun(client, configured, source, sink, duplex, serverVad, modelId, target, key, video)
                        : interactive(client, configured, source, sink, duplex, serverVad, modelId, target, key, video);
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
    private void sendTyped(VoiceLoop loop, String text) {
        if (knowledge == null) {
            loop.sendText(text);
        } else {
            loop.sendText(text, s -> knowledge.send(s, text).sent());
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // File mode
    // ------------------------------------------------------------------------------------------------------------

    private int fileRun(LiveClient client, SessionConfig session, AudioSource source, AudioSink sink, DuplexMode duplex,
                        ServerVad serverVad, String modelId, URI target, KeyChoice key,
                        dev.habla.vision.VideoSource video) throws Exception {
        PrintStream out = ctx.out();
        Printer printer = new Printer(out::println, verbose ? ctx.err()::println : null, service.provider().name());
        VoiceLoop loop = start(client, session, source, sink, duplex, serverVad, printer, output != null, modelId,
                target, key);
        feed = vision.start(video, loop.session(), ctx, printer::notice);
        Thread hook = ctx.console() ? shutdownHook(loop) : null;
        try (loop) {
            // Typed text (and /snap, /image, /wait) from stdin when it is not a terminal: all of it is sent first.
            if (!ctx.console() || System.console() == null) {
                Thread typed = VisionArgs.typedScript(ctx.in(), text -> sendTyped(loop, text), feed, ctx, printer::notice);
                if (!typed.join(timeout)) {
                    typed.interrupt();
                }
            }
            boolean idle = loop.awaitConversationIdle(SETTLE, timeout);
            LiveEvent.Closed closed = loop.closedEvent();
            if (closed != null && closed.error() != null) {
                throw failure(closed.error(), modelId, target, key);
            }
            long answers = loop.transcript().assistantEntries().size();
            if (!idle) {
                throw new CliException(ExitCodes.UNAVAILABLE, answers == 0
                        ? "no answer within " + DurationText.format(timeout) + "; check the input file and --timeout"
                        : "the conversation did not finish within " + DurationText.format(timeout) + " (" + answers
                                + " answers so far)");
            }
            if (answers == 0) {
                // Not a connection problem (the session is up and idle): the input had nothing to answer.
                throw new CliException(input == null ? ExitCodes.UNAVAILABLE : ExitCodes.NO_SPEECH,
                        "no answer: the server heard no speech in "
                        + (input == null ? "the microphone" : ctx.display(input) + " (silent, or too quiet?)"));
            }
            if (vision.used()) {
                ctx.err().println(VisionArgs.summary(feed) + "; playback underruns " + loop.metrics().underruns());
            }
        } finally {
            if (hook != null) {
                removeHook(hook);
            }
        }
        if (output != null && sink instanceof WavSink w) {
            w.close();
            if (w.failure() != null) {
                throw new CliException(ExitCodes.INTERNAL, "cannot write " + ctx.display(output) + ": " + w.failure().getMessage());
            }
            ctx.err().println("habla: wrote " + w.duration().toMillis() / 1000.0 + " s of answers to " + ctx.display(output));
        }
        return ExitCodes.OK;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Interactive mode
    // ------------------------------------------------------------------------------------------------------------

    private int interactive(LiveClient client, SessionConfig session, AudioSource source, AudioSink sink,
                            DuplexMode duplex, ServerVad serverVad, String modelId, URI target,
                            KeyChoice key, dev.habla.vision.VideoSource video) throws Exception {
        try (Terminal terminal = openTerminal()) {
            LineReader reader = lineReader(terminal);
            Status status = ctx.console() && !Terminal.TYPE_DUMB.equals(terminal.getType()) ? Status.getStatus(terminal) : null;
            Printer printer = new Printer(reader::printAbove, verbose ? ctx.err()::println : null,
                    service.provider().name());
            // A session that fails for good must not wait for the next Enter: end the prompt, then the closed event
            // decides the exit code.
            Thread prompting = Thread.currentThread();
            printer.onClosed = () -> endPrompt(prompting);
            VoiceLoop loop = start(client, session, source, sink, duplex, serverVad, printer, output != null, modelId,
                    target, key);
            feed = vision.start(video, loop.session(), ctx, printer::notice);
            Thread hook = ctx.console() ? shutdownHook(loop) : null;
            Thread meter = status == null ? null : Thread.ofVirtual().name("habla-meter").start(() -> meter(loop, status, printer));
            try (loop) {
                if (vad == VadMode.PUSH_TO_TALK) {
                    reader.getWidgets().put("habla-ptt", () -> {
                        loop.togglePushToTalk();
                        return true;
                    });
                    reader.getKeyMaps().get(LineReader.MAIN).bind(new Reference("habla-ptt"), KeyMap.ctrl('T'));
                }
                terminal.handle(Terminal.Signal.INT, s -> terminal.raise(Terminal.Signal.INT));
                printer.notice("Talking to " + modelId + " (" + describe(duplex) + ", vad " + vad.name().toLowerCase(Locale.ROOT)
                        + "). Speak, or type a line; exit or Ctrl-C to leave.");
                while (true) {
                    LiveEvent.Closed closed = loop.closedEvent();
                    if (closed != null) {
                        Thread.interrupted();   // endPrompt's interrupt may have come between prompts: clear it
                        return ended(closed, modelId, target, key);
                    }
                    String line;
                    try {
                        line = reader.readLine("you> ");
                    } catch (UserInterruptException | EndOfFileException e) {
                        LiveEvent.Closed gone = loop.closedEvent();
                        if (gone != null) {
                            Thread.interrupted();
                            return ended(gone, modelId, target, key);
                        }
                        return ExitCodes.OK;   // Ctrl-C or Ctrl-D: the loop closes mic, session, speaker in order
                    }
                    if (loop.closedEvent() != null) {
                        continue;   // the session ended while the line was typed: the top of the loop says how
                    }
                    String text = line.strip();
                    if (text.equalsIgnoreCase("exit") || text.equalsIgnoreCase("quit")) {
                        return ExitCodes.OK;
                    }
                    if (text.isEmpty()) {
                        if (vad == VadMode.PUSH_TO_TALK) {
                            printer.notice(loop.togglePushToTalk() ? "(talking: empty line or Ctrl-T to stop)" : "(sent)");
                        }
                        continue;
                    }
                    if (text.equals("/mute")) {
                        loop.mute(!loop.isMuted());
                        printer.notice(loop.isMuted() ? "(microphone muted; /mute again to unmute)" : "(microphone on)");
                        continue;
                    }
                    if (VisionArgs.command(text, feed, ctx, printer::notice)) {
                        continue;
                    }
                    sendTyped(loop, text);
                }
            } finally {
                if (meter != null) {
                    meter.interrupt();
                    meter.join(Duration.ofSeconds(1));
                }
                if (status != null) {
                    status.close();
                }
                if (hook != null) {
                    removeHook(hook);
                }
            }
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

    private String describe(DuplexMode duplex) {
        return switch (duplex) {
            case ECHO_GATE -> "echo gate on: open speakers are fine";
            case HEADPHONES -> "no echo gate";
            case HALF_DUPLEX -> "half duplex";
        };
    }

    /** The level meter and the answer in progress, in JLine's status lines, ten times a second. */
    private void meter(VoiceLoop loop, Status status, Printer printer) {
        while (!Thread.currentThread().isInterrupted()) {
            Levels l = loop.levels();
            var resilient = loop.resilientSession();
            String state = resilient != null && resilient.phase() == dev.habla.client.ResilientSession.Phase.RECONNECTING
                    ? "reconnecting" : loop.isMuted() ? "muted"
                    : vad == VadMode.PUSH_TO_TALK ? (loop.isTalking() ? "TALKING" : "ptt: Ctrl-T") : "listening";
            String line = String.format(Locale.ROOT, "mic %s  spk %s  %s  underruns %d", Levels.bar(l.micDbfs(), 12),
                    Levels.bar(l.speakerDbfs(), 12), state, loop.metrics().underruns());
            String partial = printer.partial();
            List<AttributedString> lines = new ArrayList<>();
            lines.add(new AttributedString(line));
            if (!partial.isEmpty()) {
                lines.add(new AttributedString(printer.speaker() + ": " + tail(partial, 100)));
            }
            status.update(lines);
            try {
                Thread.sleep(100);   // a display refresh rate, not a wait for an event
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : "…" + s.substring(s.length() - n + 1);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The loop and what it shows
    // ------------------------------------------------------------------------------------------------------------

    private VoiceLoop start(LiveClient client, SessionConfig session, AudioSource source, AudioSink sink,
                            DuplexMode duplex, ServerVad serverVad, Printer printer, boolean fileSink, String modelId,
                            URI target, KeyChoice key) {
        printer.afterAnswer = () -> pendingSources.getAndSet(null);
        try {
            VoiceLoop loop = VoiceLoop.start(client, VoiceLoopConfig.create(c -> c.session(session).microphone(source)
                    .speaker(sink).vadMode(vad).serverVad(serverVad).duplex(duplex).pacedSpeaker(!fileSink)
                    .observer(printer).listenerDecorator(l -> tools.listener(knowledge == null ? l : knowledge.listener(l), printer::line))));
            tools.attach(loop.session());
            return loop;
        } catch (LiveException e) {
            throw failure(e, modelId, target, key);
        }
    }

    /**
     * Shows the conversation: a user line when their transcription is complete, an assistant line when its turn
     * ends (with what was not heard after a barge-in), notices; the answer in progress for the status line.
     * Called on the loop's threads; a lock keeps lines whole.
     */
    static final class Printer implements dev.habla.assistant.AssistantObserver {
        private final Consumer<String> out;
        private final Consumer<String> verbose;
        private final ReentrantLock lock = new ReentrantLock();
        /** A line to print after an answer's line (--knowledge: its sources), or null; set before the loop runs. */
        volatile java.util.function.Supplier<String> afterAnswer;
        /** Guarded by lock. */
        private final StringBuilder user = new StringBuilder();
        /** Guarded by lock. */
        private final StringBuilder assistant = new StringBuilder();

        /** How answers are labelled: the provider's name ({@code gemini: …}, {@code openai: …}). */
        private final String speaker;

        Printer(Consumer<String> out, Consumer<String> verbose) {
            this(out, verbose, "gemini");
        }

        Printer(Consumer<String> out, Consumer<String> verbose, String speaker) {
            this.out = out;
            this.verbose = verbose;
            this.speaker = speaker;
        }

        String speaker() {
            return speaker;
        }

        @Override
        public void onEvent(AssistantEvent event) {
            switch (event) {
                case AssistantEvent.UserText t when !t.typed() -> {
                    lock.lock();
                    try {
                        user.append(t.text());
                        if (t.finished()) {
                            flushUser();
                        }
                    } finally {
                        lock.unlock();
                    }
                }
                case AssistantEvent.AssistantText t -> {
                    lock.lock();
                    try {
                        assistant.append(t.text());
                    } finally {
                        lock.unlock();
                    }
                }
                case AssistantEvent.TurnEnded t -> {
                    lock.lock();
                    try {
                        flushUser();
                        assistant.setLength(0);
                        Transcript.Entry e = t.entry();
                        if (!e.generated().isBlank()) {
                            line(speaker + ": " + (e.interrupted()
                                    ? e.heard().strip() + " [interrupted" + (e.unheard().isBlank() ? "" : "; not heard: "
                                            + e.unheard().strip()) + "]"
                                    : e.generated().strip()) + (e.connectionLost() ? " [cut off: connection lost]" : ""));
                            java.util.function.Supplier<String> after = afterAnswer;
                            String extra = after == null ? null : after.get();
                            if (extra != null) {
                                line(extra);
                            }
                        }
                    } finally {
                        lock.unlock();
                    }
                }
                case AssistantEvent.BargeIn b -> {
                    if (verbose != null) {
                        verbose.accept(String.format(Locale.ROOT, "habla: barge-in (%s): silent %.2f ms after it arrived",
                                b.trigger().name().toLowerCase(Locale.ROOT), b.latency().toNanos() / 1e6));
                    }
                }
                case AssistantEvent.InputEnded i -> {
                    if (i.error() != null) {
                        line("(microphone failed: " + i.error().getMessage() + ")");
                    }
                }
                case AssistantEvent.Connection c -> {
                    String status = status(c.event());
                    if (status != null) {
                        line(status);
                    } else if (verbose != null) {
                        verbose.accept("habla: " + c.event());
                    }
                }
                case AssistantEvent.Closed c -> {
                    Runnable r = onClosed;
                    if (r != null && c.closed().error() != null) {
                        r.run();
                    }
                }
                default -> { }
            }
        }

        /** Interactive mode: what to do when the session has failed for good (interrupt the prompt). */
        volatile Runnable onClosed;

        /**
         * The short status line for a connection event, or null for one only shown with {@code --verbose} (a
         * handover starting: the user notices nothing unless it completes).
         */
        static String status(dev.habla.client.LiveEvent.ConnectionEvent event) {
            return switch (event) {
                case LiveEvent.HandoverStarted h -> null;
                case LiveEvent.HandoverCompleted h -> String.format(Locale.ROOT, "(connection renewed; %d ms gap)",
                        h.gap().toMillis());
                case LiveEvent.Reconnecting r -> "(connection lost" + (r.cause() == null ? "" : ": " + brief(r.cause()))
                        + "; reconnecting" + (r.attempt() > 1 ? ", attempt " + r.attempt() : "") + "…)";
                case LiveEvent.Reconnected r -> String.format(Locale.ROOT, "(reconnected after %s; %s)",
                        DurationText.format(r.gap()), r.resumed() ? "the conversation goes on"
                                : "a new session, told what was said so far");
                case LiveEvent.Stalled st -> switch (st.kind()) {
                    case MID_TURN -> "(the answer stalled: nothing for " + DurationText.format(st.duration()) + ")";
                    case NO_REPLY -> "(no answer for " + DurationText.format(st.duration()) + ")";
                };
            };
        }

        private static String brief(LiveException e) {
            if (e.closeCode() > 0) {
                String reason = (e.closeCode() + " " + e.closeReason()).strip().replaceAll("[.\\s]+$", "");
                return reason.length() <= 60 ? reason : reason.substring(0, 59) + "…";
            }
            return e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }

        /** Guarded by lock. */
        private void flushUser() {
            if (!user.isEmpty()) {
                line("you: " + user.toString().strip());
                user.setLength(0);
            }
        }

        void line(String s) {
            lock.lock();
            try {
                out.accept(s);
            } finally {
                lock.unlock();
            }
        }

        void notice(String s) {
            line(s);
        }

        String partial() {
            lock.lock();
            try {
                return assistant.toString().strip();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Ctrl-C outside the prompt (file mode, or while JLine is not reading): close the loop in order, then exit. */
    private Thread shutdownHook(VoiceLoop loop) {
        Thread hook = new Thread(loop::close, "habla-talk-shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return hook;
        } catch (IllegalStateException e) {
            return null;   // already shutting down
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Options
    // ------------------------------------------------------------------------------------------------------------

    private AudioSource openSource() {
        if (input != null) {
            Path file = ctx.resolve(input);
            try {
                return WavSource.open(file, fast ? WavSource.Pacing.FAST : WavSource.Pacing.REAL_TIME,
                        WavSource.DEFAULT_CHUNK, INPUT_TAIL);
            } catch (WavFormatException e) {
                throw new ParameterException(spec.commandLine(), "--input " + input + ": " + e.reason());
            } catch (AudioFileException e) {
                if (e.getCause() instanceof NoSuchFileException) {
                    throw new ParameterException(spec.commandLine(), "--input " + input + ": no such file");
                }
                throw new ParameterException(spec.commandLine(), "cannot read --input " + input + ": " + ioMessage(e));
            }
        }
        try {
            return JavaSoundMicrophone.open(inputDevice, AudioFormat.PCM_16K_MONO, JavaSoundMicrophone.DEFAULT_CHUNK);
        } catch (AudioDeviceException e) {
            throw new CliException(NO_AUDIO_DEVICE, "no microphone: " + e.getMessage() + " (use --input FILE.wav, or see `habla devices`)");
        }
    }

    private AudioSink openSink() {
        if (output != null) {
            Path file = ctx.resolve(output);
            try {
                return WavSink.create(file, AudioFormat.PCM_24K_MONO);
            } catch (AudioFileException e) {
                throw new ParameterException(spec.commandLine(), "cannot write --output " + output + ": " + ioMessage(e));
            }
        }
        try {
            return DeviceSpeaker.open(outputDevice, AudioFormat.PCM_24K_MONO);
        } catch (AudioDeviceException e) {
            throw new CliException(NO_AUDIO_DEVICE, "no speaker: " + e.getMessage() + " (use --output FILE.wav, or see `habla devices`)");
        }
    }

    /** The underlying I/O error's message (what the JDK says about the file), else the exception's own. */
    private static String ioMessage(AudioFileException e) {
        return e.getCause() instanceof IOException io ? SessionArgs.why(io) : e.getMessage();
    }

    private ServerVad serverVad() {
        StartSensitivity start = startSensitivity == null ? null : switch (startSensitivity.strip().toLowerCase(Locale.ROOT)) {
            case "high" -> StartSensitivity.START_SENSITIVITY_HIGH;
            case "low" -> StartSensitivity.START_SENSITIVITY_LOW;
            default -> throw new ParameterException(spec.commandLine(), "--start-sensitivity must be high or low, was '"
                    + startSensitivity + "'");
        };
        EndSensitivity end = endSensitivity == null ? null : switch (endSensitivity.strip().toLowerCase(Locale.ROOT)) {
            case "high" -> EndSensitivity.END_SENSITIVITY_HIGH;
            case "low" -> EndSensitivity.END_SENSITIVITY_LOW;
            default -> throw new ParameterException(spec.commandLine(), "--end-sensitivity must be high or low, was '"
                    + endSensitivity + "'");
        };
        try {
            return ServerVad.create(v -> v.startSensitivity(start).endSensitivity(end).prefixPaddingMs(prefixPaddingMs)
                    .silenceDurationMs(silenceDurationMs).activityHandling(noInterruption ? ActivityHandling.NO_INTERRUPTION : null));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private SessionConfig sessionConfig(String modelId, String voiceName, String instruction) {
        try {
            return SessionConfig.create(b -> {
                b.model(modelId);
                if (voiceName != null) {
                    b.voice(voiceName);
                }
                if (instruction != null) {
                    b.systemInstruction(instruction);
                }
            });
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e, null, null);
        }
    }

    /** The same key rules as {@code habla chat}. */
    private KeyChoice resolveKey(URI base) {
        return KeyChoice.resolve(ctx, base, noEmulator, service);
    }

    private int ended(LiveEvent.Closed closed, String modelId, URI target, KeyChoice key) {
        if (closed.error() == null) {
            ctx.err().println("habla: the server ended the session (" + closed.code()
                    + (closed.reason().isEmpty() ? "" : " " + closed.reason()) + ")");
            return ExitCodes.OK;
        }
        throw failure(closed.error(), modelId, target, key);
    }

    private CliException failure(LiveException e, String modelId, URI target, KeyChoice key) {
        String where = target != null ? target.toString()
                : service.openai() ? "api.openai.com" : "generativelanguage.googleapis.com";
        String reason = e.closeCode() > 0 ? (e.closeCode() + " " + e.closeReason()).strip()
                : e.httpStatus() > 0 ? "HTTP " + e.httpStatus() : e.getMessage();
        String detail = reason == null || reason.isBlank() ? "" : " (" + reason.replaceAll("\\s+", " ").strip() + ")";
        String message = switch (e.kind()) {
            case UNAUTHENTICATED -> "the API key was rejected" + detail + "; check " + service.keyVariable()
                    + " (" + key.origin() + ")";
            case NOT_FOUND -> service.modelNotFound(modelId, apiVersion, e);
            case UNAVAILABLE, TIMEOUT -> "cannot reach " + where + detail + "; check the network or --base-url";
            case RESOURCE_EXHAUSTED -> "quota or rate limit reached" + detail + "; wait a little or check your plan";
            default -> "the session failed: " + e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + detail;
        };
        return new CliException(ExitCodes.forKind(e.kind()), new KeyRedactor(key.key()).redact(message), e);
    }

    private Terminal openTerminal() throws IOException {
        if (ctx.console()) {
            return TerminalBuilder.builder().name("habla").system(true).providers("jni,ffm,exec").dumb(true).build();
        }
        // Not TerminalBuilder: with streams it may allocate a pty (which echoes the piped input back).
        return new DumbTerminal("habla", Terminal.TYPE_DUMB, ctx.in(), ctx.out(), StandardCharsets.UTF_8);
    }

    private LineReader lineReader(Terminal terminal) {
        return LineReaderBuilder.builder().terminal(terminal).appName("habla")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true).build();
    }
}
