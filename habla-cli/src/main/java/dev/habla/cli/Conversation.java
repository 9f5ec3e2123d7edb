package dev.habla.cli;

import dev.habla.audio.AudioSink;
import dev.habla.client.AnswerCollector;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat's view of one session: turns what the server streams into terminal output, speaker audio and WAV files,
 * and tells the main thread when an answer is over.
 *
 * <p>The session is a {@link dev.habla.client.ResilientSession}: it reports what happens to its connections as
 * {@link LiveEvent.ConnectionEvent}s, shown here as short status lines (dim on a real terminal): a lost connection and
 * its recovery, and stalls, always; the routine handover at the service's connection limit only with
 * {@code --verbose}.
 *
 * <p>Which answer is under way, stopping it, and waiting for it are the library's {@link AnswerCollector}: it sits
 * between the session and this class (so the rest of a stopped answer never reaches it), {@link #ask} sends a line
 * through it and {@link #awaitAnswer} waits for the answer it returns.
 *
 * <p>Threads: {@link #onEvent} runs on the session's event thread; {@link #ask} and {@link #awaitAnswer} on the
 * main (prompt) thread; {@link #stopAnswer} on JLine's signal thread (Ctrl-C).
 * {@link #lock} guards the display state and serialises all writes to the terminal, so an answer being streamed and a
 * Ctrl-C marker never interleave; it also guards its two helpers, {@link AnswerAudio} (speaker and WAV files) and
 * {@link ConnectionStatus} (the connection status lines). Lock order: this class's lock, then the collector's (never
 * the other way).
 */
final class Conversation implements SessionListener {

    private static final Logger log = LoggerFactory.getLogger(Conversation.class);

    /** How the answer of a turn ended, from the main thread's point of view. */
    enum Outcome {
        /** {@code turnComplete} arrived. */
        COMPLETED,
        /** The user pressed Ctrl-C; the rest of the answer is being discarded. */
        STOPPED,
        /** The session ended; see {@link #closed()}. */
        CLOSED
    }

    /** What to show of an answer: model text (TEXT modality) or the transcript of its speech (AUDIO modality). */
    enum Show { TEXT, TRANSCRIPT }

    private final PrintWriter out;
    private final Show show;
    private final boolean verbose;
    /** Guarded by lock: the answers' audio (speaker and WAV files; both absent in text mode). */
    private final AnswerAudio audio;
    private final CliContext ctx;
    /** Prints a notice line without breaking a prompt being edited. */
    private final Consumer<String> notice;
    /** Tracks the answers; it forwards the session's events here (set by {@link #collector}). */
    private AnswerCollector answers;
    /** Makes a pending readLine return (the session ended while the user sits at the prompt). */
    private final Runnable wakePrompt;
    /** Dims a status line on terminals that can. */
    private final UnaryOperator<String> dim;

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock: set once connect returned. */
    private LiveSession session;
    /**
     * Guarded by lock: a user turn was sent and its answer is still shown as under way (not complete, not stopped).
     * The rest of a stopped answer never arrives here: the collector drops it.
     */
    private boolean answering;
    /** Guarded by lock: the terminal event, once it arrived. */
    private LiveEvent.Closed closed;
    /** Guarded by lock: true when the last character printed ended a line. */
    private boolean atLineStart = true;
    /** Guarded by lock: the main thread is closing the session on purpose; its Closed event is expected. */
    private boolean leaving;
    /** Guarded by lock: the connection status lines and what they depend on. */
    private final ConnectionStatus connection;
    /** Guarded by lock: routine status lines (styled) held back while an answer is mid-line, shown when it ends. */
    private final List<String> deferred = new ArrayList<>();

    Conversation(PrintWriter out, Show show, boolean verbose, AudioSink speaker, AudioFiles audioFiles, CliContext ctx,
                 Consumer<String> notice, Runnable wakePrompt, UnaryOperator<String> dim) {
        this.out = out;
        this.show = show;
        this.verbose = verbose;
        this.audio = new AnswerAudio(speaker, audioFiles, ctx);
        this.connection = new ConnectionStatus(verbose, this::status);
        this.ctx = ctx;
        this.notice = notice;
        this.wakePrompt = wakePrompt;
        this.dim = dim;
    }

    /**
     * The listener to connect with: an {@link AnswerCollector} in front of {@code downstream} (which ends here), told
     * about running tool calls so an answer waiting for a tool's result is not over.
     */
    SessionListener collector(Function<SessionListener, SessionListener> downstream, IntSupplier toolsRunning) {
        answers = AnswerCollector.create(c -> c.downstream(downstream.apply(this)).pendingTools(toolsRunning));
        return answers;
    }

    void attach(LiveSession session) {
        lock.lock();
        try {
            this.session = session;
        } finally {
            lock.unlock();
        }
    }

    /** The terminal event, or null while the session is open. */
    LiveEvent.Closed closed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Attempts of the last reconnect (0 if the session never had to reconnect). */
    int reconnectAttempts() {
        lock.lock();
        try {
            return connection.reconnectAttempts();
        } finally {
            lock.unlock();
        }
    }

    /** Any thread: a status line for the user (see {@link #status}). */
    void notice(String text) {
        lock.lock();
        try {
            status(text);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The tool runner's thread: a tool's status line. It is routine: in the middle of an answer's line it waits for
     * the answer's end (the runner's thread races the model's answer to the tool's result; the line must not split
     * it). The leading line break that {@link ToolSupport} adds after unfinished model text is dropped: this class
     * keeps lines whole itself.
     */
    void toolNotice(String text) {
        lock.lock();
        try {
            line(text.startsWith("\n") ? text.substring(1) : text, true); // as the runner wrote it (not dimmed)
        } finally {
            lock.unlock();
        }
    }

    /** Main thread: a line shown in place of an answer the model was not asked for (--knowledge declined the question). */
    void localAnswer(String text) {
        lock.lock();
        try {
            answering = false;
            endLine();
            print(text + "\n");
        } finally {
            lock.unlock();
        }
    }

    /** Main thread: the chat is ending; the session's close is expected from now on. */
    void leaving() {
        lock.lock();
        try {
            leaving = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Main thread: sends a user turn; from now on output belongs to it. The future is its answer (failed with a
     * {@link LiveException} if the line was not sent or the session ended first).
     */
    CompletableFuture<AnswerCollector.Answer> ask(LiveSession session, String text) {
        return ask(() -> session.sendText(text));
    }

    /**
     * Main thread: like {@link #ask(LiveSession, String)}, the turn sent by {@code send} (with --knowledge: the
     * passages go with it); {@code send} returning null sent nothing (a question declined without the model).
     */
    CompletableFuture<AnswerCollector.Answer> ask(java.util.function.Supplier<dev.habla.client.SendResult> send) {
        lock.lock();
        try {
            answering = true;
        } finally {
            lock.unlock();
        }
        CompletableFuture<AnswerCollector.Answer> answer = answers.ask(send);
        if (answer.isCompletedExceptionally()) {
            lock.lock();
            try {
                answering = false;
            } finally {
                lock.unlock();
            }
        }
        return answer;
    }

    /**
     * Main thread: blocks until the answer completes, the user stops it, or the session closes. The collector hands
     * an answer out only after this class has shown its last event.
     */
    Outcome awaitAnswer(CompletableFuture<AnswerCollector.Answer> answer) throws InterruptedException {
        try {
            return switch (answer.get().ending()) {
                case COMPLETED, INTERRUPTED -> Outcome.COMPLETED;
                case STOPPED -> Outcome.STOPPED;
                case CLOSED -> Outcome.CLOSED;
            };
        } catch (ExecutionException e) {
            return Outcome.CLOSED;
        }
    }

    /**
     * Ctrl-C while not at the prompt: stops the answer being streamed (stops playback, prints a marker, asks the
     * server to stop) or, between answers, just silences the speaker.
     *
     * @return true if an answer was stopped
     */
    boolean stopAnswer() {
        lock.lock();
        try {
            audio.flushSpeaker();
            if (!answering || closed != null || session == null) {
                return false;
            }
            answering = false;
            audio.closeWav(true);
            endLine();
            print("[stopped]\n");
            printDeferred();
            // Under our lock (order: ours, then the collector's): nothing of this answer is shown after the marker.
            // The collector ends the answer (the main thread returns to the prompt), asks the server to stop
            // (LiveSession.interrupt) and drops the rest of it.
            return answers.stop(session);
        } finally {
            lock.unlock();
        }
    }

    /** Main thread, voice mode: waits (bounded) until the answer has been played, or Ctrl-C flushed it. */
    void awaitPlayback(Duration timeout) throws InterruptedException {
        audio.drainSpeaker(timeout);
    }

    @Override
    public void onEvent(LiveEvent event) {
        lock.lock();
        try {
            // The collector decided before forwarding the event: a turnComplete that leaves it answering came while
            // a tool still runs (the collector asked the runner), so the answer is not over.
            handle(event, event instanceof LiveEvent.TurnComplete && answers.answering());
            connection.after(event);
        } finally {
            lock.unlock();
        }
    }

    /** Session event thread, under lock. */
    private void handle(LiveEvent event, boolean toolRunning) {
        boolean live = answering;
        switch (event) {
            case LiveEvent.TextDelta t -> {
                if (live && show == Show.TEXT && (!t.thought() || verbose)) {
                    print(t.text());
                }
            }
            case LiveEvent.OutputTranscription t -> {
                if (live && show == Show.TRANSCRIPT && t.text() != null) {
                    print(t.text());
                }
            }
            case LiveEvent.AudioChunk a -> {
                if (live && audio.saving()) {
                    audio.write(a);
                }
            }
            case LiveEvent.Interrupted i -> {
                audio.flushSpeaker();
                if (live) {
                    endLine();
                    print("[interrupted by the server]\n");
                }
            }
            case LiveEvent.TurnComplete t -> {
                connection.turnComplete(t, live);
                if (answering && !toolRunning) {
                    finishTurn();
                }
                // With a tool still running, this is the turn the session closed because its connection was lost:
                // the tool's result goes to the model on the next connection, and the answer continues from it.
            }
            case LiveEvent.GoingAway g -> log.info("The server will end this connection in {}", g.timeLeft());
            case LiveEvent.HandoverStarted h -> connection.handoverStarted(h);
            case LiveEvent.HandoverCompleted h -> connection.handoverCompleted(h);
            case LiveEvent.Reconnecting r -> connection.reconnecting(r);
            case LiveEvent.Reconnected r -> connection.reconnected(r);
            case LiveEvent.Stalled s -> connection.stalled(s);
            case LiveEvent.Closed c -> {
                boolean atPrompt = !answering && !leaving;
                closed = c;
                audio.closeWav(true);
                if (atPrompt) {
                    wakePrompt.run();
                }
            }
            case LiveEvent.ToolCallRequested t -> log.warn("Ignoring a tool call; this chat declares no tools: {}", t);
            case LiveEvent.SetupCompleted s -> log.info("Session open (id {})", s.sessionId());
            case LiveEvent.InputTranscription t -> { }
            case LiveEvent.GenerationComplete g -> { }
            case LiveEvent.ToolCallCancelled t -> { }
            case LiveEvent.Usage u -> { }
            case LiveEvent.ExecutableCode c -> { }
            case LiveEvent.CodeExecutionResult r -> { }
            case LiveEvent.Grounding g -> { }
            case LiveEvent.ResumptionUpdate r -> { }
            case LiveEvent.VoiceActivity v -> { }
            case LiveEvent.WaitingForInput w -> { }
            case LiveEvent.Unrecognized u -> log.info("Unrecognized server fields: {}", u.fields());
            // The service refused something and keeps the session (OpenAI's in-band error): say so, go on.
            case LiveEvent.ServiceError e -> status("(the server reported an error: " + e.error().getMessage() + ")");
        }
    }

    /**
     * Under lock: a short status line, dimmed. In the middle of an answer it goes on its own line in the answer's
     * flow; otherwise above the prompt (JLine keeps a line being edited intact).
     */
    private void status(String text) {
        status(text, false);
    }

    /** @param canWait a routine notice: in the middle of an answer's line it waits for the answer's end */
    private void status(String text, boolean canWait) {
        line(dim.apply(text), canWait);
    }

    /** Under lock: {@link #status} for a line already styled. */
    private void line(String styled, boolean canWait) {
        if (canWait && answering && !atLineStart) {
            deferred.add(styled);
            return;
        }
        if (answering) {
            endLine();
            print(styled + "\n");
        } else {
            notice.accept(styled);
        }
    }

    /** Reader thread, under lock: the answer is over. */
    private void finishTurn() {
        AnswerAudio.Saved saved = audio.finish();
        answering = false;
        endLine();
        if (saved != null) {
            print(String.format(Locale.ROOT, "[saved %s, %.1f s]%n", ctx.display(saved.path()),
                    saved.length().toMillis() / 1000.0));
        }
        print("\n");
        printDeferred();
    }

    /** Under lock, after an answer ended (the prompt is not back yet): the held-back status lines. */
    private void printDeferred() {
        for (String styled : deferred) {
            print(styled + "\n");
        }
        deferred.clear();
    }

    private void endLine() {
        if (!atLineStart) {
            print("\n");
        }
    }

    private void print(String s) {
        if (s.isEmpty()) {
            return;
        }
        out.print(s);
        out.flush();
        atLineStart = s.charAt(s.length() - 1) == '\n';
    }

}
