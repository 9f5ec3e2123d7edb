package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveEvent.HandoverCause;
import dev.habla.client.LiveEvent.StallKind;
import dev.habla.client.LiveException;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.LiveSession;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.ResilientSession;
import dev.habla.client.SendResult;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.client.SessionMetrics;
import dev.habla.client.SessionState;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.Part;
import dev.habla.protocol.RealtimeInputConfig;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Strictness;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@link ResilientSession}: a chain of {@link RealLiveSession} connections that carry one
 * conversation, a control thread that owns every decision, and a send path that never blocks.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li><b>control</b> {@code habla-<id>-events} (virtual): takes {@link Signal}s in order (connection events,
 *       connect outcomes, timer ticks, API requests), runs the state machine and calls the user's listener. Every
 *       field marked "control thread" is touched only here. The listener therefore sees one thread, in order.</li>
 *   <li>connection reader threads ({@code habla-<n>-reader}): their listener ({@link Conn#onEvent}) only enqueues,
 *       after taking one of {@link #EVENT_PERMITS} permits that the control thread returns once it handled the event:
 *       a slow user listener stops the readers, whose bounded inbound buffers then push back on TCP.</li>
 *   <li>senders (any thread): {@code send…} takes {@link #sendLock} briefly and either hands the message to the
 *       current connection's outbound queue or buffers it; never blocks on I/O.</li>
 *   <li>timers ({@link Scheduler}): only enqueue a signal.</li>
 * </ul>
 *
 * <h2>Ordering of user input across connections</h2>
 * A switch first sets {@link #buffering} (under {@link #sendLock}), then closes the old connection gracefully: its
 * writer flushes what it accepted, then the close frame, and the server handles frames of one connection in order,
 * so once the old connection's {@code Closed} arrives the server has seen all of it. Only then is the buffer flushed
 * into the new connection, under the same lock, so later sends queue behind it. A connection that dies instead hands
 * back the frames it had not written ({@link RealLiveSession#unsentFrames()}); they go first.
 */
public final class RealResilientSession extends AbstractLiveSession implements ResilientSession {
    private static final Logger log = LoggerFactory.getLogger(RealResilientSession.class);
    private static final AtomicLong IDS = new AtomicLong();

    /** Connection events waiting for the control thread before the connections' readers are held back. */
    static final int EVENT_PERMITS = 256;
    /** Tool calls remembered for routing their responses; answered ones are forgotten first. */
    private static final int MAX_TRACKED_CALLS = 256;
    /** Failed standby connects in one handover before it falls back to close-then-reconnect. */
    private static final int MAX_STANDBY_FAILURES = 3;
    /** Added to the server's end-of-speech silence when deriving how long the user's audio must be quiet. */
    private static final long VAD_MARGIN_NANOS = 200_000_000L;
    private static final long CLOSE_SLACK_MILLIS = 1_000;
    /** Model text kept per turn for the transcript. */
    private static final int MAX_TURN_CHARS = 8_192;

    // ---- signals to the control thread ---------------------------------------------------------------------

    private sealed interface Signal permits ConnEvent, Connected, ConnectFailed, Task {}

    private record ConnEvent(Conn conn, LiveEvent event) implements Signal {}

    private record Connected(Conn conn, RealLiveSession session) implements Signal {}

    private record ConnectFailed(Conn conn, LiveException error) implements Signal {}

    private record Task(Runnable action) implements Signal {}

    /** What a connection is to the conversation. Control thread. */
    private enum Role {
        /** Being opened (first, standby or reconnect candidate). */
        CONNECTING,
        /** Open, set up, not carrying the conversation yet. */
        STANDBY,
        /** Carries the conversation. */
        PRIMARY,
        /** Being closed by a switch; its remaining events still reach the user. */
        RETIRING,
        /** Gone or abandoned; its events are ignored. */
        DEAD
    }

    /** One connection and the turn state observed on it. Fields are control-thread only unless noted. */
    private final class Conn implements SessionListener {
        final int seq;
        /** The handle it was opened with, or null for a fresh session. */
        final String handle;
        /** Seed it with the transcript before anything else (a fresh session replacing a lost one). */
        final boolean reseed;
        CompletableFuture<LiveSession> future;
        /** Set on the control thread when connected; read by senders under {@link #sendLock}. */
        volatile RealLiveSession session;
        Role role = Role.CONNECTING;
        /** Its counters were added to the session's; written by the control thread, read by any thread. */
        volatile boolean retired;
        /** Why we abandoned it ourselves (the stall watchdog), or null. */
        String killed;
        // Turn state.
        boolean inTurn;
        boolean generating;
        boolean sawGenerationComplete;
        boolean sawInterrupted;
        boolean replyTurn;
        long turnStartNanos;
        long userInputSeqAtTurnStart;
        long lastDataNanos;
        boolean stallReported;
        final StringBuilder modelText = new StringBuilder();
        final StringBuilder spokenText = new StringBuilder();
        final StringBuilder heardText = new StringBuilder();
        // Resumption.
        boolean resumable;
        String latestHandle;
        /** goAway that came before it carried the conversation. */
        Duration goAwayPending;
        /** Events of a standby, delivered once it carries the conversation. */
        final List<LiveEvent> held = new ArrayList<>();

        Conn(int seq, String handle, boolean reseed) {
            this.seq = seq;
            this.handle = handle;
            this.reseed = reseed;
        }

        /** The connection's reader thread: hand over, with back-pressure; nothing else. */
        @Override
        public void onEvent(LiveEvent event) {
            if (terminated) {
                return;
            }
            eventPermits.acquireUninterruptibly();
            if (terminated) {
                eventPermits.release();
                return;
            }
            signals.add(new ConnEvent(this, event));
        }

        @Override
        public String toString() {
            return "conn#" + seq + "(" + role + (session == null ? "" : ", " + session.id()) + ")";
        }
    }

    /** A call the model made, for routing its response. Guarded by {@link #sendLock}. */
    private static final class PendingCall {
        final FunctionCall call;
        final int connSeq;
        final long receivedNanos;
        boolean answered;

        PendingCall(FunctionCall call, int connSeq, long receivedNanos) {
            this.call = call;
            this.connSeq = connSeq;
            this.receivedNanos = receivedNanos;
        }
    }

    /**
     * A message waiting for the next connection, with its frames as encoded when it was sent (or as a dead connection
     * left them). {@code message} is null for media (only tool responses need it again, to be re-routed).
     */
    private record Buffered(ClientMessage message, List<String> frames, long size, OutboundQueue.Lane lane) {
        Buffered {
            frames = List.copyOf(frames);
        }

        static Buffered of(ClientMessage m, List<String> frames) {
            OutboundQueue.Lane lane = RealLiveSession.laneOf(m);
            long size = 0;
            for (String f : frames) {
                size += f.length();
            }
            return new Buffered(lane == OutboundQueue.Lane.MEDIA ? null : m, frames, size, lane);
        }

        /** Audio or video: evicted first when the buffer is over budget. */
        boolean media() {
            return lane == OutboundQueue.Lane.MEDIA;
        }
    }

    /** A handover in progress. Control thread. */
    private final class Handover {
        final HandoverCause cause;
        long deadlineNanos = Long.MAX_VALUE;
        boolean forced;
        int standbyFailures;
        Scheduler.Cancellable deadlineTimer;

        Handover(HandoverCause cause) {
            this.cause = cause;
        }
    }

    /** A switch: input is buffered and {@code old} is closing; {@code next} takes over once it is closed. */
    private final class Switch {
        final Handover handover;
        final Conn old;
        /** The standby to promote, or null to connect afterwards (break-before-make). */
        final Conn next;
        Scheduler.Cancellable drainTimer;

        Switch(Handover handover, Conn old, Conn next) {
            this.handover = handover;
            this.old = old;
            this.next = next;
        }
    }

    /** Connection attempts: the first connect, a reconnect after a loss, or the connect of a break-before-make handover. */
    private final class Reconnect {
        final boolean initial;
        final Handover forHandover;
        final LiveException cause;
        int attempts;
        boolean handleRefused;
        LiveException last;
        Conn candidate;
        Scheduler.Cancellable timer;

        Reconnect(boolean initial, Handover forHandover, LiveException cause) {
            this.initial = initial;
            this.forHandover = forHandover;
            this.cause = cause;
        }
    }

    // ---- configuration ---------------------------------------------------------------------------------------

    private final String id;
    private final ClientRuntime runtime;
    private final ClientConfig client;
    /** The user's config with resumption on, compression as the policy says, and no handle. */
    private final SessionConfig config;
    private final ResiliencePolicy policy;
    private final Scheduler scheduler;
    private final SessionListener listener;
    private final Runnable onTerminated;
    private final MicrometerSessionMetrics metrics;
    private final long quietNeededNanos;
    /**
     * The config turns the server's automatic activity detection off: the user's turns are delimited by
     * {@code activityStart}/{@code activityEnd}, so a boundary is "no activity open" (audio outside an activity is
     * ignored by the server, and a client that sends nothing between activities never shows a long quiet tail).
     */
    private final boolean manualActivity;

    // ---- cross-thread ----------------------------------------------------------------------------------------

    private final CompletableFuture<dev.habla.client.ResilientSession> opened = new CompletableFuture<>();
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final Semaphore eventPermits = new Semaphore(EVENT_PERMITS);
    private final CountDownLatch terminatedLatch = new CountDownLatch(1);
    private volatile Thread control;
    /** Set once by {@link #terminate} on the control thread; readers use it to stop enqueueing. */
    private volatile boolean terminated;
    private volatile Phase phase = Phase.CONNECTING;
    private volatile SessionState state = SessionState.CONNECTING;
    private volatile String latestHandle;
    private volatile boolean latestResumable;
    /** A handover waits for a boundary: senders nudge the control thread when the user's audio turns quiet. */
    private volatile boolean handoverPending;
    private volatile int connectionCount;
    private volatile int handoverCount;
    private volatile int reconnectCount;

    // ---- guarded by sendLock -------------------------------------------------------------------------------

    private final ReentrantLock sendLock = new ReentrantLock();
    /** Where input goes when not buffering. */
    private Conn primary;
    private boolean buffering = true;
    private final ArrayDeque<Buffered> buffer = new ArrayDeque<>();
    private long bufferBytes;
    private long bufferStartNanos;
    private long bufferDroppedMessages;
    private long bufferDroppedBytes;
    private long retiredDroppedMessages;
    private long retiredDroppedBytes;
    private boolean sendsClosed;
    private final Transcript transcript;
    private final AudioActivity audio;
    private final LinkedHashMap<String, PendingCall> calls = new LinkedHashMap<>();
    /** The user ended a turn and no reply turn has started yet. */
    private boolean awaitingReply;
    /** Scheduler time of the last audio chunk that carried speech (for {@link #spokenReplyWaitLocked}). */
    private long lastSpeechNanos;
    /** The text message that ended the user's last turn while it is unanswered: re-sent after a stall reconnect. */
    private ClientMessage unansweredTurn;
    /** Counts user input other than audio (text, content, activity start), for telling phantom interruptions. */
    private long userInputSeq;
    /** An {@code activityStart} was sent and its {@code activityEnd} not yet: never a boundary (the turn would split). */
    private boolean activityOpen;

    // ---- control thread ----------------------------------------------------------------------------------

    private final List<Conn> conns = new ArrayList<>();
    private int connSeq;
    private Conn standby;
    private Handover handover;
    private Switch switching;
    private Reconnect reconnect;
    private boolean firstSetupForwarded;
    private boolean closeRequested;
    private boolean replyPending;
    private long turnEndNanos;
    private boolean firstAudioPending;
    private boolean firstTextPending;
    private ClientMessage replayTurn;
    private LiveEvent.TurnComplete heldTurnComplete;
    private Conn heldFrom;
    private Scheduler.Cancellable holdTimer;
    private Scheduler.Cancellable replyTimer;
    private Scheduler.Cancellable stallTimer;
    private Scheduler.Cancellable proactiveTimer;
    private Scheduler.Cancellable closeTimer;
    /** Re-checks a waiting handover when the wait for the reply to the user's speech runs out. */
    private Scheduler.Cancellable spokenReplyTimer;

    RealResilientSession(ClientRuntime runtime, ClientConfig client, SessionConfig userConfig, SessionListener listener,
            ResiliencePolicy policy, Runnable onTerminated) {
        this.id = "r" + IDS.incrementAndGet();
        this.runtime = runtime;
        this.client = client;
        this.policy = policy;
        this.scheduler = policy.scheduler();
        this.listener = listener;
        this.onTerminated = onTerminated;
        this.metrics = new MicrometerSessionMetrics(policy.meterRegistry(), policy.metricTags());
        this.transcript = new Transcript(policy.transcriptMaxTurns(), policy.transcriptMaxChars());
        this.audio = new AudioActivity(policy.quietLevelDbfs());
        for (Content turn : userConfig.initialHistory()) {
            transcript.add(turn.role(), textOf(turn)); // so a re-seeded session starts from it too
        }
        this.latestHandle = userConfig.resumptionHandle();
        this.config = effectiveConfig(userConfig, policy);
        this.quietNeededNanos = quietNeeded(config, policy);
        RealtimeInputConfig ric = config.realtimeInputConfig();
        this.manualActivity = ric != null && ric.automaticActivityDetection() != null
                && Boolean.TRUE.equals(ric.automaticActivityDetection().disabled());
    }

    /**
     * Compression for every session, not only audio-answering ones: the 15-minute limit counts audio sent, whatever
     * the output modality (a text-answering session fed by a microphone hits it too), and a long text conversation
     * would otherwise end when it fills the context window.
     */
    private static SessionConfig effectiveConfig(SessionConfig c, ResiliencePolicy p) {
        boolean compress = p.compression() && c.contextWindowCompression() == null;
        return c.with(b -> {
            b.resumption(true).resumptionHandle(null);
            if (compress) {
                b.contextWindowCompression();
            }
        });
    }

    /** The policy's quiet time, or the server's end-of-speech silence plus a margin if the config sets a longer one. */
    private static long quietNeeded(SessionConfig c, ResiliencePolicy p) {
        long quiet = p.quietAudioBeforeHandover().toNanos();
        RealtimeInputConfig ric = c.realtimeInputConfig();
        if (quiet > 0 && ric != null && ric.automaticActivityDetection() != null
                && ric.automaticActivityDetection().silenceDurationMs() != null) {
            quiet = Math.max(quiet, ric.automaticActivityDetection().silenceDurationMs() * 1_000_000L + VAD_MARGIN_NANOS);
        }
        return quiet;
    }

    // ---- start and control loop --------------------------------------------------------------------------

    /** Starts the control thread and the first connection; the future completes when it is set up. */
    CompletableFuture<dev.habla.client.ResilientSession> start() {
        control = Thread.ofVirtual().name("habla-" + id + "-events").start(this::controlLoop);
        opened.whenComplete((s, e) -> {
            if (e instanceof java.util.concurrent.CancellationException) {
                signals.add(new Task(() -> onCloseRequested(true))); // the caller gave up on the connect
            }
        });
        signals.add(new Task(() -> {
            sendLock.lock();
            try {
                bufferStartNanos = scheduler.nanoTime();
            } finally {
                sendLock.unlock();
            }
            reconnect = new Reconnect(true, null, null);
            nextAttempt(false);
        }));
        return opened;
    }

    CompletableFuture<dev.habla.client.ResilientSession> opened() {
        return opened;
    }

    /** Ends the session with {@code error} (client closed…). Any thread. */
    void fail(LiveException error) {
        if (control == null) {
            start();
        }
        signals.add(new Task(() -> terminate(CloseCodes.ABNORMAL, error.getMessage(), error)));
    }

    private void controlLoop() {
        while (!terminated) {
            Signal s;
            try {
                s = signals.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose
            }
            try {
                switch (s) {
                    case ConnEvent ce -> onConnEvent(ce.conn(), ce.event());
                    case Connected c -> onConnected(c.conn(), c.session());
                    case ConnectFailed f -> onConnectFailed(f.conn(), f.error());
                    case Task t -> t.action().run();
                }
            } catch (RuntimeException e) {
                log.error("resilient session {}: internal error; failing the session", id, e);
                terminate(CloseCodes.INTERNAL, "internal error: " + e,
                        new LiveException(Kind.INTERNAL, "resilient session failed internally: " + e, e));
            } finally {
                if (s instanceof ConnEvent) {
                    eventPermits.release();
                }
            }
        }
    }

    /** Runs {@code action} on the control thread after {@code delay}. */
    private Scheduler.Cancellable later(Duration delay, Runnable action) {
        return scheduler.schedule(delay, () -> {
            if (!terminated) {
                signals.add(new Task(action));
            }
        });
    }

    private static void cancel(Scheduler.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }

    private long now() {
        return scheduler.nanoTime();
    }

    // ---- connections -------------------------------------------------------------------------------------

    /** Control thread: opens a connection; its outcome comes back as {@link Connected} or {@link ConnectFailed}. */
    private Conn openConn(String handle, boolean reseed) {
        Conn c = new Conn(++connSeq, handle, reseed);
        conns.add(c);
        SessionConfig cfg = handle != null ? config.withResumptionHandle(handle)
                : reseed ? config.with(b -> b.initialHistory(seedTurns()))
                : config;
        log.debug("resilient session {}: opening {} ({})", id, c, handle == null ? (reseed ? "fresh, re-seeded" : "fresh") : "resuming");
        c.future = runtime.connect(cfg, c, true);
        c.future.whenComplete((s, e) -> {
            if (e == null) {
                signals.add(new Connected(c, (RealLiveSession) s));
            } else {
                signals.add(new ConnectFailed(c, toLive(e)));
            }
        });
        return c;
    }

    /**
     * Control thread: what a fresh session replacing a refused one starts from: the transcript (user and model text
     * turns), without the last user turn if it is about to be replayed (don't say it twice). Sent by the new
     * connection as its {@link SessionConfig#initialHistory()}, before anything else, in the form its model wants
     * ({@code historyConfig} + {@code clientContent} up to {@code turnComplete:true} on Gemini 3 Live, which refuses
     * {@code clientContent} later; {@code clientContent} with {@code turnComplete:false} elsewhere).
     */
    private List<Content> seedTurns() {
        sendLock.lock();
        try {
            List<Content> seed = transcript.turns();
            if (replayTurn != null && !seed.isEmpty() && "user".equals(seed.getLast().role())) {
                seed = seed.subList(0, seed.size() - 1);
            }
            log.debug("resilient session {}: re-seeding with {} turns", id, seed.size());
            return seed;
        } finally {
            sendLock.unlock();
        }
    }

    private static LiveException toLive(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof LiveException le ? le : new LiveException(Kind.UNAVAILABLE, "connect failed: " + t, t);
    }

    /** Control thread: drops a connection we no longer want. */
    private void discard(Conn c) {
        if (c == null || c.role == Role.DEAD) {
            return;
        }
        c.role = Role.DEAD;
        conns.remove(c);
        retire(c);
        if (c.session != null) {
            c.session.abort();
        } else if (c.future != null) {
            c.future.cancel(false);
        }
    }

    /** Control thread, once per connection: its send counters join the session's. */
    private void retire(Conn c) {
        if (c.retired || c.session == null) {
            c.retired = true;
            return;
        }
        c.retired = true;
        sendLock.lock();
        try {
            retiredDroppedMessages += c.session.droppedMessages();
            retiredDroppedBytes += c.session.droppedBytes();
        } finally {
            sendLock.unlock();
        }
    }

    /** Closes gracefully without blocking the control thread: the old connection flushes, then closes. */
    private void closeGracefully(Conn c) {
        RealLiveSession s = c.session;
        if (s != null) {
            Thread.ofVirtual().name("habla-" + id + "-close-" + c.seq).start(s::close);
        }
    }

    private void onConnected(Conn c, RealLiveSession s) {
        c.session = s;
        if (terminated || closeRequested || c.role == Role.DEAD) {
            c.role = Role.DEAD;
            conns.remove(c);
            retire(c);
            s.abort();
            return;
        }
        Reconnect r = reconnect;
        if (r != null && r.candidate == c) {
            reconnected(r, c);
            return;
        }
        if (standby == c) {
            c.role = Role.STANDBY;
            log.debug("resilient session {}: standby {} ready", id, c);
            progressHandover();
            return;
        }
        c.role = Role.DEAD;
        conns.remove(c);
        retire(c);
        s.abort();
    }

    private void onConnectFailed(Conn c, LiveException e) {
        boolean wasWanted = c.role != Role.DEAD;
        c.role = Role.DEAD;
        c.retired = true;
        conns.remove(c);
        if (terminated || !wasWanted) {
            return;
        }
        boolean refused = c.handle != null && e.kind() == Kind.INVALID_ARGUMENT;
        Reconnect r = reconnect;
        if (r != null && r.candidate == c) {
            r.candidate = null;
            r.last = e;
            log.debug("resilient session {}: attempt {} failed: {}", id, r.attempts, e.toString());
            if (refused) {
                metrics.anomaly("resumption_refused");
                latestHandle = null;
                if (r.initial || !policy.reseedOnRefusedResumption()) {
                    giveUp(r, e);
                    return;
                }
                r.handleRefused = true;
                nextAttempt(true);
            } else if (e.kind().retryable()) {
                nextAttempt(false);
            } else {
                giveUp(r, e);
            }
            return;
        }
        if (standby == c) {
            standby = null;
            Handover h = handover;
            if (h != null) {
                h.standbyFailures++;
                if (refused) {
                    metrics.anomaly("resumption_refused");
                    h.standbyFailures = MAX_STANDBY_FAILURES; // resuming will not work: close, then reconnect (re-seeded)
                }
                log.debug("resilient session {}: standby failed ({}): {}", id, h.standbyFailures, e.toString());
                progressHandover();
            }
        }
    }

    // ---- events ------------------------------------------------------------------------------------------

    private void onConnEvent(Conn c, LiveEvent e) {
        if (terminated) {
            return;
        }
        if (e instanceof LiveEvent.Closed closed) {
            onConnClosed(c, closed);
            return;
        }
        switch (c.role) {
            case DEAD -> { }
            case CONNECTING, STANDBY -> {
                switch (e) {
                    case LiveEvent.SetupCompleted s -> { }
                    case LiveEvent.ResumptionUpdate u -> trackHandle(c, u);
                    case LiveEvent.GoingAway g -> c.goAwayPending = g.timeLeft();
                    default -> c.held.add(e);
                }
            }
            case PRIMARY, RETIRING -> onCarrierEvent(c, e);
        }
    }

    private void trackHandle(Conn c, LiveEvent.ResumptionUpdate u) {
        c.resumable = u.resumable();
        if (u.resumable() && u.handle() != null) {
            c.latestHandle = u.handle();
        }
        if (c.role == Role.PRIMARY) {
            latestResumable = c.resumable;
            if (c.latestHandle != null) {
                latestHandle = c.latestHandle;
            }
        }
    }

    /** An event of the connection carrying the conversation (or of the one being retired). */
    private void onCarrierEvent(Conn c, LiveEvent e) {
        long now = now();
        if (heldTurnComplete != null && heldFrom == c) {
            if (isModelContent(e) || e instanceof LiveEvent.GenerationComplete || e instanceof LiveEvent.Interrupted
                    || e instanceof LiveEvent.TurnComplete) {
                // The model kept going: the held turnComplete was premature. Drop it; the turn continues.
                heldTurnComplete = null;
                heldFrom = null;
                cancel(holdTimer);
                metrics.anomaly("premature_turn_complete");
                log.debug("resilient session {}: dropped a premature turnComplete on {}", id, c);
            } else if (e instanceof LiveEvent.ResumptionUpdate u && u.resumable()) {
                releaseHeld();
            }
        }
        switch (e) {
            case LiveEvent.SetupCompleted s -> {
                if (!firstSetupForwarded) {
                    firstSetupForwarded = true;
                    emit(s);
                }
                return;
            }
            case LiveEvent.GoingAway g -> {
                if (c.role == Role.PRIMARY) {
                    startHandover(HandoverCause.GO_AWAY, g.timeLeft());
                }
                return;
            }
            case LiveEvent.ResumptionUpdate u -> {
                trackHandle(c, u);
                progressHandover();
                return;
            }
            case LiveEvent.TextDelta t -> {
                modelOutput(c, now, false);
                if (!t.thought()) {
                    append(c.modelText, t.text());
                    if (firstTextPending && c.replyTurn) {
                        firstTextPending = false;
                        metrics.firstText(Duration.ofNanos(now - turnEndNanos));
                    }
                }
            }
            case LiveEvent.AudioChunk a -> {
                modelOutput(c, now, false);
                if (firstAudioPending && c.replyTurn) {
                    firstAudioPending = false;
                    metrics.firstAudio(Duration.ofNanos(now - turnEndNanos));
                }
            }
            case LiveEvent.OutputTranscription t -> {
                modelOutput(c, now, false);
                append(c.spokenText, t.text());
            }
            case LiveEvent.ExecutableCode x -> modelOutput(c, now, false);
            case LiveEvent.CodeExecutionResult x -> modelOutput(c, now, false);
            case LiveEvent.Grounding x -> modelOutput(c, now, false);
            case LiveEvent.ToolCallRequested r -> {
                modelOutput(c, now, true);
                sendLock.lock();
                try {
                    for (FunctionCall fc : r.calls()) {
                        if (fc.id() != null) {
                            calls.put(fc.id(), new PendingCall(fc, c.seq, now));
                        }
                    }
                    pruneCalls();
                } finally {
                    sendLock.unlock();
                }
            }
            case LiveEvent.ToolCallCancelled x -> {
                sendLock.lock();
                try {
                    for (String callId : x.ids()) {
                        calls.remove(callId);
                    }
                } finally {
                    sendLock.unlock();
                }
            }
            case LiveEvent.Interrupted i -> {
                c.generating = false;
                c.sawInterrupted = true;
                boolean phantom;
                sendLock.lock();
                try {
                    phantom = !c.inTurn || (userInputSeq == c.userInputSeqAtTurnStart && !audio.speechSinceMark());
                } finally {
                    sendLock.unlock();
                }
                if (phantom) {
                    metrics.anomaly("phantom_interrupted");
                    log.debug("resilient session {}: interrupted without user input on {}", id, c);
                }
            }
            case LiveEvent.GenerationComplete g -> {
                c.generating = false;
                c.sawGenerationComplete = true;
            }
            case LiveEvent.TurnComplete t -> {
                metrics.usage(t.usage());
                if (shouldHold(c)) {
                    heldTurnComplete = t;
                    heldFrom = c;
                    LiveEvent.TurnComplete held = t;
                    holdTimer = later(policy.prematureTurnCompleteHold(), () -> {
                        if (heldTurnComplete == held) {
                            releaseHeld();
                        }
                    });
                    return;
                }
                if (!c.inTurn && replyPending) {
                    // A turn with no content at all answered the user's turn (a silent turn).
                    replyAnswered(c);
                }
                endTurn(c);
                emit(t);
                progressHandover();
                return;
            }
            case LiveEvent.Usage u -> metrics.usage(u.usage());
            case LiveEvent.InputTranscription t -> {
                append(c.heardText, t.text());
                if (t.finished()) {
                    commitHeard(c);
                }
            }
            case LiveEvent.VoiceActivity v -> {
                if (v.type() == ServerMessage.VoiceActivityType.ACTIVITY_END) {
                    onUserTurnEnded(now);
                }
            }
            default -> { }
        }
        emit(e);
    }

    private static boolean isModelContent(LiveEvent e) {
        return e instanceof LiveEvent.TextDelta || e instanceof LiveEvent.AudioChunk || e instanceof LiveEvent.OutputTranscription
                || e instanceof LiveEvent.ToolCallRequested || e instanceof LiveEvent.ExecutableCode
                || e instanceof LiveEvent.CodeExecutionResult || e instanceof LiveEvent.Grounding;
    }

    private static void append(StringBuilder b, String text) {
        if (text != null && b.length() < MAX_TURN_CHARS) {
            b.append(text, 0, Math.min(text.length(), MAX_TURN_CHARS - b.length()));
        }
    }

    /** The model produced something on {@code c}: turn bookkeeping, the reply watchdog and the stall watchdog. */
    private void modelOutput(Conn c, long now, boolean toolCall) {
        if (!c.inTurn) {
            c.inTurn = true;
            c.turnStartNanos = now;
            c.sawGenerationComplete = false;
            c.sawInterrupted = false;
            c.replyTurn = false;
            commitHeard(c);
            sendLock.lock();
            try {
                c.userInputSeqAtTurnStart = userInputSeq;
                audio.mark();
            } finally {
                sendLock.unlock();
            }
            if (replyPending) {
                replyAnswered(c);
            }
        }
        c.generating = !toolCall;
        c.lastDataNanos = now;
        c.stallReported = false;
        if (c.generating) {
            armStallCheck();
        }
    }

    /** The turn that started on {@code c} answers the user's pending turn. */
    private void replyAnswered(Conn c) {
        replyPending = false;
        c.replyTurn = true;
        cancel(replyTimer);
        replyTimer = null;
        sendLock.lock();
        try {
            awaitingReply = false;
            unansweredTurn = null;
        } finally {
            sendLock.unlock();
        }
    }

    private void endTurn(Conn c) {
        c.inTurn = false;
        c.generating = false;
        c.replyTurn = false;
        String said = !c.modelText.isEmpty() ? c.modelText.toString() : c.spokenText.toString();
        c.modelText.setLength(0);
        c.spokenText.setLength(0);
        firstAudioPending = false;
        firstTextPending = false;
        if (!said.isBlank()) {
            sendLock.lock();
            try {
                transcript.add("model", said);
            } finally {
                sendLock.unlock();
            }
        }
    }

    /** The user's transcribed speech becomes a user turn of the transcript. */
    private void commitHeard(Conn c) {
        if (c.heardText.isEmpty()) {
            return;
        }
        String heard = c.heardText.toString();
        c.heardText.setLength(0);
        sendLock.lock();
        try {
            transcript.add("user", heard);
        } finally {
            sendLock.unlock();
        }
    }

    private boolean shouldHold(Conn c) {
        return !policy.prematureTurnCompleteHold().isZero() && c.inTurn && !c.sawGenerationComplete && !c.sawInterrupted
                && c.role == Role.PRIMARY;
    }

    /** A held turnComplete was real after all: deliver it. */
    private void releaseHeld() {
        LiveEvent.TurnComplete t = heldTurnComplete;
        Conn c = heldFrom;
        heldTurnComplete = null;
        heldFrom = null;
        cancel(holdTimer);
        if (t == null) {
            return;
        }
        endTurn(c);
        emit(t);
        progressHandover();
    }

    /** A connection ended while the model was mid-turn: close the turn for the listener. */
    private void closeTurnIfOpen(Conn c) {
        if (heldTurnComplete != null && heldFrom == c) {
            releaseHeld();
            return;
        }
        if (c.inTurn) {
            endTurn(c);
            emit(new LiveEvent.TurnComplete(null, null));
        }
    }

    // ---- watchdog ----------------------------------------------------------------------------------------

    /** Control thread (via a signal from the sender, so it precedes any reply): the user's turn ended. */
    private void onUserTurnEnded(long at) {
        replyPending = true;
        turnEndNanos = at;
        firstAudioPending = true;
        firstTextPending = true;
        cancel(replyTimer);
        replyTimer = null;
        if (policy.replyTimeout() != null) {
            replyTimer = later(policy.replyTimeout(), this::replyCheck);
        }
    }

    private void replyCheck() {
        replyTimer = null;
        if (!replyPending) {
            return;
        }
        long waited = now() - turnEndNanos;
        long limit = policy.replyTimeout().toNanos();
        if (waited < limit) {
            replyTimer = later(Duration.ofNanos(limit - waited), this::replyCheck);
            return;
        }
        replyPending = false;
        firstAudioPending = false;
        firstTextPending = false;
        sendLock.lock();
        try {
            awaitingReply = false;
        } finally {
            sendLock.unlock();
        }
        stalled(StallKind.NO_REPLY, Duration.ofNanos(waited));
    }

    private void armStallCheck() {
        if (policy.midTurnStallTimeout() == null || stallTimer != null) {
            return;
        }
        stallTimer = later(policy.midTurnStallTimeout(), this::stallCheck);
    }

    private void stallCheck() {
        stallTimer = null;
        Conn c = carrier();
        if (c == null || !c.generating || c.stallReported) {
            return;
        }
        long idle = now() - c.lastDataNanos;
        long limit = policy.midTurnStallTimeout().toNanos();
        if (idle < limit) {
            stallTimer = later(Duration.ofNanos(limit - idle), this::stallCheck);
            return;
        }
        c.stallReported = true;
        stalled(StallKind.MID_TURN, Duration.ofNanos(idle));
    }

    /** The connection whose model turns the watchdog follows: the primary, or the one being retired. */
    private Conn carrier() {
        Switch sw = switching;
        if (sw != null && sw.old.role == Role.RETIRING) {
            return sw.old;
        }
        Conn p = currentPrimary();
        return p != null && p.role == Role.PRIMARY ? p : null;
    }

    private Conn currentPrimary() {
        sendLock.lock();
        try {
            return primary;
        } finally {
            sendLock.unlock();
        }
    }

    private void stalled(StallKind kind, Duration d) {
        metrics.stall(kind, d);
        log.debug("resilient session {}: stalled {} for {} ms", id, kind, d.toMillis());
        emit(new LiveEvent.Stalled(kind, d));
        if (terminated || !policy.reconnectOnStall() || closeRequested || switching != null || reconnect != null) {
            return;
        }
        Conn c = currentPrimary();
        if (c == null || c.role != Role.PRIMARY || c.session == null) {
            return;
        }
        if (kind == StallKind.NO_REPLY) {
            sendLock.lock();
            try {
                replayTurn = unansweredTurn;
                unansweredTurn = null;
            } finally {
                sendLock.unlock();
            }
        }
        c.killed = "stalled (" + kind.name().toLowerCase(java.util.Locale.ROOT) + ", " + d.toMillis() + " ms)";
        c.session.abort(); // its Closed comes back as a loss with cause "stall"
    }

    // ---- handover ----------------------------------------------------------------------------------------

    private void startHandover(HandoverCause cause, Duration timeLeft) {
        if (terminated || closeRequested || reconnect != null || currentPrimary() == null) {
            return;
        }
        Handover h = handover;
        if (h != null) {
            if (timeLeft != null) {
                setDeadline(h, timeLeft);
            }
            return;
        }
        h = new Handover(cause);
        handover = h;
        handoverPending = true;
        phase = Phase.HANDING_OVER;
        cancel(proactiveTimer);
        log.debug("resilient session {}: handover ({}, timeLeft {})", id, cause, timeLeft);
        if (timeLeft != null) {
            setDeadline(h, timeLeft); // before the event: whoever reacts to it must find the timer armed
        }
        emit(new LiveEvent.HandoverStarted(cause, timeLeft));
        progressHandover();
    }

    private void setDeadline(Handover h, Duration timeLeft) {
        long at = Math.max(0, timeLeft.toNanos() - policy.handoverDeadlineMargin().toNanos());
        long deadline = now() + at;
        if (deadline >= h.deadlineNanos) {
            return;
        }
        h.deadlineNanos = deadline;
        cancel(h.deadlineTimer);
        h.deadlineTimer = later(Duration.ofNanos(at), () -> {
            if (handover == h && !h.forced) {
                h.forced = true;
                log.debug("resilient session {}: handover deadline reached; switching regardless of the turn", id);
                progressHandover();
            }
        });
    }

    /** Control thread: the next step of a pending handover, if its conditions hold now. Idempotent. */
    private void progressHandover() {
        Handover h = handover;
        if (h == null || switching != null || reconnect != null || terminated || closeRequested) {
            return;
        }
        Conn p = currentPrimary();
        if (p == null || p.role != Role.PRIMARY) {
            return;
        }
        boolean boundary = h.forced || atBoundary(p);
        if (!boundary) {
            armSpokenReplyRecheck();
        }
        if (!policy.makeBeforeBreak() || h.standbyFailures >= MAX_STANDBY_FAILURES || latestHandle == null) {
            if (boundary) {
                beginSwitch(h, p, null);
            }
            return;
        }
        Conn s = standby;
        if (s == null) {
            if (boundary) {
                standby = openConn(latestHandle, false);
            }
            return;
        }
        if (s.role != Role.STANDBY) {
            return; // still connecting
        }
        if (!Objects.equals(s.handle, latestHandle)) {
            // The conversation moved on since the standby was opened: its state would lack the newest turns.
            if (boundary) {
                log.debug("resilient session {}: standby {} is stale; reopening with the latest handle", id, s);
                discard(s);
                standby = openConn(latestHandle, false);
            }
            return;
        }
        if (boundary) {
            beginSwitch(h, p, s);
        }
    }

    /**
     * Between turns: no model turn open (or held), the server says resumable, no tool call of this connection
     * unanswered, no user turn awaiting its reply, and the user's audio quiet long enough.
     */
    private boolean atBoundary(Conn p) {
        if (p.inTurn || heldTurnComplete != null || !p.resumable) {
            return false;
        }
        sendLock.lock();
        try {
            return inputAtBoundaryLocked(p);
        } finally {
            sendLock.unlock();
        }
    }

    /** Caller holds sendLock. */
    private boolean inputAtBoundaryLocked(Conn p) {
        if (awaitingReply || activityOpen
                || (!manualActivity && (audio.quietNanos() < quietNeededNanos || spokenReplyWaitLocked(now()) > 0))) {
            return false;
        }
        for (PendingCall pc : calls.values()) {
            if (pc.connSeq == p.seq && !pc.answered) {
                return false;
            }
        }
        return true;
    }

    /**
     * Caller holds sendLock. How much longer (ns) a switch should wait for the reply to the user's speech, 0 if it
     * need not. With server-side VAD nothing marks the end of a spoken turn on the client: once the user spoke and went
     * quiet, the server ends the turn by itself and answers it on the connection that received the speech, so closing
     * that connection before the reply starts would lose the reply (the server saw the turn; the next connection will
     * not answer it again). The wait ends when a model turn starts ({@link AudioActivity#mark}) or after the reply
     * timeout (the server may have heard noise, not a turn), counted from the last chunk with speech. Not with manual
     * activity detection: there {@code activityEnd} ends the turn ({@code awaitingReply}) and other audio is ignored.
     */
    private long spokenReplyWaitLocked(long now) {
        if (manualActivity || quietNeededNanos == 0 || !audio.speechSinceMark()) {
            return 0;
        }
        Duration limit = policy.replyTimeout() != null ? policy.replyTimeout() : ResiliencePolicy.DEFAULT_REPLY_TIMEOUT;
        return Math.max(0, limit.toNanos() - (now - lastSpeechNanos));
    }

    /** Control thread: a handover held back by {@link #spokenReplyWaitLocked} is re-checked when that wait ends. */
    private void armSpokenReplyRecheck() {
        if (spokenReplyTimer != null) {
            return;
        }
        long left;
        sendLock.lock();
        try {
            left = spokenReplyWaitLocked(now());
        } finally {
            sendLock.unlock();
        }
        if (left > 0) {
            spokenReplyTimer = later(Duration.ofNanos(left), () -> {
                spokenReplyTimer = null;
                progressHandover();
            });
        }
    }

    /** Stops input to {@code old} (buffering it), closes {@code old} gracefully; {@link #finishSwitch} continues. */
    private void beginSwitch(Handover h, Conn old, Conn next) {
        sendLock.lock();
        try {
            if (!h.forced && !inputAtBoundaryLocked(old)) {
                return; // the user moved on between the check and now; try again at the next boundary
            }
            startBufferingLocked(now());
        } finally {
            sendLock.unlock();
        }
        old.role = Role.RETIRING;
        Switch sw = new Switch(h, old, next);
        switching = sw;
        log.debug("resilient session {}: switching {} -> {}", id, old, next == null ? "(new connection after close)" : next);
        closeGracefully(old);
        sw.drainTimer = later(policy.drainTimeout(), () -> {
            if (switching == sw && sw.old.session != null) {
                log.debug("resilient session {}: {} did not close within {} ms; aborting it", id, sw.old,
                        policy.drainTimeout().toMillis());
                sw.old.session.abort();
            }
        });
    }

    /** The old connection of a switch is closed: everything it accepted reached the server. */
    private void finishSwitch(Switch sw) {
        switching = null;
        cancel(sw.drainTimer);
        Handover h = sw.handover;
        if (closeRequested) {
            return;
        }
        Conn next = sw.next;
        if (next == null || next.role != Role.STANDBY) {
            // Break-before-make (by policy, or the standby failed): connect now, resuming (or re-seeding).
            if (next != null) {
                discard(next);
            }
            standby = null;
            Reconnect r = new Reconnect(false, h, null);
            reconnect = r;
            nextAttempt(false);
            return;
        }
        standby = null;
        completeHandover(h, next);
    }

    private void completeHandover(Handover h, Conn next) {
        Duration gap = promote(next);
        endHandover(h);
        handoverCount++;
        metrics.handover(h.cause, gap);
        log.debug("resilient session {}: handover to {} done, gap {} ms", id, next, gap.toMillis());
        armProactive(next);
        emit(new LiveEvent.HandoverCompleted(gap, connectionCount));
        afterPromotion(next);
    }

    private void endHandover(Handover h) {
        if (h != null) {
            cancel(h.deadlineTimer);
        }
        handover = null;
        handoverPending = false;
        phase = Phase.CONNECTED;
    }

    /**
     * Makes {@code next} the connection that takes input: flushes what the old one left unsent and the buffer, all
     * under {@link #sendLock} so new sends queue behind (a fresh replacement was seeded at connect, see
     * {@link #seedTurns()}). Returns the gap.
     */
    private Duration promote(Conn next) {
        Duration gap;
        next.role = Role.PRIMARY;
        sendLock.lock();
        try {
            primary = next;
            ClientMessage replay = replayTurn;
            replayTurn = null;
            if (replay != null) {
                buffer.addFirst(Buffered.of(replay, runtime.provider().encode(replay))); // re-sent: encoded again
            }
            boolean delivered = true;
            while (!buffer.isEmpty()) {
                Buffered b = buffer.peekFirst();
                if (deliverLocked(next, b) == SendResult.CLOSED) {
                    delivered = false; // it died already; its Closed will start a reconnect
                    break;
                }
                buffer.pollFirst();
                bufferBytes -= b.size();
            }
            if (delivered) {
                buffering = false;
            }
            gap = Duration.ofNanos(Math.max(0, now() - bufferStartNanos));
        } finally {
            sendLock.unlock();
        }
        if (next.latestHandle != null) {
            latestHandle = next.latestHandle;
        }
        latestResumable = next.resumable;
        connectionCount++;
        state = SessionState.OPEN;
        return gap;
    }

    /** Arms the proactive handover timer of a new primary (before the event announcing it). */
    private void armProactive(Conn next) {
        cancel(proactiveTimer);
        proactiveTimer = null;
        if (policy.proactiveHandoverAfter() != null) {
            proactiveTimer = later(policy.proactiveHandoverAfter(), () -> {
                if (currentPrimary() == next && next.role == Role.PRIMARY) {
                    startHandover(HandoverCause.PROACTIVE, null);
                }
            });
        }
    }

    /** After a promotion was announced: deliver what the standby held, honour a goAway it got early. */
    private void afterPromotion(Conn next) {
        phase = handover != null ? Phase.HANDING_OVER : Phase.CONNECTED;
        List<LiveEvent> held = List.copyOf(next.held);
        next.held.clear();
        for (LiveEvent e : held) {
            if (terminated || next.role != Role.PRIMARY) {
                break;
            }
            onCarrierEvent(next, e);
        }
        if (next.goAwayPending != null) {
            Duration g = next.goAwayPending;
            next.goAwayPending = null;
            startHandover(HandoverCause.GO_AWAY, g);
        }
    }

    // ---- losses and reconnects ---------------------------------------------------------------------------

    private void onConnClosed(Conn c, LiveEvent.Closed closed) {
        Role role = c.role;
        if (role == Role.DEAD || role == Role.CONNECTING) {
            return; // CONNECTING: the connect future's failure (ConnectFailed) decides what happens next
        }
        c.role = Role.DEAD;
        switch (role) {
            case DEAD, CONNECTING -> { }
            case STANDBY -> {
                retire(c);
                conns.remove(c);
                if (standby == c) {
                    standby = null;
                    if (handover != null && switching == null) {
                        handover.standbyFailures++;
                        progressHandover();
                    }
                }
            }
            case RETIRING -> {
                retire(c);
                conns.remove(c);
                closeTurnIfOpen(c);
                requeueUnsent(c);
                Switch sw = switching;
                if (closeRequested) {
                    if (sw != null && sw.old == c) {
                        switching = null;
                        terminate(closed.code(), closed.reason(), null);
                    }
                    return;
                }
                if (sw != null && sw.old == c) {
                    finishSwitch(sw);
                }
            }
            case PRIMARY -> {
                retire(c);
                conns.remove(c);
                closeTurnIfOpen(c);
                primaryLost(c, closed);
            }
        }
    }

    /** Control thread: re-queues, in front of the buffer, the frames {@code c} accepted but never wrote. */
    private void requeueUnsent(Conn c) {
        RealLiveSession s = c.session;
        List<String> frames = s == null ? List.of() : s.unsentFrames();
        if (frames.isEmpty()) {
            return;
        }
        sendLock.lock();
        try {
            for (int i = frames.size() - 1; i >= 0; i--) {
                ClientMessage m;
                try {
                    m = LiveCodec.decodeClient(frames.get(i), Strictness.LENIENT).message();
                } catch (RuntimeException e) {
                    log.warn("resilient session {}: cannot re-send an unsent frame: {}", id, e.toString());
                    continue;
                }
                if (m != null) {
                    Buffered b = Buffered.of(m, List.of(frames.get(i))); // the frame as it was, not re-encoded
                    buffer.addFirst(b);
                    bufferBytes += b.size();
                }
            }
        } finally {
            sendLock.unlock();
        }
        log.debug("resilient session {}: {} unsent frames of {} will go to the next connection", id, frames.size(), c);
    }

    private void primaryLost(Conn c, LiveEvent.Closed closed) {
        long now = now();
        sendLock.lock();
        try {
            if (primary == c) {
                primary = null;
            }
            startBufferingLocked(now);
        } finally {
            sendLock.unlock();
        }
        requeueUnsent(c);
        cancel(proactiveTimer);
        cancel(stallTimer);
        stallTimer = null;
        if (closeRequested) {
            terminate(closed.code(), closed.reason(), closed.error() != null && closed.error().kind() != Kind.CLOSED
                    ? closed.error() : null);
            return;
        }
        LiveException cause;
        String tag;
        if (c.killed != null) {
            cause = new LiveException(Kind.UNAVAILABLE, "connection abandoned: " + c.killed);
            tag = "stall";
        } else {
            cause = closed.error() != null ? closed.error()
                    : new LiveException(Kind.UNAVAILABLE, "the server closed the connection: " + closed.code()
                            + (closed.reason().isEmpty() ? "" : " " + closed.reason()), closed.code(), closed.reason(), -1, null);
            tag = MicrometerSessionMetrics.cause(cause);
        }
        log.debug("resilient session {}: lost {}: {}", id, c, cause.toString());
        if (!cause.kind().retryable()) {
            terminate(closed.code(), closed.reason(), cause);
            return;
        }
        Handover h = handover;
        Conn s = standby;
        if (h != null && s != null && s.role == Role.STANDBY && Objects.equals(s.handle, latestHandle)) {
            // The next connection is ready: this is a (late) handover, not a reconnect.
            standby = null;
            completeHandover(h, s);
            return;
        }
        endHandover(h);
        reconnectCount++;
        metrics.reconnect(tag, closed.code());
        phase = Phase.RECONNECTING;
        Reconnect r = new Reconnect(false, null, cause);
        reconnect = r;
        if (s != null && s.role == Role.CONNECTING && Objects.equals(s.handle, latestHandle)) {
            // A standby is on its way with the right handle: let it be the first attempt.
            standby = null;
            r.attempts = 1;
            r.candidate = s;
            emit(new LiveEvent.Reconnecting(cause, 1, Duration.ZERO));
            return;
        }
        if (s != null) {
            discard(s);
            standby = null;
        }
        nextAttempt(false);
    }

    /** Control thread: the next connection attempt of {@link #reconnect}, after its backoff. */
    private void nextAttempt(boolean immediately) {
        Reconnect r = reconnect;
        r.attempts++;
        if (r.attempts > policy.maxReconnectAttempts()) {
            giveUp(r, r.last != null ? r.last : r.cause);
            return;
        }
        Duration delay = immediately ? Duration.ZERO
                : policy.backoff(r.attempts, ThreadLocalRandom.current().nextDouble(-1, 1));
        if (!delay.isZero()) {
            r.timer = later(delay, () -> {
                if (reconnect == r && !terminated && !closeRequested) {
                    attempt(r);
                }
            });
        }
        if (!r.initial && (r.forHandover == null || r.attempts > 1)) {
            emit(new LiveEvent.Reconnecting(r.last != null ? r.last : r.cause != null ? r.cause
                    : new LiveException(Kind.UNAVAILABLE, "handover"), r.attempts, delay));
        }
        if (delay.isZero() && reconnect == r && !terminated && !closeRequested) {
            attempt(r);
        }
    }

    private void attempt(Reconnect r) {
        String h = r.handleRefused ? null : latestHandle;
        boolean reseed = h == null && !r.initial;
        r.candidate = openConn(h, reseed);
    }

    private void reconnected(Reconnect r, Conn c) {
        reconnect = null;
        cancel(r.timer);
        boolean resumed = c.handle != null;
        Duration gap = promote(c);
        armProactive(c);
        if (r.initial) {
            phase = Phase.CONNECTED;
            log.debug("resilient session {}: open on {}", id, c);
            opened.complete(this);
        } else if (r.forHandover != null) {
            endHandover(r.forHandover);
            handoverCount++;
            metrics.handover(r.forHandover.cause, gap);
            emit(new LiveEvent.HandoverCompleted(gap, connectionCount));
        } else {
            phase = Phase.CONNECTED;
            metrics.reconnected(gap, resumed);
            log.debug("resilient session {}: reconnected on {} ({}), gap {} ms", id, c, resumed ? "resumed" : "re-seeded",
                    gap.toMillis());
            emit(new LiveEvent.Reconnected(gap, resumed, r.attempts, connectionCount));
        }
        afterPromotion(c);
    }

    private void giveUp(Reconnect r, LiveException last) {
        if (last == null) {
            last = new LiveException(Kind.UNAVAILABLE, "no connection");
        }
        String what = r.initial ? "could not connect" : "could not reconnect";
        String msg = what + " after " + Math.min(r.attempts, policy.maxReconnectAttempts()) + " attempt(s): " + last.getMessage();
        Kind kind = last.kind().retryable() ? Kind.UNAVAILABLE : last.kind();
        LiveException e = new LiveException(kind, msg, last.closeCode(), last.closeReason(), last.httpStatus(), last);
        reconnect = null;
        terminate(last.closeCode() > 0 ? last.closeCode() : CloseCodes.ABNORMAL, msg, e);
    }

    // ---- closing -----------------------------------------------------------------------------------------

    private void onCloseRequested(boolean abort) {
        if (terminated) {
            return;
        }
        if (abort) {
            terminate(CloseCodes.ABNORMAL, "aborted by client", null);
            return;
        }
        if (closeRequested) {
            return;
        }
        closeRequested = true;
        state = SessionState.CLOSING;
        cancelTimers();
        if (reconnect != null) {
            cancel(reconnect.timer);
            discard(reconnect.candidate);
            reconnect = null;
        }
        discard(standby);
        standby = null;
        if (switching != null) {
            discard(switching.next);
            closeTimer = later(client.closeTimeout().plus(policy.drainTimeout()),
                    () -> terminate(CloseCodes.ABNORMAL, "connection did not close in time; aborted", null));
            return; // the retiring connection's Closed ends the session
        }
        Conn p = currentPrimary();
        if (p != null && p.role == Role.PRIMARY && p.session != null) {
            sendLock.lock();
            try {
                if (!buffer.isEmpty()) {
                    log.debug("resilient session {}: closing with {} buffered messages undelivered", id, buffer.size());
                }
            } finally {
                sendLock.unlock();
            }
            closeGracefully(p);
            closeTimer = later(client.closeTimeout().plusMillis(CLOSE_SLACK_MILLIS),
                    () -> terminate(CloseCodes.ABNORMAL, "peer did not answer the close in time; aborted", null));
            return;
        }
        terminate(CloseCodes.NORMAL, "closed by client", null);
    }

    private void cancelTimers() {
        cancel(spokenReplyTimer);
        cancel(holdTimer);
        cancel(replyTimer);
        cancel(stallTimer);
        cancel(proactiveTimer);
        if (handover != null) {
            cancel(handover.deadlineTimer);
        }
        if (switching != null) {
            cancel(switching.drainTimer);
        }
        if (reconnect != null) {
            cancel(reconnect.timer);
        }
    }

    /** Control thread. The one way the session ends: exactly one {@link LiveEvent.Closed}, last. */
    private void terminate(int code, String reason, LiveException error) {
        if (terminated) {
            return;
        }
        if (heldTurnComplete != null) {
            releaseHeld();
        }
        terminated = true;
        phase = Phase.CLOSED;
        state = error == null ? SessionState.CLOSED : SessionState.FAILED;
        handoverPending = false;
        int dropped;
        sendLock.lock();
        try {
            sendsClosed = true;
            dropped = buffer.size();
            buffer.clear();
            bufferBytes = 0;
        } finally {
            sendLock.unlock();
        }
        if (dropped > 0) {
            log.debug("resilient session {}: {} buffered messages discarded at termination", id, dropped);
        }
        cancelTimers();
        cancel(closeTimer);
        for (Conn c : List.copyOf(conns)) {
            discard(c);
        }
        conns.clear();
        LiveEvent.Closed closed = new LiveEvent.Closed(code, reason, error);
        if (!opened.isDone()) {
            opened.completeExceptionally(error != null ? error
                    : new LiveException(Kind.CLOSED, "session closed before it opened: " + reason, code, reason, -1, null));
        }
        if (error == null) {
            log.debug("resilient session {}: closed {} {}", id, code, reason);
        } else {
            log.debug("resilient session {}: failed {}: {}", id, error.kind(), error.getMessage());
        }
        try {
            listener.onEvent(closed);
        } catch (Throwable t) {
            log.warn("resilient session {}: listener threw on Closed (ignored: the session is already over)", id, t);
        }
        terminatedLatch.countDown();
        eventPermits.release(EVENT_PERMITS * 4); // readers blocked on a permit see `terminated` and return
        try {
            onTerminated.run();
        } catch (RuntimeException e) {
            log.warn("resilient session {}: cleanup hook failed", id, e);
        }
    }

    /** Control thread: delivers one event to the user's listener; a throwing listener fails the session. */
    private void emit(LiveEvent e) {
        if (terminated) {
            return;
        }
        try {
            listener.onEvent(e);
        } catch (Throwable t) {
            log.warn("resilient session {}: listener threw on {}; failing the session", id, e.getClass().getSimpleName(), t);
            terminate(CloseCodes.INTERNAL, "client listener failed", new LiveException(Kind.LISTENER_FAILED,
                    "listener threw " + t.getClass().getName() + " on " + e.getClass().getSimpleName()
                            + (t.getMessage() == null ? "" : ": " + t.getMessage()), CloseCodes.INTERNAL,
                    "client listener failed", -1, t));
        }
    }

    // ---- sending (any thread) ----------------------------------------------------------------------------

    /** Caller holds sendLock. */
    private void startBufferingLocked(long now) {
        if (!buffering) {
            buffering = true;
            bufferStartNanos = now;
        }
    }

    /**
     * Any thread. Encodes {@code m} once, outside the lock (an unencodable message throws here, to the caller, before
     * anything is tracked), then hands the frames to the current connection or the buffer.
     */
    private SendResult submit(ClientMessage m) {
        Buffered b = Buffered.of(m, runtime.provider().encode(m));
        boolean nudge = false;
        SendResult result;
        sendLock.lock();
        try {
            if (sendsClosed) {
                return SendResult.CLOSED;
            }
            long now = scheduler.nanoTime();
            nudge = track(m, now);
            if (buffering || primary == null) {
                result = bufferLocked(b);
            } else {
                result = deliverLocked(primary, b);
                if (result == SendResult.CLOSED) {
                    // The connection just died; its Closed is on its way to the control thread.
                    startBufferingLocked(now);
                    result = bufferLocked(b);
                }
            }
        } finally {
            sendLock.unlock();
        }
        if (nudge) {
            signals.add(new Task(this::progressHandover));
        }
        return result;
    }

    /**
     * Caller holds sendLock. Transcript, audio activity, user-turn ends (signalled to the control thread before the
     * message can reach the server, so the signal precedes any reply), tool round trips. True if a pending handover
     * should re-check its boundary.
     */
    private boolean track(ClientMessage m, long now) {
        boolean turnEnd = false;
        boolean nudge = false;
        switch (m) {
            case ClientMessage.ClientContent c -> {
                if (c.turns() != null) {
                    for (Content t : c.turns()) {
                        String text = textOf(t);
                        transcript.add(t.role() == null ? "user" : t.role(), text);
                    }
                    userInputSeq++;
                }
                turnEnd = c.turnComplete();
            }
            case RealtimeInput r -> {
                if (r.audio() != null && r.audio().data() != null) {
                    long before = audio.quietNanos();
                    long loudBefore = audio.loudFrames();
                    long after = audio.feed(r.audio().data(), AudioMime.sampleRate(r.audio().mimeType()));
                    if (audio.loudFrames() != loudBefore) {
                        lastSpeechNanos = now;
                    }
                    nudge = handoverPending && before < quietNeededNanos && after >= quietNeededNanos;
                }
                if (r.text() != null) {
                    transcript.add("user", r.text());
                    userInputSeq++;
                    turnEnd = true;
                }
                if (r.activityStart() != null) {
                    userInputSeq++;
                    activityOpen = true;
                }
                if (r.activityEnd() != null) {
                    turnEnd = true;
                    activityOpen = false;
                }
                if (Boolean.TRUE.equals(r.audioStreamEnd()) && audio.speechSinceMark()) {
                    turnEnd = true; // only if the user spoke: a mic pause after silence asks for nothing
                }
            }
            case ClientMessage.ToolResponse t -> {
                if (t.functionResponses() != null) {
                    for (FunctionResponse r : t.functionResponses()) {
                        PendingCall pc = r.id() == null ? null : calls.get(r.id());
                        if (pc != null && !pc.answered) {
                            metrics.recordToolRoundTrip(pc.call.name(), Duration.ofNanos(Math.max(0, now - pc.receivedNanos)));
                        }
                    }
                }
                nudge = handoverPending;
            }
            default -> { }
        }
        if (turnEnd) {
            awaitingReply = true;
            boolean text = m instanceof ClientMessage.ClientContent || (m instanceof RealtimeInput r && r.text() != null);
            unansweredTurn = text ? m : null;
            signals.add(new Task(() -> onUserTurnEnded(now)));
        }
        return nudge;
    }

    private static String textOf(Content c) {
        if (c == null || c.parts() == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (Part p : c.parts()) {
            if (p != null && p.text() != null && !p.thought()) {
                b.append(p.text());
            }
        }
        return b.toString();
    }

    /** Caller holds sendLock. Buffers within the budget; over it, the oldest buffered media goes first. */
    private SendResult bufferLocked(Buffered m) {
        long size = m.size();
        long budget = client.sendQueueBudgetBytes();
        if (bufferBytes + size > budget) {
            for (Iterator<Buffered> it = buffer.iterator(); it.hasNext() && bufferBytes + size > budget; ) {
                Buffered b = it.next();
                if (b.media()) {
                    it.remove();
                    bufferBytes -= b.size();
                    bufferDroppedMessages++;
                    bufferDroppedBytes += b.size();
                    metrics.anomaly("buffer_overflow");
                }
            }
            if (m.media() && bufferBytes + size > budget) {
                bufferDroppedMessages++;
                bufferDroppedBytes += size;
                metrics.anomaly("buffer_overflow");
                return SendResult.DROPPED_OVER_BUDGET;
            }
        }
        buffer.addLast(m);
        bufferBytes += size;
        return SendResult.QUEUED;
    }

    /**
     * Caller holds sendLock. Sends on {@code c}; a tool response for a call another (now gone) connection made is
     * turned into conversation content (the call and its response), since {@code c} never issued that id.
     */
    private SendResult deliverLocked(Conn c, Buffered b) {
        RealLiveSession s = c.session;
        if (s == null) {
            return SendResult.CLOSED;
        }
        if (!(b.message() instanceof ClientMessage.ToolResponse t) || t.functionResponses() == null) {
            return s.sendFrames(b.frames(), b.lane());
        }
        List<FunctionResponse> direct = new ArrayList<>();
        List<Part> callParts = new ArrayList<>();
        List<Part> responseParts = new ArrayList<>();
        for (FunctionResponse r : t.functionResponses()) {
            PendingCall pc = r.id() == null ? null : calls.get(r.id());
            if (pc == null || pc.connSeq == c.seq) {
                direct.add(r);
            } else {
                callParts.add(new Part(null, null, pc.call, null, null, null, null, null, false, null, null));
                responseParts.add(new Part(null, null, null, r, null, null, null, null, false, null, null));
            }
        }
        SendResult result = SendResult.QUEUED;
        if (callParts.isEmpty()) {
            result = s.sendFrames(b.frames(), b.lane()); // all of them are this connection's calls: the message as sent
        } else if (!direct.isEmpty()) {
            result = s.send(new ClientMessage.ToolResponse(direct));
        }
        if (result == SendResult.CLOSED) {
            return result;
        }
        if (!callParts.isEmpty() && !config.modelFamily().acceptsClientContentMidSession()) {
            // This model refuses clientContent mid-session (1007) and the new connection never issued the ids: the
            // results cannot reach it. Dropped (counted) rather than ending the whole session.
            log.warn("resilient session {}: {} tool result(s) for calls of an earlier connection dropped: model {} "
                    + "accepts neither their ids nor clientContent", id, responseParts.size(), config.model());
            metrics.anomaly("tool_result_dropped");
        } else if (!callParts.isEmpty()) {
            log.debug("resilient session {}: {} tool result(s) for an earlier connection sent as content on {}", id,
                    responseParts.size(), c);
            result = s.send(new ClientMessage.ClientContent(
                    List.of(new Content(callParts, "model"), new Content(responseParts, "user")), true));
            if (result == SendResult.CLOSED) {
                return result;
            }
        }
        for (FunctionResponse r : t.functionResponses()) {
            PendingCall pc = r.id() == null ? null : calls.get(r.id());
            if (pc != null && !r.willContinue()) {
                pc.answered = true;
            }
        }
        pruneCalls();
        return result;
    }

    /** Caller holds sendLock. Forgets answered calls first, then the oldest, beyond {@link #MAX_TRACKED_CALLS}. */
    private void pruneCalls() {
        if (calls.size() <= MAX_TRACKED_CALLS) {
            return;
        }
        calls.values().removeIf(pc -> pc.answered && calls.size() > MAX_TRACKED_CALLS);
        for (Iterator<Map.Entry<String, PendingCall>> it = calls.entrySet().iterator();
                it.hasNext() && calls.size() > MAX_TRACKED_CALLS; ) {
            it.next();
            it.remove();
        }
    }

    // ---- LiveSession -------------------------------------------------------------------------------------

    @Override
    SessionConfig sessionConfig() {
        return config;
    }

    @Override
    ClientConfig clientConfig() {
        return client;
    }

    @Override
    public SendResult send(ClientMessage message) {
        Objects.requireNonNull(message, "message");
        if (message instanceof ClientMessage.Setup) {
            throw new IllegalArgumentException("a connection has exactly one setup, sent by connect(); "
                    + "to change the configuration, open a new session");
        }
        OutboundMessages.checkAllowed(message, config);
        return submit(message); // encodes it once; an unencodable message throws IllegalArgumentException
    }

    @Override
    public long queuedBytes() {
        sendLock.lock();
        try {
            RealLiveSession s = primary == null ? null : primary.session;
            return bufferBytes + (s == null || buffering ? 0 : s.queuedBytes());
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public long droppedMessages() {
        sendLock.lock();
        try {
            RealLiveSession s = primary == null || primary.retired ? null : primary.session;
            return retiredDroppedMessages + bufferDroppedMessages + (s == null ? 0 : s.droppedMessages());
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public long droppedBytes() {
        sendLock.lock();
        try {
            RealLiveSession s = primary == null || primary.retired ? null : primary.session;
            return retiredDroppedBytes + bufferDroppedBytes + (s == null ? 0 : s.droppedBytes());
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public SessionState state() {
        return state;
    }

    @Override
    public String sessionId() {
        Conn p = currentPrimary();
        RealLiveSession s = p == null ? null : p.session;
        return s == null ? null : s.sessionId();
    }

    @Override
    public String resumptionHandle() {
        return latestHandle;
    }

    @Override
    public boolean resumable() {
        return latestResumable;
    }

    @Override
    public SessionConfig config() {
        return config;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void close() {
        sendLock.lock();
        try {
            sendsClosed = true;
        } finally {
            sendLock.unlock();
        }
        if (!terminated) {
            signals.add(new Task(() -> onCloseRequested(false)));
        }
        awaitTermination(client.closeTimeout().plus(policy.drainTimeout()).plusMillis(2 * CLOSE_SLACK_MILLIS));
    }

    @Override
    public void abort() {
        sendLock.lock();
        try {
            sendsClosed = true;
        } finally {
            sendLock.unlock();
        }
        if (!terminated) {
            signals.add(new Task(() -> onCloseRequested(true)));
        }
        awaitTermination(Duration.ofMillis(CLOSE_SLACK_MILLIS));
    }

    private void awaitTermination(Duration d) {
        if (Thread.currentThread() == control) {
            return; // the listener called us: termination completes after it returns
        }
        try {
            terminatedLatch.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- ResilientSession --------------------------------------------------------------------------------

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public ResiliencePolicy policy() {
        return policy;
    }

    @Override
    public int connectionCount() {
        return connectionCount;
    }

    @Override
    public int handovers() {
        return handoverCount;
    }

    @Override
    public int reconnects() {
        return reconnectCount;
    }

    @Override
    public SessionMetrics metrics() {
        return metrics;
    }

    @Override
    public List<Content> transcript() {
        sendLock.lock();
        try {
            return transcript.turns();
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public void markUserTurnEnded() {
        sendLock.lock();
        try {
            if (sendsClosed) {
                return;
            }
            awaitingReply = true;
            unansweredTurn = null;
            long now = scheduler.nanoTime();
            signals.add(new Task(() -> onUserTurnEnded(now)));
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public void handoverNow() {
        if (!terminated) {
            signals.add(new Task(() -> startHandover(HandoverCause.PROACTIVE, null)));
        }
    }

    @Override
    public String toString() {
        return "ResilientSession[" + id + ", " + phase + ", connections=" + connectionCount + ", model=" + config.model() + "]";
    }

    /** The rate of an {@code audio/pcm;rate=N} MIME type; 16 kHz when it names none (the API's input default). */
    private static final class AudioMime {
        static int sampleRate(String mime) {
            if (mime != null) {
                for (String p : mime.split(";")) {
                    String t = p.trim();
                    if (t.regionMatches(true, 0, "rate=", 0, 5)) {
                        try {
                            int r = Integer.parseInt(t.substring(5).trim());
                            if (r > 0) {
                                return r;
                            }
                        } catch (NumberFormatException ignored) {
                            // default below
                        }
                    }
                }
            }
            return 16_000;
        }
    }
}
