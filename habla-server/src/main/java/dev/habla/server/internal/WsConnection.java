package dev.habla.server.internal;

import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ServerFrame;
import dev.habla.server.AuthResult;
import dev.habla.server.LiveConnection;
import dev.habla.server.LiveEndpoint;
import dev.habla.server.SocketConnection;
import dev.habla.server.SocketHandler;
import dev.habla.server.SocketRequest;
import dev.habla.server.SocketRoute;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Live WebSocket: the connection's identity and lifecycle (open, frames, close, abort) and the
 * {@link LiveConnection} its handler answers on. Its two paths are their own classes: {@link Inbound} (client frames
 * joined, checked, strictly decoded and delivered to the handler) and {@link FrameWriter} (its single bounded
 * writer); the socket is a {@link Wire} ({@link NettyFrames}). Or, when created for a {@link SocketRoute} (another
 * wire on the same server), the same writer with frames handed to a {@link SocketHandler} undecoded: then
 * {@code route} and {@code request} are set and {@code endpoint} is not (the {@link SocketConnection} API).
 *
 * <p>Threads: {@link #opened}, {@link #frame} and {@link #closed} come on the connection's delivery thread (a
 * virtual thread, one event at a time, in socket order; see {@link NettyFrames}). {@code lock} (exposed as
 * {@link #lock()}) is held around every handler callback ({@link Inbound}) and taken by the writer before each write
 * ({@link FrameWriter}: one writer at a time, {@code writeLock} held, inline on the sending thread only when that
 * thread can take {@code lock} and does not hold it); it guards the handlers and the pause state. {@code closing} is
 * set once no more frames are accepted (close, abort, the peer's close, a slow client or a failed write: the writer
 * shares it); sends check it first, from any thread. Client messages stop with it in the socket's order
 * ({@link #stopInbound}).
 */
public final class WsConnection implements LiveConnection, SocketConnection {
    private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);

    private final ServerCore core;
    private final String id;
    private final LiveEndpoint endpoint;
    private final AuthResult auth;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean cleanedUp = new AtomicBoolean();
    /** Set once client messages are no longer delivered ({@link #stopInbound}); written and read on the delivery thread. */
    private volatile boolean inboundStopped;
    private final FrameWriter writer;
    private final Inbound inbound;
    /** Set once, when the socket opens; for abort. The writer has its own copy. */
    private volatile Wire wire;
    /** Set for a {@link SocketRoute} connection only (see the class comment). */
    private final SocketRoute route;
    private final SocketRequest request;

    WsConnection(ServerCore core, String id, LiveEndpoint endpoint, AuthResult auth) {
        this(core, id, endpoint, auth, null, null);
    }

    /** A connection of another wire, served by {@code route}. */
    WsConnection(ServerCore core, String id, SocketRoute route, SocketRequest request) {
        this(core, id, null, AuthResult.accept("socket"), route, request);
    }

    private WsConnection(ServerCore core, String id, LiveEndpoint endpoint, AuthResult auth, SocketRoute route, SocketRequest request) {
        this.core = core;
        this.id = id;
        this.endpoint = endpoint;
        this.auth = auth;
        this.route = route;
        this.request = request;
        this.writer = new FrameWriter(core, id, lock, this::startClosing);
        this.inbound = new Inbound(this, core, id, lock, auth instanceof AuthResult.Accepted, route);
    }

    // ---- LiveConnection ----

    @Override
    public String id() {
        return id;
    }

    @Override
    public LiveEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public String principal() {
        return auth instanceof AuthResult.Accepted a ? a.principal() : null;
    }

    @Override
    public ReentrantLock lock() {
        return lock;
    }

    @Override
    public boolean send(ServerFrame frame) {
        if (closing.get()) {
            return false;
        }
        return writer.binary(LiveCodec.encode(frame));
    }

    @Override
    public SocketRequest request() {
        return request;
    }

    @Override
    public boolean sendText(String text) {
        if (closing.get()) {
            return false;
        }
        return writer.text(text);
    }

    @Override
    public boolean sendEncoded(byte[] utf8Json) {
        if (closing.get()) {
            return false;
        }
        return writer.binary(utf8Json);
    }

    @Override
    public boolean sendRaw(String json, boolean binary) {
        if (closing.get()) {
            return false;
        }
        return binary ? writer.binary(json.getBytes(StandardCharsets.UTF_8)) : writer.text(json);
    }

    @Override
    public void close(int code, String reason) {
        if (startClosing()) {
            LOG.debug("Connection {}: closing {} {}", id, code, reason);
            writer.closeFrame(code, CloseCodes.truncate(reason == null ? "" : reason));
        }
    }

    @Override
    public java.util.concurrent.Executor ioExecutor() {
        Wire w = wire;
        return w == null ? null : w.ioExecutor();
    }

    /**
     * Drops TCP without a close frame, as a reset (RST), not an orderly end of stream (FIN): the JDK WebSocket client
     * (JDK 21-25) loses a FIN that arrives while its listener holds no read demand (its transport stops reading and
     * never calls onClose/onError), which happens whenever the FIN lands between a delivered message and the listener's
     * next request; a reset it reports as an error whatever the demand. Any thread.
     */

    @Override
    public void abort() {
        startClosing();
        writer.stopNow();
        Wire w = wire;
        if (w != null) {
            w.reset();
        }
    }

    @Override
    public boolean isClosing() {
        return closing.get();
    }

    /** Whether client messages are still delivered (see {@link #stopInbound}). Any thread; Inbound's check. */
    boolean inboundStopped() {
        return inboundStopped;
    }

    /**
     * Starts the closing once (close, abort, or the writer's slow-client limit and failed writes): no more frames are
     * accepted, and client messages stop ({@link #stopInbound}). True for the call that started it. Any thread.
     */
    private boolean startClosing() {
        if (!closing.compareAndSet(false, true)) {
            return false;
        }
        stopInbound();
        return true;
    }

    /**
     * The connection started closing: no client message is delivered after this point of the socket's order. On the
     * delivery thread (a handler or the inbound checks closing it) that is now: the message being handled is the last.
     * From another thread (a timer, a writer, the server shutting down) it is behind the frames already read: a client
     * that sent a message before our close reached it has it handled, as on a connection read without delay.
     */
    private void stopInbound() {
        Wire w = wire;
        if (w == null || w.onDeliveryThread()) {
            inboundStopped = true;
        } else {
            w.afterReadFrames(() -> inboundStopped = true);
        }
    }

    @Override
    public void pauseOutput() {
        writer.pause();
    }

    @Override
    public void resumeOutput() {
        writer.resume();
    }

    @Override
    public long queuedBytes() {
        return writer.queuedBytes();
    }

    /** Waits until the writer has flushed its close frame (or ended), at most {@code timeout}. */
    void awaitWriterDone(Duration timeout) {
        writer.awaitDone(timeout);
    }

    // ---- the socket's events, on the delivery thread ----

    /** The upgrade is done: the writer starts, a rejected upgrade is closed with its code, the handler opens. */
    void opened(Wire w) {
        this.wire = w;
        writer.start(w);
        if (auth instanceof AuthResult.Rejected r) {
            // Like the service: accept the upgrade, then close; clients can read the reason.
            close(r.code(), r.reason());
            return;
        }
        if (route != null) {
            core.openedSocket(this);
        } else {
            core.opened(this);
        }
        inbound.openHandler();
    }

    /**
     * A data frame (text, binary or continuation; control frames are the wire's), joined here ({@link Inbound}) as
     * bytes and decoded straight from UTF-8.
     */
    void frame(byte opcode, boolean fin, byte[] payload) {
        inbound.data(opcode, fin, payload);
    }

    /** Whether the handler takes plain audio on the I/O thread ({@link dev.habla.server.LiveHandler#rawAudioOnIoThread()}). */
    boolean audioOnIoThread() {
        return inbound.audioOnIoThread();
    }

    /** The I/O thread, while no delivery thread runs: see {@link Inbound#tryAudioOnIoThread}. */
    boolean tryAudioOnIoThread(byte opcode, byte[] payload) {
        return inbound.tryAudioOnIoThread(opcode, payload);
    }

    /** The socket has closed (the peer's close frame, ours answered, or TCP gone): the handler hears of it once. */
    void closed(int statusCode, String reason) {
        writer.markClosed();
        closing.set(true);
        inboundStopped = true;
        if (!cleanedUp.compareAndSet(false, true)) {
            return;
        }
        writer.stop();
        lock.lock();
        try {
            // resume() takes the lock again (re-entrant): the pause ends and the handler hears of the close in one hold.
            writer.resume();
            inbound.closeHandler(statusCode, reason == null ? "" : reason);
        } catch (RuntimeException e) {
            LOG.warn("Connection {}: handler failed on close", id, e);
        } finally {
            lock.unlock();
        }
        if (route != null) {
            core.closedSocket(this);
        } else if (auth instanceof AuthResult.Accepted) {
            core.closed(this);
        }
    }

    @Override
    public String toString() {
        return route != null ? "SocketConnection[" + id + ", " + route.path() + "]" : "LiveConnection[" + id + ", " + endpoint + "]";
    }
}
