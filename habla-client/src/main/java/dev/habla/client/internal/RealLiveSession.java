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
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session machinery, independent of the service (that part is the {@link LiveProvider}, and this connection's
 * codec and state, its {@link ProviderConnection}).
 *
 * <p>This class connects (handshake, connect deadline), terminates, and is the API; its two sides and its keepalive are
 * classes of their own: {@link SessionWriter} (the outbound queue, encoding, the writer thread),
 * {@link SessionDispatcher} (the reader thread: decoding, the listener) and {@link SessionPings}.
 *
 * <p>Threads (all virtual, named after {@link #id}):
 * <ul>
 *   <li><b>writer</b> {@code habla-<id>-writer} ({@link SessionWriter}): the only caller of
 *       {@link Transport.Connection#sendText}; drains the {@link OutboundQueue} one message at a time (the JDK allows
 *       one outstanding send). A sender whose message has nothing ahead of it hands it to the socket itself when the
 *       transport can without waiting ({@link Transport.Connection#trySendNow}, under the queue's lock).</li>
 *   <li><b>reader</b> {@code habla-<id>-reader} (the dispatcher, {@link SessionDispatcher}): decodes inbound frames
 *       and calls the listener, in order; delivers the terminal {@link LiveEvent.Closed} last and exits.</li>
 *   <li>transport callbacks (HTTP client threads, event loops): only enqueue frames and signal, except that for a
 *       listener taking audio on the I/O thread the callback thread stands in for an idle reader
 *       ({@link SessionDispatcher#tryOnIoThread}) and hands audio chunks on without waiting.</li>
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
    enum Exit {
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
    private final Transport transport;
    /** Set before start(), read by start(). */
    private volatile java.util.concurrent.Executor ioAffinity;
    private final ScheduledExecutorService timer;
    private final Runnable onTerminated;

    private final AtomicReference<SessionState> state = new AtomicReference<>(SessionState.CONNECTING);
    /** Frames for the dispatcher and the transport's credit (see the class comment). */
    private final InboundWindow inbound = new InboundWindow(INBOUND_CAPACITY, CREDIT_BATCH);
    /** The outbound side: queue, encoding, writer thread. */
    private final SessionWriter out;
    /** The inbound side: the reader thread, the listener, the state it tracks. */
    private final SessionDispatcher reader;
    private final SessionPings pings;
    /** Set once, by the first {@link #terminate}. */
    private final AtomicReference<LiveEvent.Closed> terminal = new AtomicReference<>();
    /** Counted down by {@link #terminate}: the connection is done (the terminal event may still be in delivery). */
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final CompletableFuture<LiveSession> connected = new CompletableFuture<>();

    /** Set once by the transport's onOpen (before any frame arrives). */
    private volatile Transport.Connection connection;
    private volatile Future<?> connectDeadline;
    private volatile Future<?> closeDeadline;

    /** Set by start() before the handshake; read by the dispatcher at setupComplete: the encoded initial history. */
    private volatile List<String> historyFrames = List.of();

    RealLiveSession(String id, ClientConfig client, SessionConfig config, LiveProvider provider, Transport transport,
            ScheduledExecutorService timer, SessionListener listener, Runnable onTerminated) {
        this.id = id;
        this.client = client;
        this.config = config;
        this.provider = provider;
        this.codec = provider.open(client, config);
        this.transport = transport;
        this.timer = timer;
        this.onTerminated = onTerminated;
        this.out = new SessionWriter(this, client, codec);
        this.reader = new SessionDispatcher(this, client, codec, inbound, out, listener);
        this.pings = new SessionPings(this, client, timer, inbound);
    }

    // ---- connecting ------------------------------------------------------------------------------------------

    /** Keeps the frames still queued at termination (see {@link #unsentFrames()}); call before {@link #start()}. */
    void retainUnsentFrames() {
        out.retainUnsentFrames();
    }

    /** Where the socket's I/O should run, if the transport can ({@link Transport.ConnectRequest#ioAffinity()}); before start. */
    void ioAffinity(java.util.concurrent.Executor executor) {
        this.ioAffinity = executor;
    }

    /**
     * After termination: the frames the caller sent that were queued but never handed to the socket, in sending order,
     * each with the message it encodes, if {@link #retainUnsentFrames()} was called; otherwise empty. The one frame
     * being written at that moment is not included: whether the server got it is unknown.
     */
    List<OutboundQueue.Message> unsentFrames() {
        return out.unsentFrames();
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
        reader.start();
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
            if (ioAffinity != null) {
                request = request.withIoAffinity(ioAffinity);
            }
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
        out.queueFirst(opening);
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
        // Chained after open() returned, so it may run after setupComplete was delivered (a fast upstream): harmless,
        // it emits nothing. Failure: terminate() (idempotent). Success: abort if already over, as onOpen does too.
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
            out.start(c);
            inbound.opened(c); // before any message
            pings.start(c);
        }

        @Override
        public void onMessage(Transport.InboundFrame frame) {
            if (!reader.tryOnIoThread(frame)) {
                inbound.frame(frame);
            }
        }

        @Override
        public void onPong() {
            pings.pong();
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
    void lostConnection(String why, Throwable cause) {
        LiveException error = state.get() == SessionState.CLOSING ? null
                : new LiveException(Kind.UNAVAILABLE, why, CloseCodes.ABNORMAL, "", -1, cause);
        terminate(CloseCodes.ABNORMAL, why, error, Exit.ABORT);
    }

    /** Reader thread ({@link SessionDispatcher}): setupComplete arrived. False if the session ended meanwhile. */
    boolean opened(LiveEvent.SetupCompleted done) {
        if (!state.compareAndSet(SessionState.CONNECTING, SessionState.OPEN)) {
            return false;
        }
        cancel(connectDeadline);
        log.debug("session {}: open (server session id {})", id, done.sessionId());
        // Initial history goes before anything a caller sends: nobody holds this session until `connected` completes
        // below, so the queue is empty here and it is written first. Unbounded: it is part of the opening.
        // All at once: the writer is running, and would otherwise send a later frame before an earlier one.
        out.queueFirst(historyFrames);
        // Completes synchronously: stages chained with non-async methods run here, before SetupCompleted is delivered
        // (what ClientRuntime.connectRetaining relies on).
        return connected.complete(this);
    }

    // ---- termination -----------------------------------------------------------------------------------------

    /**
     * The one way a session ends. Idempotent: only the first call has an effect. Any thread; never blocks.
     *
     * @param code   close code for the terminal event (and, with {@link Exit#CLOSE_FRAME}, for the server)
     * @param reason close reason or local description
     * @param error  null for a close the client asked for
     */
    void terminate(int code, String reason, LiveException error, Exit exit) {
        LiveEvent.Closed closed = new LiveEvent.Closed(code, reason, error);
        if (!terminal.compareAndSet(null, closed)) {
            return;
        }
        state.set(error == null ? SessionState.CLOSED : SessionState.FAILED);
        out.shutdown();
        cancel(connectDeadline);
        pings.stop();
        cancel(closeDeadline);
        out.interrupt();
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
                out.closeAfterDrain();
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
        if (reader.onReaderThread()) {
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
    String setupAdvice() {
        return "reconnect with a new SessionConfig (and the resumption handle)";
    }

    @Override
    SendResult submit(ClientMessage message) {
        SessionState s = state.get();
        if (s == SessionState.CLOSING || s.isTerminal()) {
            return SendResult.CLOSED;
        }
        return out.send(message);
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
        out.playback(played);
    }

    /**
     * After termination: the commands behind {@link #unsentFrames()}, in sending order, for re-sending on another
     * connection (which encodes them for its own state). Taken from the queue's record of what each frame encodes,
     * never by decoding the wire; a command whose first frame was written is not included (the server has part of it).
     */
    public List<ClientMessage> unsentCommands() {
        return OutboundQueue.commands(out.unsentFrames());
    }

    /**
     * What may be dropped under pressure ({@link OutboundQueue#laneOf}); every message keeps its place in the order.
     */
    static OutboundQueue.Lane laneOf(ClientMessage m) {
        return OutboundQueue.laneOf(m);
    }

    @Override
    public long queuedBytes() {
        return out.queuedBytes();
    }

    @Override
    public long droppedMessages() {
        return out.droppedMessages();
    }

    @Override
    public long droppedBytes() {
        return out.droppedBytes();
    }

    @Override
    public SessionState state() {
        return state.get();
    }

    @Override
    public String sessionId() {
        return reader.sessionId();
    }

    @Override
    public String resumptionHandle() {
        return reader.resumptionHandle();
    }

    @Override
    public boolean resumable() {
        return reader.resumable();
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

    /** Whether the session has terminated (any thread). */
    boolean isTerminated() {
        return terminal.get() != null;
    }

    /** Wire log; any thread. The consumer must be thread-safe. */
    void wire(String line) {
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

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown cause";
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + Redactor.redact(t.getMessage()));
    }
}
