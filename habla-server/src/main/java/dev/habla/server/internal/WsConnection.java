package dev.habla.server.internal;

import dev.habla.protocol.ClientFrame;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.Strictness;
import dev.habla.server.AuthResult;
import dev.habla.server.CloseReasons;
import dev.habla.server.LiveConnection;
import dev.habla.server.LiveEndpoint;
import dev.habla.server.LiveHandler;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Live WebSocket: Jetty's listener for it, strict decoding of its client frames, and its single bounded writer.
 * Or, when created for a {@link SocketRoute} (another wire on the same server), the same writer with frames handed to
 * a {@link SocketHandler} undecoded: then {@code route}, {@code request} and {@code socketHandler} are set and the
 * Live members ({@code endpoint}, {@code handler}) are not.
 *
 * <p>Threads: Jetty delivers frames on its virtual threads, one at a time per connection. Data frames are written by
 * one writer at a time, {@code writeLock} held: either the writer (one virtual thread draining {@code outbound}) or,
 * when nothing is queued or being written, the thread that sends the frame, inline (see {@link #writeInline}), which
 * spares a wake-up of the writer per frame; a send that Jetty has not completed by then is left in {@code pending} for
 * the writer to wait for (the write timeout). {@code lock} (exposed as {@link #lock()}) is held around every handler
 * callback and taken by the writer before each write (an inline write happens only when the sending thread can take
 * it and does not hold it); it guards {@code handler}, {@code paused} and {@code pauseGeneration}. {@code outbound},
 * {@code unwritten} and {@code queuedBytes} are thread-safe and fed with or without it.
 */
public final class WsConnection implements Session.Listener.AutoDemanding, LiveConnection, SocketConnection {
    private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);

    private sealed interface Out {
        default long size() {
            return 0;
        }
    }

    private record Binary(byte[] bytes) implements Out {
        @Override
        public long size() {
            return bytes.length;
        }
    }

    private record Text(String text) implements Out {
        @Override
        public long size() {
            return text.length();
        }
    }

    private record CloseFrame(int code, String reason) implements Out {}

    private record Stop() implements Out {}

    /** An inline write left {@code pending}: the writer waits for it (within the write timeout) even if nothing follows. */
    private record Wake() implements Out {}

    /** Where {@link #pauseOutput()} was called in the outbound order: the writer waits here while that pause lasts. */
    private record PauseMark(long generation) implements Out {}

    private static final byte OP_CONTINUATION = 0;
    private static final byte OP_TEXT = 1;
    private static final byte OP_BINARY = 2;
    private static final byte OP_PING = 9;
    private static final int MESSAGE_TOO_BIG = 1009;

    private final ServerCore core;
    private final String id;
    private final LiveEndpoint endpoint;
    private final AuthResult auth;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notPaused = lock.newCondition();
    private final LinkedBlockingQueue<Out> outbound = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Items put in {@code outbound} and not yet done by the writer: while above zero, nothing is written inline. */
    private final AtomicInteger unwritten = new AtomicInteger();
    /** One writer at a time: held while a data frame is handed to Jetty, and by the writer while it waits for a send. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** An inline send not yet completed when its writer returned, and its deadline; guarded by writeLock. */
    private Callback.Completable pending;
    private long pendingDeadlineNanos;
    /** The writer has ended (close frame sent, stopped or failed): nothing more is written. Guarded by writeLock. */
    private boolean writerEnded;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean cleanedUp = new AtomicBoolean();
    /** Released when the writer is done: close frame sent, TCP dropped or connection gone. */
    private final CountDownLatch writerDone = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile Session session;

    /** The message being joined from several frames; Jetty's reader thread only. */
    private byte[] partial;
    private int partialLength;
    private boolean partialBinary;

    private LiveHandler handler;
    /** Whether the handler takes {@link ClientMessage.Raw} audio input; written once when it opens, read by inbound. */
    private volatile boolean rawAudio;
    /** Set for a {@link SocketRoute} connection only (see the class comment). */
    private final SocketRoute route;
    private final SocketRequest request;
    private SocketHandler socketHandler;
    private boolean paused;
    /** Counts pauses (not repeats of one), so a writer at an old pause's mark does not wait for a later one. */
    private long pauseGeneration;

    WsConnection(ServerCore core, String id, LiveEndpoint endpoint, AuthResult auth) {
        this.core = core;
        this.id = id;
        this.endpoint = endpoint;
        this.auth = auth;
        this.route = null;
        this.request = null;
    }

    /** A connection of another wire, served by {@code route}. */
    WsConnection(ServerCore core, String id, SocketRoute route, SocketRequest request) {
        this.core = core;
        this.id = id;
        this.endpoint = null;
        this.auth = AuthResult.accept("socket");
        this.route = route;
        this.request = request;
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
        return enqueue(new Binary(LiveCodec.encode(frame)));
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
        return enqueue(new Text(text));
    }

    @Override
    public boolean sendEncoded(byte[] utf8Json) {
        if (closing.get()) {
            return false;
        }
        return enqueue(new Binary(utf8Json));
    }

    @Override
    public boolean sendRaw(String json, boolean binary) {
        if (closing.get()) {
            return false;
        }
        return enqueue(binary ? new Binary(json.getBytes(StandardCharsets.UTF_8)) : new Text(json));
    }

    /** Queues {@code o} within the byte budget; past it, the client is too slow: drop what is queued and close. */
    private boolean enqueue(Out o) {
        long size = o.size();
        long after = queuedBytes.addAndGet(size);
        if (after > core.maxOutboundBytes && after != size) {
            queuedBytes.addAndGet(-size);
            if (closing.compareAndSet(false, true)) {
                LOG.warn("Connection {}: client not reading, {} bytes queued; closing", id, after - size);
                discardQueued();
                queue(new CloseFrame(CloseCodes.POLICY, CloseCodes.truncate(CloseReasons.slowClient(core.maxOutboundBytes))));
            }
            return false;
        }
        if (writeInline(o)) {
            return true;
        }
        queue(o);
        return true;
    }

    /** For the writer, behind everything queued. */
    private void queue(Out o) {
        unwritten.incrementAndGet();
        outbound.add(o);
    }

    /**
     * Writes data frame {@code o} on the calling thread if that keeps the order and the rules of the writer: nothing
     * queued or being written, no inline send still pending, output not paused, and the connection's {@code lock} free
     * (so, as for the writer, no handler step is under way; a thread inside one, holding it, queues instead). Never
     * blocks: both locks are only tried, and Jetty's send with a callback does not wait for the socket. False if the
     * frame must be queued instead.
     */
    private boolean writeInline(Out o) {
        Session s = session;
        if (s == null || unwritten.get() != 0 || lock.isHeldByCurrentThread() || !lock.tryLock()) {
            return false;
        }
        try {
            if (paused || !writeLock.tryLock()) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        try {
            if (writerEnded || pending != null || unwritten.get() != 0) {
                return false;
            }
            queuedBytes.addAndGet(-o.size());
            long start = System.nanoTime();
            Callback.Completable c = new Callback.Completable();
            try {
                startSend(s, o, c);
            } catch (RuntimeException e) {
                c.completeExceptionally(e);
            }
            if (!c.isDone() || c.isCompletedExceptionally()) {
                // The writer waits for it, within the write timeout counted from now, and handles a failure as its own.
                pending = c;
                pendingDeadlineNanos = start + core.writeTimeout.toNanos();
                queue(new Wake());
            }
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    private static void startSend(Session s, Out o, Callback c) {
        switch (o) {
            case Binary b -> s.sendBinary(ByteBuffer.wrap(b.bytes()), c);
            case Text t -> s.sendText(t.text(), c);
            default -> throw new IllegalStateException("not a data frame: " + o);
        }
    }

    private void discardQueued() {
        List<Out> dropped = new ArrayList<>();
        outbound.drainTo(dropped);
        for (Out d : dropped) {
            queuedBytes.addAndGet(-d.size());
            unwritten.decrementAndGet();
        }
    }

    @Override
    public void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            LOG.debug("Connection {}: closing {} {}", id, code, reason);
            queue(new CloseFrame(code, CloseCodes.truncate(reason == null ? "" : reason)));
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
        discardQueued();
        queue(new Stop());
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
        lock.lock();
        try {
            if (!paused) {
                // Under the lock handlers send with: what they produced before this point is on its way.
                paused = true;
                pauseGeneration++;
                queue(new PauseMark(pauseGeneration));
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resumeOutput() {
        lock.lock();
        try {
            paused = false;
            notPaused.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long queuedBytes() {
        return queuedBytes.get();
    }

    // ---- Jetty callbacks ----

    @Override
    public void onWebSocketOpen(Session s) {
        this.session = s;
        Thread.ofVirtual().name("habla-server-writer-" + id).start(this::writeLoop);
        if (auth instanceof AuthResult.Rejected r) {
            // Like the service: accept the upgrade, then close; clients can read the reason.
            close(r.code(), r.reason());
            return;
        }
        if (route != null) {
            core.openedSocket(this);
            lock.lock();
            try {
                socketHandler = route.handlers().open(this);
            } catch (RuntimeException e) {
                LOG.warn("Connection {}: handler failed to open", id, e);
                close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
            } finally {
                lock.unlock();
            }
            return;
        }
        core.opened(this);
        lock.lock();
        try {
            handler = core.handlers.open(this);
            rawAudio = handler != null && handler.acceptsRawAudio();
        } catch (RuntimeException e) {
            LOG.warn("Connection {}: handler failed to open", id, e);
            close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Every frame arrives here, not in Jetty's message callbacks: Jetty joins a text message char by char (its
     * {@code Utf8StringBuilder}), the largest cost of a busy gateway; here the frames of a message are joined as
     * bytes and decoded straight from UTF-8. Jetty's reader thread, one frame at a time per connection (the next is
     * demanded when this returns); Jetty still enforces the frame size limit and answers close frames itself.
     */
    @Override
    public void onWebSocketFrame(Frame frame, Callback callback) {
        switch (frame.getOpCode()) {
            case OP_TEXT, OP_BINARY, OP_CONTINUATION -> data(frame, callback);
            // As Jetty's own handler does without a ping callback: the pong goes out at once, beside the writer (Jetty
            // serialises frames on the socket); the frame's buffer is released when the pong is sent.
            case OP_PING -> session.sendPong(frame.hasPayload() ? frame.getPayload() : ByteBuffer.allocate(0), callback);
            default -> callback.succeed(); // close (Jetty answers it and reports onWebSocketClose), pong
        }
    }

    /** One data frame: joined with the message's earlier frames (copied: Jetty reuses the buffer after the callback). */
    private void data(Frame frame, Callback callback) {
        if (closing.get()) {
            // Nothing is delivered once closing (inbound() would drop it): the rest of a refused message is not joined.
            partial = null;
            partialLength = 0;
            callback.succeed();
            return;
        }
        ByteBuffer payload = frame.getPayload();
        int n = payload == null ? 0 : payload.remaining();
        if (frame.getOpCode() != OP_CONTINUATION) {
            partialBinary = frame.getOpCode() == OP_BINARY;
            partialLength = 0;
            partial = null;
        }
        long total = (long) partialLength + n;
        if (total > core.maxMessageBytes) {
            callback.succeed();
            partial = null;
            partialLength = 0;
            close(MESSAGE_TOO_BIG, CloseCodes.truncate((partialBinary ? "Binary" : "Text") + " message too large: "
                    + total + " > " + core.maxMessageBytes));
            return;
        }
        if (partial == null && frame.isFin()) {
            // The common case, a whole message in one frame: one copy, no joining buffer kept.
            byte[] b = new byte[n];
            if (n > 0) {
                payload.get(b);
            }
            callback.succeed();
            message(b, n, partialBinary);
            return;
        }
        if (partial == null || total > partial.length) {
            long doubled = Math.max(8192, (partial == null ? 0 : partial.length) * 2L);
            partial = Arrays.copyOf(partial == null ? new byte[0] : partial, (int) Math.max(total, Math.min(core.maxMessageBytes, doubled)));
        }
        if (n > 0) {
            payload.get(partial, partialLength, n);
        }
        partialLength = (int) total;
        callback.succeed();
        if (frame.isFin()) {
            byte[] b = partial;
            int len = partialLength;
            partial = null; // a joining buffer is not kept between messages (memory per idle connection)
            partialLength = 0;
            message(b, len, partialBinary);
        }
    }

    /** A whole message in {@code b[0, n)}; text must be valid UTF-8, as RFC 6455 requires (Jetty closed 1007 too). */
    private void message(byte[] b, int n, boolean binary) {
        if (!binary && !Utf8.valid(b, n)) {
            LOG.debug("Connection {}: text frame is not valid UTF-8", id);
            close(CloseCodes.INVALID_ARGUMENT, "Invalid UTF-8");
            return;
        }
        if (route != null) {
            socketInbound(binary ? null : new String(b, 0, n, StandardCharsets.UTF_8),
                    binary ? (b.length == n ? b : Arrays.copyOf(b, n)) : null);
            return;
        }
        inbound(b, n, binary);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("Connection {} error: {}", id, cause.toString());
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closed = true;
        closing.set(true);
        if (!cleanedUp.compareAndSet(false, true)) {
            return;
        }
        queue(new Stop());
        lock.lock();
        try {
            paused = false;
            notPaused.signalAll();
            if (handler != null) {
                handler.onClose(statusCode, reason == null ? "" : reason);
            }
            if (socketHandler != null) {
                socketHandler.onClose(statusCode, reason == null ? "" : reason);
            }
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

    // ---- inbound ----

    /**
     * Decodes and delivers one client message. Text is decoded from its UTF-8 bytes (the same result as from the
     * string, without building it); binary frames go through a string as before, so that malformed UTF-8 in them keeps
     * its lenient reading. The observer's raw string is built only when there is an observer.
     */
    private void inbound(byte[] b, int n, boolean binary) {
        if (closing.get() || !(auth instanceof AuthResult.Accepted)) {
            return;
        }
        boolean observed = core.observer != ServerCore.NO_OBSERVER;
        // The relay's fast path (a handler that asked for it, no observer): plain audio input keeps its text and is not
        // decoded as JSON. The matcher takes only ASCII, which reads the same from a text or a binary frame; anything
        // else falls through to the strict decoder below, errors and close codes included.
        ClientMessage msg = rawAudio && !observed ? LiveCodec.recogniseAudioInput(b, 0, n) : null;
        if (msg != null) {
            deliver(msg);
            return;
        }
        String raw = binary || observed ? new String(b, 0, n, StandardCharsets.UTF_8) : null;
        try {
            ClientFrame f = binary ? LiveCodec.decodeClient(raw, Strictness.STRICT) : LiveCodec.decodeClient(b, 0, n, Strictness.STRICT);
            msg = f.message();
        } catch (ProtocolException e) {
            observe(null, raw, binary);
            LOG.debug("Connection {}: undecodable client frame: {}", id, e.getMessage());
            close(CloseCodes.INVALID_ARGUMENT, CloseReasons.forDecodeError(e));
            return;
        } catch (RuntimeException e) {
            observe(null, raw, binary);
            close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
            return;
        }
        observe(msg, raw, binary);
        deliver(msg);
    }

    private void deliver(ClientMessage msg) {
        lock.lock();
        try {
            if (!closing.get() && handler != null) {
                handler.onMessage(msg);
            }
        } catch (RuntimeException e) {
            // A bug or unexpected input must not take down the server: end this connection only.
            LOG.warn("Connection {}: internal error handling {}", id, msg.wireKey(), e);
            close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        } finally {
            lock.unlock();
        }
    }

    private void observe(ClientMessage msg, String raw, boolean binary) {
        if (core.observer != ServerCore.NO_OBSERVER) {
            core.observer.onFrame(this, msg, raw, binary);
        }
    }

    /** A frame of a {@link SocketRoute} connection: to its handler as is, under the lock. */
    private void socketInbound(String text, byte[] binary) {
        if (closing.get()) {
            return;
        }
        lock.lock();
        try {
            if (!closing.get() && socketHandler != null) {
                if (text != null) {
                    socketHandler.onText(text);
                } else {
                    socketHandler.onBinary(binary);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Connection {}: internal error handling a frame on {}", id, route.path(), e);
            close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        } finally {
            lock.unlock();
        }
    }

    // ---- the writer ----

    /** Waits until the writer has flushed its close frame (or ended), at most {@code timeout}. */
    void awaitWriterDone(Duration timeout) {
        try {
            writerDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        try {
            writeFrames();
        } finally {
            writeLock.lock();
            try {
                writerEnded = true;
            } finally {
                writeLock.unlock();
            }
            writerDone.countDown();
        }
    }

    private void writeFrames() {
        Session s = session;
        long timeoutMs = core.writeTimeout.toMillis();
        try {
            while (true) {
                Out o = outbound.take();
                queuedBytes.addAndGet(-o.size());
                awaitWritable(o);
                if (o instanceof Stop) {
                    return;
                }
                writeLock.lock();
                try {
                    if (!write(s, o, timeoutMs)) {
                        return;
                    }
                } finally {
                    // Done with o only now: until here no frame may be written inline (it would overtake o).
                    unwritten.decrementAndGet();
                    writeLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("Connection {}: write failed: {}", id, e.toString());
            closing.set(true);
            s.disconnect();
        }
    }

    /**
     * Writes {@code o} after the inline send still pending, if any; writeLock held. False once the writer is done
     * (close frame sent).
     */
    private boolean write(Session s, Out o, long timeoutMs) throws Exception {
        Callback.Completable p = pending;
        if (p != null) {
            pending = null;
            p.get(Math.max(0, pendingDeadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        switch (o) {
            case PauseMark m -> { }
            case Wake w -> { }
            case Binary b -> {
                Callback.Completable c = new Callback.Completable();
                s.sendBinary(ByteBuffer.wrap(b.bytes()), c);
                c.get(timeoutMs, TimeUnit.MILLISECONDS);
            }
            case Text t -> {
                Callback.Completable c = new Callback.Completable();
                s.sendText(t.text(), c);
                c.get(timeoutMs, TimeUnit.MILLISECONDS);
            }
            case CloseFrame cf -> {
                writerEnded = true; // nothing is written inline after the close frame
                Callback.Completable c = new Callback.Completable();
                s.close(cf.code(), cf.reason(), c);
                try {
                    c.get(5, TimeUnit.SECONDS);
                } finally {
                    // Some clients (the Java SDK) never answer a close frame and keep TCP open.
                    core.afterCloseGrace(() -> {
                        if (!closed) {
                            s.disconnect();
                        }
                    });
                }
                return false;
            }
            case Stop st -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Before writing {@code o}: takes {@code lock}, so the handler step that queued it has finished (and armed its
     * timers) before the client can see the frame; at a {@link PauseMark}, also waits until that pause is over.
     */
    private void awaitWritable(Out o) throws InterruptedException {
        lock.lock();
        try {
            while (o instanceof PauseMark m && paused && pauseGeneration == m.generation() && !closed) {
                notPaused.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return route != null ? "SocketConnection[" + id + ", " + route.path() + "]" : "LiveConnection[" + id + ", " + endpoint + "]";
    }
}
