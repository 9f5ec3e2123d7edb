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
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Live WebSocket: Jetty's listener for it and the connection's identity and lifecycle (open, close, abort), the
 * {@link LiveConnection} its handler answers on. Its two paths are their own classes: {@link Inbound} (client frames
 * joined, checked, strictly decoded and delivered to the handler) and {@link FrameWriter} (its single bounded
 * writer). Or, when created for a {@link SocketRoute} (another wire on the same server), the same writer with frames
 * handed to a {@link SocketHandler} undecoded: then {@code route} and {@code request} are set and {@code endpoint} is
 * not (the {@link SocketConnection} API).
 *
 * <p>Threads: Jetty delivers frames on its virtual threads, one at a time per connection. {@code lock} (exposed as
 * {@link #lock()}) is held around every handler callback ({@link Inbound}) and taken by the writer before each write
 * ({@link FrameWriter}: one writer at a time, {@code writeLock} held, inline on the sending thread only when that
 * thread can take {@code lock} and does not hold it); it guards the handlers and the pause state. {@code closing} is
 * set once no more frames are accepted (close, abort, the peer's close, a slow client or a failed write: the writer
 * shares it); sends check it first, from any thread.
 */
public final class WsConnection implements Session.Listener.AutoDemanding, LiveConnection, SocketConnection {
    private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);

    private final ServerCore core;
    private final String id;
    private final LiveEndpoint endpoint;
    private final AuthResult auth;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean cleanedUp = new AtomicBoolean();
    private final FrameWriter writer;
    private final Inbound inbound;
    /** Set once, when the socket opens (Jetty's thread); for pongs and abort. The writer has its own copy. */
    private volatile Session session;
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
        this.writer = new FrameWriter(core, id, lock, closing);
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
        if (closing.compareAndSet(false, true)) {
            LOG.debug("Connection {}: closing {} {}", id, code, reason);
            writer.closeFrame(code, CloseCodes.truncate(reason == null ? "" : reason));
        }
    }

    /**
     * Drops TCP without a close frame, as a reset (RST), not an orderly end of stream (FIN): the JDK WebSocket client
     * (JDK 21-25) loses a FIN that arrives while its listener holds no read demand (its transport stops reading and
     * never calls onClose/onError), which happens whenever the FIN lands between a delivered message and the listener's
     * next request; a reset it reports as an error whatever the demand. Any thread.
     */
    @Override
    public void abort() {
        closing.set(true);
        writer.stopNow();
        Session s = session;
        if (s != null) {
            resetOnClose(s);
            s.disconnect();
        }
    }

    /** SO_LINGER 0, so that closing the socket sends RST; where the socket is not reachable, disconnect() sends FIN. */
    private void resetOnClose(Session s) {
        if (s instanceof WebSocketSession ws && ws.getCoreSession() instanceof WebSocketCoreSession core
                && core.getConnection().getEndPoint().getTransport() instanceof SocketChannel channel) {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException e) {
                LOG.debug("Connection {}: cannot set SO_LINGER before abort: {}", id, e.toString());
            }
        }
    }

    @Override
    public boolean isClosing() {
        return closing.get();
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

    // ---- Jetty callbacks ----

    @Override
    public void onWebSocketOpen(Session s) {
        this.session = s;
        writer.start(s);
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
     * Every frame arrives here, not in Jetty's message callbacks: Jetty joins a text message char by char (its
     * {@code Utf8StringBuilder}), the largest cost of a busy gateway; here ({@link Inbound}) the frames of a message
     * are joined as bytes and decoded straight from UTF-8. Jetty's reader thread, one frame at a time per connection
     * (the next is demanded when this returns); Jetty still enforces the frame size limit and answers close frames
     * itself.
     */
    @Override
    public void onWebSocketFrame(Frame frame, Callback callback) {
        switch (frame.getOpCode()) {
            case Inbound.OP_TEXT, Inbound.OP_BINARY, Inbound.OP_CONTINUATION -> inbound.data(frame, callback);
            // As Jetty's own handler does without a ping callback: the pong goes out at once, beside the writer (Jetty
            // serialises frames on the socket); the frame's buffer is released when the pong is sent.
            case Inbound.OP_PING -> session.sendPong(frame.hasPayload() ? frame.getPayload() : ByteBuffer.allocate(0), callback);
            default -> callback.succeed(); // close (Jetty answers it and reports onWebSocketClose), pong
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("Connection {} error: {}", id, cause.toString());
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        writer.markClosed();
        closing.set(true);
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
