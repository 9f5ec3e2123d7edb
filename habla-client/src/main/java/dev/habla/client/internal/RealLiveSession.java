package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.LiveSession;
import dev.habla.client.SendResult;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.client.SessionState;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session machinery, independent of the service (that part is the {@link LiveProvider}, and this connection's
 * codec and state, its {@link ProviderConnection}).
 *
 * <p>Threads (all virtual, named after {@link #id}):
 * <ul>
 *   <li><b>writer</b> {@code habla-<id>-writer}: the only caller of {@link Transport.Connection#sendText}; drains the
 *       {@link OutboundQueue} one message at a time (the JDK allows one outstanding send).</li>
 *   <li><b>reader</b> {@code habla-<id>-reader} (the dispatcher): decodes inbound frames and calls the listener, in
 *       order; delivers the terminal {@link LiveEvent.Closed} last and exits.</li>
 *   <li>transport callbacks (HTTP client threads): only enqueue frames and signal; never call the listener.</li>
 *   <li>timer (shared per client): connect deadline, pings, close deadline; only enqueue or terminate.</li>
 * </ul>
 *
 * <p>Termination goes through one idempotent {@link #terminate} (first caller wins, via {@link #terminal}); it
 * shuts the outbound queue, settles the connect future, disposes of the connection and enqueues the terminal
 * event behind the frames already received, so wire order is kept and nothing follows {@code Closed}.
 *
 * <p>Inbound flow control ({@link InboundWindow}): the frames waiting for the dispatcher plus the transport's unused
 * credit never exceed {@link #INBOUND_CAPACITY}; credit goes back in batches of {@link #CREDIT_BATCH} (a
 * {@code request(1)} per frame costs the JDK a trip through its selector each time demand runs out). A slow listener
 * thus stops the socket being read (TCP back-pressure) instead of blocking the HTTP client's threads or growing memory.
 */
public final class RealLiveSession extends AbstractLiveSession {
    private static final Logger log = LoggerFactory.getLogger(RealLiveSession.class);

    /** Frames buffered between the socket and the listener, counting those the transport may still deliver. */
    static final int INBOUND_CAPACITY = 64;
    /** Credit is given back to the transport this many frames at a time. Divides {@link #INBOUND_CAPACITY}. */
    static final int CREDIT_BATCH = 16;
    /** Extra wait in {@link #close()} beyond the close timeout, for the abort itself to settle. */
    private static final long CLOSE_SLACK_MILLIS = 1_000;

    /** How {@link #terminate} disposes of the connection. */
    private enum Exit {
        /** Drop the TCP connection now. */
        ABORT,
        /** The peer closed: let the JDK answer, abort only if still open after the close timeout. */
        LINGER,
        /** Tell the server why (close frame with the terminal code), then abort after the close timeout. */
        CLOSE_FRAME
    }

    private final String id;
    private final ClientConfig client;
    private final SessionConfig config;
    private final LiveProvider provider;
    /** This connection's codec and state; see {@link ProviderConnection} for which thread calls what. */
    private final ProviderConnection codec;
    /**
     * Held while a caller's command is encoded and queued, so a stateful codec sees commands in the order their frames
     * are queued, and the frames of one command stay one unit. Never held while blocking on I/O.
     */
    private final ReentrantLock encodeLock = new ReentrantLock();
    private final Transport transport;
    private final ScheduledExecutorService timer;
    private final SessionListener listener;
    private final Runnable onTerminated;

    private final AtomicReference<SessionState> state = new AtomicReference<>(SessionState.CONNECTING);
    private final OutboundQueue outbound;
    /** Frames for the dispatcher and the transport's credit (see the class comment). */
    private final InboundWindow inbound = new InboundWindow(INBOUND_CAPACITY, CREDIT_BATCH);
    /** Set once, by the first {@link #terminate}. */
    private final AtomicReference<LiveEvent.Closed> terminal = new AtomicReference<>();
    /** Counted down by {@link #terminate}: the connection is done (the terminal event may still be in delivery). */
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final CompletableFuture<LiveSession> connected = new CompletableFuture<>();
    private final AtomicBoolean awaitingPong = new AtomicBoolean();

    /** Set once by the transport's onOpen (before any frame arrives). */
    private volatile Transport.Connection connection;
    private volatile Thread writer;
    private volatile Thread dispatcher;
    private volatile Future<?> connectDeadline;
    private volatile Future<?> pingTask;
    private volatile Future<?> closeDeadline;

    /** Set by start() before the handshake; read by the dispatcher at setupComplete: the encoded initial history. */
    private volatile List<String> historyFrames = List.of();

    /** Set before start(): keep the frames left in the queue at termination for {@link #unsentFrames()}. */
    private volatile boolean retainUnsent;
    /** Messages queued but never written when the session terminated, with their sources (only with retainUnsent). */
    private volatile List<OutboundQueue.Message> unsent = List.of();

    // Written by the dispatcher only; read by any thread.
    private volatile String sessionId;
    private volatile String resumptionHandle;
    private volatile boolean resumable;

    RealLiveSession(String id, ClientConfig client, SessionConfig config, LiveProvider provider, Transport transport,
            ScheduledExecutorService timer, SessionListener listener, Runnable onTerminated) {
        this.id = id;
        this.client = client;
        this.config = config;
        this.provider = provider;
        this.codec = provider.open(client, config);
        this.transport = transport;
        this.timer = timer;
        this.listener = listener;
        this.onTerminated = onTerminated;
        this.outbound = new OutboundQueue(client.sendQueueBudgetBytes());
    }

    // ---- connecting ------------------------------------------------------------------------------------------

    /** Keeps the frames still queued at termination (see {@link #unsentFrames()}); call before {@link #start()}. */
    void retainUnsentFrames() {
        retainUnsent = true;
    }

    /**
     * After termination: the frames the caller sent that were queued but never handed to the socket, in sending order,
     * each with the message it encodes, if {@link #retainUnsentFrames()} was called; otherwise empty. The one frame
     * being written at that moment is not included: whether the server got it is unknown.
     */
    List<OutboundQueue.Message> unsentFrames() {
        return unsent;
    }

    /**
     * The future {@link #start()} returns, for stages that must run before the listener hears anything: attached before
     * the start, they run on the reader inside {@link #opened}, before SetupCompleted is delivered.
     */
    CompletableFuture<LiveSession> connectFuture() {
        return connected;
    }

    /** Starts the dispatcher and the handshake; the future completes on setupComplete. Called once. */
    CompletableFuture<LiveSession> start() {
        dispatcher = Thread.ofVirtual().name("habla-" + id + "-reader").start(this::dispatchLoop);
        connected.whenComplete((s, e) -> {
            if (e instanceof CancellationException) {
                terminate(CloseCodes.ABNORMAL, "connect cancelled by caller",
                        new LiveException(Kind.CLOSED, "connect cancelled by caller", e), Exit.ABORT);
            }
        });
        Transport.ConnectRequest request;
        List<String> opening;
        try {
            provider.check(client, config);
            request = codec.connectRequest();
            opening = codec.openingFrames();
            historyFrames = codec.afterSetupFrames();
        } catch (LiveException e) {
            terminate(CloseCodes.ABNORMAL, e.getMessage(), e, Exit.ABORT);
            return connected;
        } catch (RuntimeException e) {
            LiveException le = new LiveException(Kind.INVALID_ARGUMENT, "cannot build the setup: " + e.getMessage(), e);
            terminate(CloseCodes.ABNORMAL, le.getMessage(), le, Exit.ABORT);
            return connected;
        }
        // The opening frames go first; the writer starts only once the socket is open.
        outbound.offerFirstUnbounded(opening);
        wire("CONNECT " + request.description());
        log.debug("session {}: connecting {}", id, request);
        try {
            connectDeadline = timer.schedule(() -> terminate(CloseCodes.ABNORMAL,
                    "connect timed out after " + client.connectTimeout().toMillis() + " ms",
                    new LiveException(Kind.TIMEOUT, "no setupComplete within " + client.connectTimeout().toMillis()
                            + " ms (connect timeout)"), Exit.ABORT),
                    client.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            fail(new LiveException(Kind.CLOSED, "client is closed"));
            return connected;
        }
        transport.open(request, client.connectTimeout(), new TransportEvents()).whenComplete((c, error) -> {
            if (error != null) {
                LiveException le = codec.mapConnectFailure(error);
                terminate(CloseCodes.ABNORMAL, le.getMessage(), le, Exit.ABORT);
            } else if (terminal.get() != null) {
                c.abort();
            }
        });
        return connected;
    }

    /** Terminates a session that never got going (client closed, bad credentials supplier…). */
    void fail(LiveException error) {
        terminate(CloseCodes.ABNORMAL, error.getMessage(), error, Exit.ABORT);
    }

    /** Transport callbacks: run on HTTP client threads, one at a time; they only enqueue and signal. */
    private final class TransportEvents implements Transport.Listener {
        @Override
        public void onOpen(Transport.Connection c) {
            connection = c;
            if (terminal.get() != null) {
                c.abort();
                return;
            }
            writer = Thread.ofVirtual().name("habla-" + id + "-writer").start(RealLiveSession.this::writeLoop);
            inbound.opened(c); // before any message
            startPings();
        }

        @Override
        public void onMessage(Transport.InboundFrame frame) {
            inbound.frame(frame);
        }

        @Override
        public void onPong() {
            awaitingPong.set(false);
        }

        @Override
        public void onClose(int code, String reason) {
            wire("CLOSE < " + code + (reason == null || reason.isEmpty() ? "" : " " + reason));
            boolean asked = state.get() == SessionState.CLOSING;
            boolean clean = asked && (code == CloseCodes.NORMAL || code == CloseCodes.GOING_AWAY
                    || code == CloseCodes.NO_STATUS || code == CloseCodes.ABNORMAL);
            terminate(code, reason, clean ? null : codec.mapClose(code, reason), Exit.LINGER);
        }

        @Override
        public void onError(Throwable error) {
            if (error instanceof JdkWebSocketTransport.MessageTooLargeException) {
                terminate(1009, error.getMessage(), new LiveException(Kind.PROTOCOL, error.getMessage(), error), Exit.ABORT);
            } else if (error instanceof java.net.ProtocolException) {
                terminate(1002, "WebSocket protocol error", new LiveException(Kind.PROTOCOL,
                        "WebSocket protocol error from the server: " + error.getMessage(), 1002, "", -1, error), Exit.ABORT);
            } else {
                lostConnection("connection lost: " + describe(error), error);
            }
        }
    }

    /** The connection broke: an error, unless the client had already asked to close. */
    private void lostConnection(String why, Throwable cause) {
        LiveException error = state.get() == SessionState.CLOSING ? null
                : new LiveException(Kind.UNAVAILABLE, why, CloseCodes.ABNORMAL, "", -1, cause);
        terminate(CloseCodes.ABNORMAL, why, error, Exit.ABORT);
    }

    private void startPings() {
        long nanos = client.pingInterval().toNanos();
        if (nanos == 0) {
            return;
        }
        try {
            pingTask = timer.scheduleAtFixedRate(this::ping, nanos, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Client closing; the session is about to be aborted.
        }
    }

    /** Timer thread. A ping still unanswered one interval later means a dead peer (unless we stopped reading). */
    private void ping() {
        Transport.Connection c = connection;
        if (c == null || terminal.get() != null) {
            return;
        }
        if (awaitingPong.get() && !inbound.paused()) {
            lostConnection("no pong within " + client.pingInterval().toMillis() + " ms; the peer seems gone", null);
            return;
        }
        awaitingPong.set(true);
        try {
            c.sendPing(); // failures surface as a missing pong next time
        } catch (RuntimeException e) {
            log.debug("session {}: ping failed: {}", id, e.toString());
        }
    }

    // ---- writer ----------------------------------------------------------------------------------------------

    /** Writer thread: the only sender of data frames. */
    private void writeLoop() {
        Transport.Connection c = connection;
        try {
            while (true) {
                OutboundQueue.Item item = outbound.take();
                switch (item) {
                    case null -> {
                        return;
                    }
                    case OutboundQueue.Message m -> {
                        if (client.wireLog() != null) { // no copy of the frame when nobody logs (the usual case)
                            wire("> " + m.text());
                        }
                        c.sendText(m.text());
                    }
                    case OutboundQueue.CloseMarker x -> {
                        wire("CLOSE > 1000");
                        c.sendClose(CloseCodes.NORMAL, "");
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            // terminate() interrupted us: the session is over.
        } catch (Exception e) {
            if (terminal.get() == null) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                lostConnection("send failed: " + describe(cause), cause);
            }
        }
    }

    // ---- dispatcher ------------------------------------------------------------------------------------------

    /** Reader thread: decode, track, deliver; ends after the terminal event. */
    private void dispatchLoop() {
        boolean setupDone = false;
        // After a failure found here (bad frame, throwing listener) the remaining frames are skipped.
        boolean draining = false;
        while (true) {
            InboundWindow.Inbound in;
            try {
                in = inbound.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose; the End item is what stops it
            }
            if (in instanceof InboundWindow.End end) {
                deliverTerminal(end.closed());
                return;
            }
            Transport.InboundFrame frame = ((InboundWindow.Frame) in).frame();
            if (draining) {
                continue;
            }
            if (client.wireLog() != null) {
                wire("< " + frame.asString());
            }
            List<LiveEvent> events;
            try {
                events = codec.decode(frame);
            } catch (ProviderConnection.Refused r) {
                // The service refused the opening in-band and may keep the socket open: close it ourselves.
                terminate(CloseCodes.NORMAL, CloseCodes.truncate(r.getMessage()), r.error(), Exit.CLOSE_FRAME);
                draining = true;
                continue;
            } catch (RuntimeException e) {
                String why = "undecodable server frame: " + e.getMessage();
                terminate(CloseCodes.INVALID_ARGUMENT, CloseCodes.truncate(why),
                        new LiveException(Kind.PROTOCOL, why, e), Exit.CLOSE_FRAME);
                draining = true;
                continue;
            }
            for (LiveEvent event : events) {
                if (!setupDone) {
                    if (!(event instanceof LiveEvent.SetupCompleted done)) {
                        String why = "expected setupComplete as the first server message but got "
                                + event.getClass().getSimpleName();
                        terminate(CloseCodes.POLICY, why, new LiveException(Kind.PROTOCOL, why), Exit.CLOSE_FRAME);
                        draining = true;
                        break;
                    }
                    setupDone = true;
                    if (!opened(done)) {
                        draining = true;
                        break;
                    }
                }
                track(event);
                if (!deliver(event)) {
                    draining = true;
                    break;
                }
            }
            if (!draining) {
                // After delivery: a listener that reacted to these events (a voice loop reporting the played
                // position on Interrupted) has told the codec what it needs.
                queuePending();
            }
        }
    }

    /** Dispatcher: setupComplete arrived. False if the session ended meanwhile (timeout, cancel, abort). */
    private boolean opened(LiveEvent.SetupCompleted done) {
        sessionId = done.sessionId();
        if (!state.compareAndSet(SessionState.CONNECTING, SessionState.OPEN)) {
            return false;
        }
        cancel(connectDeadline);
        log.debug("session {}: open (server session id {})", id, done.sessionId());
        // Initial history goes before anything a caller sends: nobody holds this session until `connected` completes
        // below, so the queue is empty here and it is written first. Unbounded: it is part of the opening.
        // All at once: the writer is running, and would otherwise send a later frame before an earlier one.
        outbound.offerFirstUnbounded(historyFrames);
        // Completes synchronously: stages chained with non-async methods run here, before SetupCompleted is delivered.
        return connected.complete(this);
    }

    /** Dispatcher: state the session exposes, updated before the listener sees the event. */
    private void track(LiveEvent event) {
        if (event instanceof LiveEvent.ResumptionUpdate u) {
            resumable = u.resumable();
            if (u.resumable() && u.handle() != null) {
                resumptionHandle = u.handle();
            }
        }
    }

    /** Dispatcher: calls the listener; a throwing listener fails the session. */
    private boolean deliver(LiveEvent event) {
        try {
            listener.onEvent(event);
            return true;
        } catch (Throwable t) {
            log.warn("session {}: listener threw on {}; failing the session", id, event.getClass().getSimpleName(), t);
            String reason = "client listener failed";
            LiveException error = new LiveException(Kind.LISTENER_FAILED,
                    "listener threw " + t.getClass().getName() + " on " + event.getClass().getSimpleName()
                            + (t.getMessage() == null ? "" : ": " + t.getMessage()),
                    CloseCodes.INTERNAL, reason, -1, t);
            terminate(CloseCodes.INTERNAL, reason, error, Exit.CLOSE_FRAME);
            return false;
        }
    }

    private void deliverTerminal(LiveEvent.Closed closed) {
        try {
            listener.onEvent(closed);
        } catch (Throwable t) {
            log.warn("session {}: listener threw on Closed (ignored: the session is already over)", id, t);
        }
    }

    // ---- termination -----------------------------------------------------------------------------------------

    /**
     * The one way a session ends. Idempotent: only the first call has an effect. Any thread; never blocks.
     *
     * @param code   close code for the terminal event (and, with {@link Exit#CLOSE_FRAME}, for the server)
     * @param reason close reason or local description
     * @param error  null for a close the client asked for
     */
    private void terminate(int code, String reason, LiveException error, Exit exit) {
        LiveEvent.Closed closed = new LiveEvent.Closed(code, reason, error);
        if (!terminal.compareAndSet(null, closed)) {
            return;
        }
        state.set(error == null ? SessionState.CLOSED : SessionState.FAILED);
        if (retainUnsent) {
            unsent = outbound.shutdownAndDrain();
        } else {
            outbound.shutdown();
        }
        cancel(connectDeadline);
        cancel(pingTask);
        cancel(closeDeadline);
        Thread w = writer;
        if (w != null && w != Thread.currentThread()) {
            w.interrupt();
        }
        Transport.Connection c = connection;
        if (c != null) {
            switch (exit) {
                case ABORT -> c.abort();
                case LINGER -> abortLater(c);
                case CLOSE_FRAME -> {
                    wire("CLOSE > " + code + " " + reason);
                    c.sendClose(code, CloseCodes.truncate(reason == null ? "" : reason));
                    abortLater(c);
                }
            }
        }
        if (!connected.isDone()) {
            connected.completeExceptionally(error != null ? error
                    : new LiveException(Kind.CLOSED, "session closed before setupComplete: " + reason, code, reason, -1, null));
        }
        inbound.end(closed);
        terminated.countDown();
        if (error == null) {
            log.debug("session {}: closed {} {}", id, code, reason);
        } else {
            log.debug("session {}: failed {}: {}", id, error.kind(), error.getMessage());
        }
        try {
            onTerminated.run();
        } catch (RuntimeException e) {
            log.warn("session {}: cleanup hook failed", id, e);
        }
    }

    private void abortLater(Transport.Connection c) {
        try {
            timer.schedule(c::abort, client.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            c.abort();
        }
    }

    private static void cancel(Future<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // ---- public API ------------------------------------------------------------------------------------------

    @Override
    public void close() {
        if (terminal.get() == null) {
            if (state.compareAndSet(SessionState.OPEN, SessionState.CLOSING)) {
                outbound.closeAfterDrain();
                try {
                    closeDeadline = timer.schedule(() -> terminate(CloseCodes.ABNORMAL,
                            "peer did not answer the close within " + client.closeTimeout().toMillis() + " ms; aborted",
                            null, Exit.ABORT), client.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    abort();
                }
                if (terminal.get() != null) {
                    cancel(closeDeadline); // terminated meanwhile; don't leave the task behind
                }
            } else if (state.get() == SessionState.CONNECTING) {
                terminate(CloseCodes.ABNORMAL, "closed by client while connecting", null, Exit.ABORT);
            }
        }
        if (Thread.currentThread() == dispatcher) {
            return; // the terminal event is delivered by this very thread once the listener returns
        }
        try {
            terminated.await(client.closeTimeout().toMillis() + CLOSE_SLACK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void abort() {
        terminate(CloseCodes.ABNORMAL, "aborted by client", null, Exit.ABORT);
    }

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
                    + "to change the configuration, reconnect with a new SessionConfig (and the resumption handle)");
        }
        OutboundMessages.checkAllowed(message, capabilities());
        SessionState s = state.get();
        if (s == SessionState.CLOSING || s.isTerminal()) {
            return SendResult.CLOSED;
        }
        encodeLock.lock();
        try {
            return outbound.offer(codec.encode(message), laneOf(message), message);
        } finally {
            encodeLock.unlock();
        }
    }

    /** Dispatcher: queues what the codec asked to send after a decode (control lane, under the encode lock). */
    private void queuePending() {
        List<String> frames = codec.pendingFrames();
        if (frames.isEmpty()) {
            return;
        }
        encodeLock.lock();
        try {
            outbound.offer(frames, OutboundQueue.Lane.CONTROL);
        } finally {
            encodeLock.unlock();
        }
    }

    /**
     * Hands the playback position to this connection's codec (OpenAI: truncation on barge-in; Gemini: nothing). Frames
     * it asks for go in the control lane.
     */
    @Override
    public void reportPlayback(Duration played) {
        Objects.requireNonNull(played, "played");
        if (played.isNegative()) {
            throw new IllegalArgumentException("played must be >= 0, was " + played);
        }
        SessionState s = state.get();
        if (s == SessionState.CLOSING || s.isTerminal()) {
            return;
        }
        encodeLock.lock();
        try {
            List<String> frames = codec.playback(played);
            if (!frames.isEmpty()) {
                outbound.offer(frames, OutboundQueue.Lane.CONTROL);
            }
        } finally {
            encodeLock.unlock();
        }
    }

    /**
     * After termination: the commands behind {@link #unsentFrames()}, in sending order, for re-sending on another
     * connection (which encodes them for its own state). Taken from the queue's record of what each frame encodes,
     * never by decoding the wire; a command whose first frame was written is not included (the server has part of it).
     */
    public List<ClientMessage> unsentCommands() {
        return OutboundQueue.commands(unsent);
    }

    /**
     * What may be dropped under pressure ({@link OutboundQueue#laneOf}); every message keeps its place in the order.
     */
    static OutboundQueue.Lane laneOf(ClientMessage m) {
        return OutboundQueue.laneOf(m);
    }

    @Override
    public long queuedBytes() {
        return outbound.queuedBytes();
    }

    @Override
    public long droppedMessages() {
        return outbound.droppedMessages();
    }

    @Override
    public long droppedBytes() {
        return outbound.droppedBytes();
    }

    @Override
    public SessionState state() {
        return state.get();
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public String resumptionHandle() {
        return resumptionHandle;
    }

    @Override
    public boolean resumable() {
        return resumable;
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
    public String toString() {
        return "LiveSession[" + id + ", " + state.get() + ", model=" + config.model() + "]";
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Wire log; any thread. The consumer must be thread-safe. */
    private void wire(String line) {
        Consumer<String> sink = client.wireLog();
        if (sink == null) {
            return;
        }
        try {
            sink.accept("[" + id + "] " + provider.redact(line));
        } catch (RuntimeException e) {
            log.warn("session {}: wire log consumer threw", id, e);
        }
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown cause";
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + Redactor.redact(t.getMessage()));
    }
}
