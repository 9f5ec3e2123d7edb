package dev.habla.cli;

import dev.habla.audio.AudioDeviceException;
import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSink;
import dev.habla.audio.DeviceSpeaker;
import dev.habla.audio.NullSink;
import dev.habla.client.AnswerCollector;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveSession;
import dev.habla.client.ResilientSession;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.ResponseModality;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.DumbTerminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code habla chat}: a terminal conversation with Gemini Live or OpenAI Realtime (or the built-in emulator), typed in, answered as
 * streamed text, or spoken and saved as WAV with {@code --voice}.
 *
 * <p>This class owns the options, start-up and the prompt loop (main thread); {@link Conversation} shows the answers,
 * {@link Link} connects in the background, {@link ChatFailures} maps a closed session to the exit code.
 */
@Command(name = "chat", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Talk to Gemini Live from the terminal. Type a message and press Enter;",
            "the answer streams in. Type exit or quit (or press Ctrl-D) to leave;",
            "Ctrl-C stops an answer, twice at the prompt quits.",
            "The API key comes from GEMINI_API_KEY in the environment or in ./.env",
            "(OPENAI_API_KEY with --provider openai);",
            "without one, a built-in emulator answers with scripted replies (try: history)."})
final class ChatCommand implements Callable<Integer> {

    /** Speaks on the real API today (TEXT-capable half-cascade models were retired in late 2025): text mode shows its transcript. */
    static final String DEFAULT_MODEL = "gemini-2.5-flash-native-audio-latest";
    /** The built-in emulator still offers a half-cascade model, so text mode there streams real TEXT parts. */
    static final String EMULATOR_TEXT_MODEL = "gemini-live-2.5-flash-preview";
    /** Placeholder key for emulators, which accept any non-empty key unless started with one. */
    static final String EMULATOR_KEY = "habla-emulator";
    /** The emulator streams text this fast, so the answer visibly streams and Ctrl-C can stop it. */
    static final Duration EMULATOR_TEXT_CHUNK_DELAY = Duration.ofMillis(40);
    /** Longest wait for an answer to finish playing before the next prompt. */
    static final Duration PLAYBACK_WAIT = Duration.ofMinutes(2);
    /** A first connect slower than this gets a status line saying that Ctrl-C gives up. */
    static final Duration SLOW_CONNECT = Duration.ofSeconds(3);

    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL",
            description = "Model id. Native-audio models answer in speech; text mode shows the transcript. Default:%n"
                    + DEFAULT_MODEL + ",%nin text mode on an emulator:%n" + EMULATOR_TEXT_MODEL + ".")
    String model;

    @Option(names = "--provider", paramLabel = "NAME",
            description = "gemini (default) or openai (OpenAI Realtime; key from OPENAI_API_KEY, default model gpt-realtime).")
    String provider;

    @Option(names = "--voice", paramLabel = "NAME",
            description = "Answer in speech with this prebuilt voice (e.g. Kore, Puck, Aoede; any case): plays each answer and saves it as audio_<n>.wav.")
    String voice;

    @Option(names = "--system", paramLabel = "TEXT", description = "System instruction.")
    String system;

    @Option(names = "--system-file", paramLabel = "PATH", description = "Read the system instruction from a UTF-8 file.")
    Path systemFile;

    @Option(names = "--audio-out", paramLabel = "DIR", defaultValue = "audios",
            description = "Voice mode: where answers are saved (created). Default: ${DEFAULT-VALUE}.")
    Path audioOut;

    @Option(names = "--clear", description = "Voice mode: delete old audio_*.wav in the audio directory first (otherwise numbering continues).")
    boolean clear;

    @Option(names = "--no-play", description = "Voice mode: save answers without playing them.")
    boolean noPlay;

    @Option(names = "--base-url", paramLabel = "URL",
            description = "Service root, e.g. http://127.0.0.1:8765 for `habla emulator` (no key needed for a loopback address). Default:%nhttps://generativelanguage.googleapis.com")
    String baseUrl;

    @Option(names = "--api-version", paramLabel = "VERSION", description = "v1beta (default), v1alpha or v1; others are refused.")
    String apiVersion;

    @Option(names = "--no-emulator", description = "Fail (exit 2) instead of starting the built-in emulator when there is no API key.")
    boolean noEmulator;

    @Option(names = {"-v", "--verbose"}, description = "Log the wire traffic (keys redacted) and details to stderr; show connection handovers; stack traces on errors.")
    boolean verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** --tools, --allow-dir, --code-execution, --google-search (habla-tools). */
    @Mixin
    ToolSupport tools;

    /** --image FILE and /image FILE (habla-vision). */
    @Mixin
    ChatImages images;

    /** --record FILE, --record-audio (cassettes, issue 15). */
    @Mixin
    RecordArgs recording;
    /** --knowledge INDEX, --domain, --decline, --warn-outside (habla-knowledge-live). */
    @Mixin
    KnowledgeArgs knowledgeArgs;
    /** The knowledge of this run (null without --knowledge); set before the session starts. */
    private dev.habla.knowledge.live.Knowledge knowledge;

    ChatCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    boolean verbose() {
        return verbose;
    }

    /**
     * Start-up is arranged so that the prompt shows as early as possible: the built-in emulator starts on a virtual
     * thread while JLine sets the terminal up, and the session connects in the background while the user types the
     * first message (which waits for it; Ctrl-C aborts that wait). A connect failure ends the prompt and exits with
     * its code. The session is a {@link ResilientSession}: handovers, reconnects and stalls are handled there (see
     * {@link Link}), and {@link Conversation} shows them as status lines.
     */
    @Override
    public Integer call() throws Exception {
        ProviderArgs service = ProviderArgs.of(spec.commandLine(), provider);
        service.checkApiVersion(spec.commandLine(), apiVersion);
        String voiceName = voice == null ? null : service.voice(spec.commandLine(), ctx, voice);
        String instruction = SessionArgs.systemInstruction(spec.commandLine(), ctx, system, systemFile);
        URI base = baseUrl == null ? null : SessionArgs.baseUrl(spec.commandLine(), baseUrl);
        String version = SessionArgs.apiVersion(spec.commandLine(), apiVersion);
        boolean voiceMode = voiceName != null;
        // Every option is checked before anything starts (emulator, terminal, connection).
        for (String voiceOnly : List.of("--clear", "--no-play", "--audio-out")) {
            if (!voiceMode && spec.commandLine().getParseResult().hasMatchedOption(voiceOnly)) {
                throw new ParameterException(spec.commandLine(), voiceOnly + " is for voice mode: add --voice NAME");
            }
        }
        tools.validate(ctx);
        recording.validate(ctx);
        knowledgeArgs.validate(ctx);
        KeyChoice key = KeyChoice.resolve(ctx, base, noEmulator, service);
        images.load(ctx);
        SessionArgs.refuseClosedLocalPort(base);
        AudioFiles audioFiles = voiceMode ? openAudioFiles() : null;

        CompletableFuture<LiveEmulator> emulatorStart = new CompletableFuture<>();
        if (key.startEmulator()) {
            Thread.ofVirtual().name("habla-emulator-start").start(() -> {
                try {
                    emulatorStart.complete(LiveEmulator.create(b -> b.textChunkDelay(EMULATOR_TEXT_CHUNK_DELAY)));
                } catch (Throwable t) {
                    emulatorStart.completeExceptionally(t);
                }
            });
        } else {
            emulatorStart.complete(null);
        }
        Terminal terminal;
        try {
            terminal = openTerminal();
        } catch (IOException | RuntimeException e) {
            emulatorStart.thenAccept(LiveEmulator::close);
            throw e;
        }
        try (terminal; LiveEmulator emulator = awaitEmulator(emulatorStart); KnowledgeArgs kb = knowledgeArgs) {
            LineReader reader = lineReader(terminal);
            if (emulator != null) {
                ctx.err().println("No " + service.keyVariable() + ": using the built-in emulator at " + emulator.baseUrl()
                        + " (replies are scripted)");
            }
            URI target = emulator != null ? URI.create(emulator.baseUrl()) : base;
            // A local server reached without a key is most likely `habla emulator`. The model stays the default
            // (the same as for any --base-url), but a native-audio model answers in speech: text mode shows the
            // transcript when the spoken answer would have ended, which is slow for long answers. Say so once.
            boolean localEmulator = emulator == null && key.key().equals(EMULATOR_KEY) && base != null;
            String modelId = model != null ? model.strip() : service.openai() ? service.defaultModel()
                    : emulator != null && !voiceMode ? EMULATOR_TEXT_MODEL : DEFAULT_MODEL;
            if (localEmulator && model == null && !voiceMode && !service.openai()) {
                ctx.err().println("habla: " + modelId + " answers in speech, so text mode shows its transcript when"
                        + " the spoken answer would have ended; for text answers from `habla emulator` add --model "
                        + EMULATOR_TEXT_MODEL);
            }
            boolean speaks = voiceMode || SessionConfig.isNativeAudioModel(modelId);
            // Typed questions only: a declined one is answered here with the decline sentence (no model round trip).
            knowledge = knowledgeArgs.open(ctx, false, e -> { });
            if (knowledge != null) {
                tools.alwaysTools.add(knowledge.tool());
            }
            SessionConfig config = tools.configure(sessionConfig(modelId, speaks, voiceName, instruction, service), ctx);
            if (knowledge != null) {
                config = knowledge.configure(config);
            }
            service.check(spec.commandLine(), config);
            KeyRedactor redactor = new KeyRedactor(key.key());
            ChatFailures failures = new ChatFailures(ctx, modelId, target, key, service, apiVersion);

            try (LiveClient client = LiveClient.create(c -> {
                     c.apiKey(key.key()).baseUrl(target).apiVersion(version).provider(service.provider());
                     recording.configure(ctx, c);
                     if (verbose) {
                         c.wireLog(line -> ctx.err().println(redactor.redact(line)));
                     }
                 });
                 AudioSink speaker = voiceMode ? openSpeaker() : null) {
                Conversation conversation = new Conversation(terminal.writer(),
                        speaks ? Conversation.Show.TRANSCRIPT : Conversation.Show.TEXT, verbose, speaker, audioFiles,
                        ctx, reader::printAbove, () -> terminal.raise(Terminal.Signal.INT), text -> dim(terminal, text));
                // Closed before the speaker and the client (habit 11): session, then playback, then the client.
                // session → answer collector → tool runner → tool display → conversation
                SessionListener listener = conversation.collector(
                        display -> tools.listener(display, conversation::toolNotice), tools::runningCalls);
                try (Link link = new Link(client, config, listener, session -> {
                    conversation.attach(session);
                    tools.attach(session);
                })) {
                    // Outside readLine (JLine handles Ctrl-C at the prompt itself): abort a connect being waited
                    // for, else stop the answer.
                    terminal.handle(Terminal.Signal.INT, signal -> {
                        if (!link.abortConnect()) {
                            conversation.stopAnswer();
                        }
                    });
                    try {
                        return chatLoop(reader, link, conversation, voiceMode, failures);
                    } finally {
                        conversation.leaving();
                        // A session that closed at the prompt woke it by interrupting this thread (JLine's INT at
                        // readLine); the flag can outlive the readLine it was for. Once leaving() has returned no
                        // wake-up is in flight (both hold the conversation's lock), so clearing it here is exact: the
                        // caller of the command (Main.run in-process, e.g. tests) is not handed a stray interrupt.
                        Thread.interrupted();
                    }
                }
            }
        }
    }

    private LiveEmulator awaitEmulator(CompletableFuture<LiveEmulator> start) {
        try {
            return start.join();
        } catch (CompletionException e) {
            throw new CliException(ExitCodes.INTERNAL, "cannot start the built-in emulator (" + e.getCause() + ")", e.getCause());
        }
    }

    /**
     * Main thread: the session, once the background connect is over; a failure to connect becomes the matching
     * CliException, Ctrl-C during the wait exit 130.
     */
    private ResilientSession awaitSession(Link link, Conversation conversation, ChatFailures f) throws InterruptedException {
        try {
            return link.awaitSession(SLOW_CONNECT, () -> conversation.notice(
                    "(connecting to " + f.where() + "…; Ctrl-C gives up)"));
        } catch (CancellationException e) {
            throw new CliException(ExitCodes.INTERRUPTED, "stopped while connecting to " + f.where()
                    + " (Ctrl-C); nothing was sent");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof LiveException le) {
                throw f.failure(le);
            }
            throw new CliException(ExitCodes.UNAVAILABLE, "cannot connect (" + cause + ")", cause);
        }
    }

    /** Main thread: prompt, send, wait for the answer; until exit, EOF, a double Ctrl-C or the session ends. */
    private int chatLoop(LineReader reader, Link link, Conversation conversation,
                         boolean voiceMode, ChatFailures failures) throws InterruptedException {
        boolean lastWasCtrlC = false;
        while (true) {
            LiveEvent.Closed closed = conversation.closed();
            if (closed != null) {
                return failures.ended(closed, conversation);
            }
            String line;
            try {
                line = reader.readLine("you> ");
                lastWasCtrlC = false;
            } catch (UserInterruptException e) {
                if (conversation.closed() != null) {
                    // Raised by the listener thread to end the prompt: reported at the top. An empty prompt left
                    // above that report (a connect that failed, e.g. an unknown model) is erased first.
                    erasePromptLine(reader.getTerminal(), e.getPartialLine());
                    continue;
                }
                if (lastWasCtrlC) {
                    return ExitCodes.OK;
                }
                lastWasCtrlC = true;   // JLine has already dropped the partial line
                reader.printAbove("(Ctrl-C again, Ctrl-D or 'exit' to quit)");
                continue;
            } catch (EndOfFileException e) {
                reader.getTerminal().writer().println();   // Ctrl-D leaves the cursor after the prompt
                reader.getTerminal().flush();
                return atEndOfInput(link, conversation, failures);
            }
            String text = line.strip();
            if (text.isEmpty()) {
                continue;
            }
            if (text.equalsIgnoreCase("exit") || text.equalsIgnoreCase("quit")) {
                if (link.connectFailed()) {
                    awaitSession(link, conversation, failures);   // reports why
                }
                return ExitCodes.OK;   // a connect still under way is abandoned: the user chose to leave
            }
            if (images.command(text, ctx, reader::printAbove)) {
                continue;
            }
            LiveSession session = awaitSession(link, conversation, failures);
            images.sendPending(session);
            dev.habla.knowledge.live.Knowledge.Sent[] sent = new dev.habla.knowledge.live.Knowledge.Sent[1];
            CompletableFuture<AnswerCollector.Answer> answer = knowledge == null ? conversation.ask(session, text)
                    : conversation.ask(() -> (sent[0] = knowledge.send(session, text)).sent());
            if (answer.isCompletedExceptionally()) {
                LiveEvent.Closed c = conversation.closed();
                if (c != null) {
                    return failures.ended(c, conversation);
                }
                throw new CliException(ExitCodes.SERVER_ERROR, "could not send the message ("
                        + answer.exceptionNow().getMessage() + ")");
            }
            switch (conversation.awaitAnswer(answer)) {
                case COMPLETED -> {
                    if (sent[0] != null) {
                        showKnowledge(sent[0], conversation);
                    }
                    if (voiceMode) {
                        conversation.awaitPlayback(PLAYBACK_WAIT);
                    }
                }
                case STOPPED, CLOSED -> { /* the prompt comes back at once; a close is reported at the top */ }
            }
        }
    }

    /** Main thread, after an answer with --knowledge: the decline sentence (nothing was asked), or the sources. */
    private void showKnowledge(dev.habla.knowledge.live.Knowledge.Sent sent, Conversation conversation) {
        if (sent.sent() == null) {
            conversation.localAnswer(sent.declined());
            return;
        }
        if (sent.verdict().outcome() == dev.habla.knowledge.Verdict.Outcome.ANSWER_WITH_WARNING) {
            conversation.notice("(outside " + knowledge.policy().description() + ": the documents may not cover this)");
        }
        if (!sent.sources().isEmpty()) {
            conversation.notice(KnowledgeArgs.sourcesLine(ctx, sent.sources()));
        }
    }

    /**
     * Main thread, Ctrl-D or the end of piped input: whatever is still under way decides the exit code. With
     * {@code habla chat </dev/null} the input ends before the connect does; a connect that fails (unknown model,
     * rejected key, ...) must still be reported with its code, not hidden behind exit 0.
     */
    private int atEndOfInput(Link link, Conversation conversation, ChatFailures f) throws InterruptedException {
        awaitSession(link, conversation, f);
        LiveEvent.Closed closed = conversation.closed();
        return closed != null && closed.error() != null ? f.ended(closed, conversation) : ExitCodes.OK;
    }

    /** Moves up to the line JLine left the interrupted prompt on and clears it, on a terminal that can. */
    private static void erasePromptLine(Terminal terminal, String partialLine) {
        String type = terminal.getType();
        if ((partialLine == null || partialLine.isEmpty()) && !Terminal.TYPE_DUMB.equals(type)
                && !Terminal.TYPE_DUMB_COLOR.equals(type)) {
            terminal.writer().print("\033[1A\r\033[2K");
            terminal.flush();
        }
    }

    /** A status line in the terminal's faint style; plain on a dumb terminal or a pipe. */
    static String dim(Terminal terminal, String text) {
        String type = terminal.getType();
        if (Terminal.TYPE_DUMB.equals(type) || Terminal.TYPE_DUMB_COLOR.equals(type)) {
            return text;
        }
        return new AttributedString(text, AttributedStyle.DEFAULT.faint()).toAnsi(terminal);
    }

    /**
     * The session's settings; on Gemini resumption is on (the resilient session needs it, and would turn it on
     * anyway); OpenAI has none (a new connection is re-seeded with the conversation).
     */
    private SessionConfig sessionConfig(String modelId, boolean speaks, String voiceName, String instruction,
            ProviderArgs service) {
        try {
            return SessionConfig.create(b -> {
                b.model(modelId).responseModality(speaks ? ResponseModality.AUDIO : ResponseModality.TEXT)
                        .resumption(!service.openai());
                if (speaks) {
                    b.outputTranscription(true);
                }
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

    private AudioFiles openAudioFiles() {
        Path dir = ctx.resolve(audioOut);
        try {
            return AudioFiles.open(dir, clear);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot use --audio-out " + audioOut + ": " + SessionArgs.why(e));
        }
    }

    private AudioSink openSpeaker() {
        if (noPlay) {
            return new NullSink(AudioFormat.PCM_24K_MONO);
        }
        try {
            // The default device, at 24 kHz mono if it plays that, else converted to what it plays.
            return ConvertingSink.to(AudioFormat.PCM_24K_MONO, DeviceSpeaker.open());
        } catch (AudioDeviceException e) {
            String why = e.getMessage().replaceFirst("^No audio output device: ", "");
            ctx.err().println("No audio device: answers are saved but not played (" + why + ")");
            return new NullSink(AudioFormat.PCM_24K_MONO);
        }
    }

    private Terminal openTerminal() throws IOException {
        if (ctx.console()) {
            // JNI first: measured in tmux it builds the terminal in about half the time (and CPU) of the FFM
            // provider, whose method-handle set-up dominates start-up; FFM and exec remain as fallbacks.
            return TerminalBuilder.builder().name("habla").system(true).providers("jni,ffm,exec").dumb(true).build();
        }
        // Not TerminalBuilder: with streams it may allocate a pty (which echoes the piped input back).
        return new DumbTerminal("habla", Terminal.TYPE_DUMB, ctx.in(), ctx.out(), StandardCharsets.UTF_8);
    }

    /** JLine's reader without a redraw per key of a paste ({@link TypeaheadLineReader}). */
    private LineReader lineReader(Terminal terminal) {
        Map<String, Object> variables = new java.util.HashMap<>();
        variables.put(LineReader.HISTORY_SIZE, 1000);
        Path history = historyFile();
        if (history != null) {
            variables.put(LineReader.HISTORY_FILE, history);
        }
        LineReader reader = new TypeaheadLineReader(terminal, "habla", variables);
        reader.option(LineReader.Option.DISABLE_EVENT_EXPANSION, true);
        reader.option(LineReader.Option.HISTORY_IGNORE_DUPS, true);
        reader.option(LineReader.Option.HISTORY_IGNORE_SPACE, true);
        return reader;
    }

    /** {@code ~/.habla_history} when it can be written, else null (history stays in memory). */
    private Path historyFile() {
        Path file = ctx.home().resolve(".habla_history");
        boolean writable = Files.exists(file) ? Files.isWritable(file) : Files.isDirectory(ctx.home()) && Files.isWritable(ctx.home());
        return writable ? file : null;
    }
}
