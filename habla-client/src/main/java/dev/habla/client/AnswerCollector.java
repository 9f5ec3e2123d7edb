package dev.habla.client;

import dev.habla.protocol.UsageMetadata;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Collects the model's answers of one session, one {@link Answer} per model turn: its text (TEXT modality) or the
 * transcript of its speech (AUDIO modality, with {@code outputTranscription} on), and its audio if asked to. Give it to
 * {@code connect} as the listener (it forwards every event to a downstream listener), then ask and wait:
 *
 * <pre>{@code
 * AnswerCollector answers = AnswerCollector.create(c -> c.downstream(myListener));
 * try (LiveSession session = client.connect(config, answers)) {
 *     Answer a = answers.ask(session, "What is 6 times 7?").get(30, TimeUnit.SECONDS);
 *     System.out.println(a.reply());
 *     answers.stop(session);          // e.g. on Ctrl-C: ends the answer being received, at once
 * }
 * }</pre>
 *
 * Works the same on a plain {@link LiveSession} and a {@link ResilientSession} (whose turns cut by a lost connection
 * end with a {@code TurnComplete} too).
 *
 * <h2>Which answer is whose</h2>
 * {@link #ask} reserves the next answer that begins after it (answers are matched to asks in order); an answer nobody
 * asked for (one already streaming at the time of the ask, or one after {@code sendText} called directly) goes to
 * {@link #next}. {@link #stop} ends the answer being received (or the one asked for and not begun) at once, as
 * {@link Answer.Ending#STOPPED}, calls {@link LiveSession#interrupt()}, and drops the rest of that answer up to its
 * {@code turnComplete}: neither the collector nor the downstream listener sees it (the server keeps streaming until it
 * notices the stop, or to the end on models without a stop message). An event the event thread is handing downstream
 * at the very moment of the stop may still arrive there; a downstream that prints should check its own "stopped"
 * state under its own lock, as {@code habla chat} does.
 *
 * <h2>Threads</h2>
 * {@link #onEvent} runs on the session's event thread; {@code ask}, {@code next} and {@code stop} on any thread.
 * {@link #lock} guards all state; the downstream listener is called outside it, and an answer is handed out (future
 * completed, {@code next} woken) only after the downstream listener has seen the answer's last event.
 */
public final class AnswerCollector implements SessionListener {

    /** One model turn's output. {@code audio} is empty unless {@link Builder#keepAudio} is on. */
    public record Answer(String text, String transcript, byte[] audio, int sampleRate, Ending ending,
                         UsageMetadata usage) {

        /** How an answer ended. */
        public enum Ending {
            /** Its {@code turnComplete} arrived. */
            COMPLETED,
            /** The server cut it ({@code interrupted}: barge-in, or a message sent while it streamed). */
            INTERRUPTED,
            /** {@link AnswerCollector#stop} ended it. */
            STOPPED,
            /** The session ended during it. */
            CLOSED
        }

        public Answer {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(transcript, "transcript");
            Objects.requireNonNull(audio, "audio");
            Objects.requireNonNull(ending, "ending");
        }

        /**
         * What the model said: its text when it answered in text (TEXT modality), else the transcript of its speech
         * (AUDIO modality; empty without {@code outputTranscription}). Thoughts are never part of it.
         */
        public String reply() {
            return text.isEmpty() ? transcript : text;
        }

        /** Length of the kept audio (zero when none was kept). */
        public Duration audioDuration() {
            return sampleRate <= 0 ? Duration.ZERO : Duration.ofNanos(audio.length / 2 * 1_000_000_000L / sampleRate);
        }

        @Override
        public String toString() {
            return "Answer[" + ending + ", reply=" + reply() + ", audio " + audio.length + " bytes]";
        }
    }

    /** Options; see {@link #create(Consumer)}. */
    public static final class Builder {
        private boolean keepAudio;
        private SessionListener downstream;
        private IntSupplier pendingTools = () -> 0;

        private Builder() {}

        /** Keep each answer's audio in {@link Answer#audio()} (default false: only counted, not kept). */
        public Builder keepAudio(boolean keep) {
            this.keepAudio = keep;
            return this;
        }

        /** Where every event goes on (in order, on the event thread), except the rest of a stopped answer. */
        public Builder downstream(SessionListener listener) {
            this.downstream = listener;
            return this;
        }

        /**
         * Tool calls still running (e.g. {@code toolRunner::pendingCalls}): a {@code turnComplete} while one runs does
         * not end the answer, which goes on with the tool's result (a resilient session closes a turn its connection
         * lost that way, and the result is delivered on the next connection).
         */
        public Builder pendingTools(IntSupplier running) {
            this.pendingTools = Objects.requireNonNull(running, "running");
            return this;
        }
    }

    private final boolean keepAudio;
    private final SessionListener downstream;
    private final IntSupplier pendingTools;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock: asks whose answer has not begun, oldest first. */
    private final ArrayDeque<CompletableFuture<Answer>> waiting = new ArrayDeque<>();
    /** Guarded by lock: finished answers nobody asked for, for {@link #next}. */
    private final ArrayDeque<Answer> unclaimed = new ArrayDeque<>();
    /** Guarded by lock: the answer being received, or null between answers. */
    private Turn current;
    /**
     * Guarded by lock: stopped answers whose {@code turnComplete} has not arrived; until it does, model output belongs
     * to the stopped answer and is dropped.
     */
    private int staleTurns;
    /** Guarded by lock: why the session ended (the error, or a CLOSED one for a clean end); null while open. */
    private LiveException closedWith;

    private AnswerCollector(Builder b) {
        this.keepAudio = b.keepAudio;
        this.downstream = b.downstream;
        this.pendingTools = b.pendingTools;
    }

    /** A collector with the defaults: no audio kept, no downstream listener. */
    public static AnswerCollector create() {
        return new AnswerCollector(new Builder());
    }

    /** A collector with options, e.g. {@code create(c -> c.keepAudio(true).downstream(listener))}. */
    public static AnswerCollector create(Consumer<Builder> spec) {
        Builder b = new Builder();
        spec.accept(b);
        return new AnswerCollector(b);
    }

    /**
     * Sends {@code text} as a user turn ({@link LiveSession#sendText}) and returns its answer. The future fails with
     * the session's {@link LiveException} if it ends before the answer begins, or at once if the text was not queued.
     */
    public CompletableFuture<Answer> ask(LiveSession session, String text) {
        return ask(() -> session.sendText(text));
    }

    /**
     * Like {@link #ask(LiveSession, String)}, with the user's turn sent by {@code send} (for a turn that is more than
     * its text: habla-knowledge-live sends retrieved passages with it, per model family). {@code send} runs on this
     * thread after the answer is registered; a {@code null} result means nothing was sent and no answer will come:
     * the future then completes at once with an empty {@link Answer.Ending#COMPLETED} answer.
     */
    public CompletableFuture<Answer> ask(java.util.function.Supplier<SendResult> send) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        lock.lock();
        try {
            if (closedWith != null) {
                return CompletableFuture.failedFuture(closedWith);
            }
            waiting.add(answer);   // before sending: the answer may begin before sendText returns
        } finally {
            lock.unlock();
        }
        SendResult sent = send.get();
        if (sent == null) {
            lock.lock();
            try {
                waiting.remove(answer);
            } finally {
                lock.unlock();
            }
            answer.complete(new Answer("", "", new byte[0], 0, Answer.Ending.COMPLETED, null));
            return answer;
        }
        if (sent != SendResult.QUEUED) {
            lock.lock();
            try {
                waiting.remove(answer);
            } finally {
                lock.unlock();
            }
            answer.completeExceptionally(new LiveException(sent == SendResult.CLOSED ? LiveException.Kind.CLOSED
                    : LiveException.Kind.RESOURCE_EXHAUSTED, "not queued: " + sent));
        }
        return answer;
    }

    /**
     * The next answer nobody {@linkplain #ask asked} for, waiting at most {@code timeout}.
     *
     * @throws TimeoutException if none finished in time
     * @throws LiveException    if the session ended and no such answer is left (its error, or kind CLOSED)
     */
    public Answer next(Duration timeout) throws InterruptedException, TimeoutException, LiveException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (unclaimed.isEmpty()) {
                if (closedWith != null) {
                    throw closedWith;
                }
                if (nanos <= 0) {
                    throw new TimeoutException("no answer within " + timeout);
                }
                nanos = changed.awaitNanos(nanos);
            }
            return unclaimed.poll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the answer being received, or the oldest one asked for that has not begun: it ends at once (its future
     * or {@link #next} gets it, as {@link Answer.Ending#STOPPED}, with what arrived so far), the server is asked to
     * stop ({@link LiveSession#interrupt()}), and the rest of it is dropped. Any thread.
     *
     * @return true if an answer was stopped; false if none was under way (nothing is sent then)
     */
    public boolean stop(LiveSession session) {
        CompletableFuture<Answer> owner;
        Answer stopped;
        lock.lock();
        try {
            if (closedWith != null) {
                return false;
            }
            if (current != null) {
                owner = current.owner;
                stopped = current.finish(Answer.Ending.STOPPED, null);
                current = null;
            } else if (!waiting.isEmpty()) {
                owner = waiting.poll();
                stopped = new Turn(null, keepAudio).finish(Answer.Ending.STOPPED, null);
            } else {
                return false;
            }
            staleTurns++;
            if (owner == null) {
                unclaimed.add(stopped);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (owner != null) {
            owner.complete(stopped);
        }
        session.interrupt();
        return true;
    }

    /** Whether an answer is being received or awaited (asked for, not yet finished). */
    public boolean answering() {
        lock.lock();
        try {
            return current != null || !waiting.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Session event thread. */
    @Override
    public void onEvent(LiveEvent event) {
        // Asked before taking the lock (a tool runner's lock is never taken inside ours).
        boolean toolRunning = event instanceof LiveEvent.TurnComplete && pendingTools.getAsInt() > 0;
        CompletableFuture<Answer> owner = null;
        Answer done = null;
        boolean forward;
        lock.lock();
        try {
            forward = staleTurns == 0 || !partOfAnswer(event);
            if (!forward) {
                if (event instanceof LiveEvent.TurnComplete) {
                    staleTurns--;   // the end of a stopped answer
                }
            } else {
                switch (event) {
                    case LiveEvent.TextDelta t -> {
                        if (!t.thought()) {
                            turn().text.append(t.text());
                        }
                    }
                    case LiveEvent.OutputTranscription t -> {
                        if (t.text() != null) {
                            turn().transcript.append(t.text());
                        }
                    }
                    case LiveEvent.AudioChunk a -> turn().audio(a);
                    case LiveEvent.Interrupted i -> {
                        if (current != null) {
                            current.interrupted = true;
                        }
                    }
                    case LiveEvent.TurnComplete t -> {
                        if (current == null && !waiting.isEmpty() && !toolRunning) {
                            turn();   // an answer with no output (e.g. only a tool call) still ends the ask
                        }
                        if (current != null && !toolRunning) {
                            owner = current.owner;
                            done = current.finish(current.interrupted ? Answer.Ending.INTERRUPTED
                                    : Answer.Ending.COMPLETED, t.usage());
                            current = null;
                        }
                    }
                    case LiveEvent.Closed c -> {
                        closedWith = c.error() != null ? c.error()
                                : new LiveException(LiveException.Kind.CLOSED, "the session ended (" + c.code()
                                        + (c.reason() == null || c.reason().isEmpty() ? "" : " " + c.reason()) + ")",
                                        c.code(), c.reason(), 0, null);
                        if (current != null) {
                            owner = current.owner;
                            done = current.finish(Answer.Ending.CLOSED, null);
                            current = null;
                        }
                    }
                    default -> { }
                }
            }
        } finally {
            lock.unlock();
        }
        if (forward && downstream != null) {
            downstream.onEvent(event);
        }
        // Handed out after the downstream listener saw the answer's last event (see the class doc).
        lock.lock();
        try {
            if (done != null && owner == null) {
                unclaimed.add(done);
            }
            if (event instanceof LiveEvent.Closed) {
                for (CompletableFuture<Answer> f : waiting) {
                    f.completeExceptionally(closedWith);
                }
                waiting.clear();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (owner != null) {
            owner.complete(done);
        }
    }

    /** Model output that belongs to an answer (dropped while a stopped answer's rest is streaming). */
    private static boolean partOfAnswer(LiveEvent event) {
        return switch (event) {
            case LiveEvent.TextDelta t -> true;
            case LiveEvent.OutputTranscription t -> true;
            case LiveEvent.AudioChunk a -> true;
            case LiveEvent.Interrupted i -> true;
            case LiveEvent.GenerationComplete g -> true;
            case LiveEvent.TurnComplete t -> true;
            case LiveEvent.ExecutableCode c -> true;
            case LiveEvent.CodeExecutionResult r -> true;
            case LiveEvent.Grounding g -> true;
            // Tool calls go on (a runner must answer them or the turn hangs), so do connection events and the end.
            default -> false;
        };
    }

    /** Under lock: the answer being received, begun now if none is (claimed by the oldest waiting ask). */
    private Turn turn() {
        if (current == null) {
            current = new Turn(waiting.poll(), keepAudio);
        }
        return current;
    }

    /** One answer being received. Guarded by the collector's lock. */
    private static final class Turn {
        final CompletableFuture<Answer> owner;
        final boolean keepAudio;
        final StringBuilder text = new StringBuilder();
        final StringBuilder transcript = new StringBuilder();
        final ByteArrayOutputStream audio = new ByteArrayOutputStream();
        int sampleRate;
        boolean interrupted;

        Turn(CompletableFuture<Answer> owner, boolean keepAudio) {
            this.owner = owner;
            this.keepAudio = keepAudio;
        }

        void audio(LiveEvent.AudioChunk a) {
            if (sampleRate == 0) {
                sampleRate = a.sampleRate();
            }
            if (keepAudio) {
                audio.writeBytes(a.pcm());
            }
        }

        Answer finish(Answer.Ending ending, UsageMetadata usage) {
            return new Answer(text.toString(), transcript.toString(), audio.toByteArray(), sampleRate, ending, usage);
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "AnswerCollector[" + (current != null ? "answering" : "idle") + ", " + waiting.size() + " asked, "
                    + unclaimed.size() + " unclaimed]";
        } finally {
            lock.unlock();
        }
    }
}
