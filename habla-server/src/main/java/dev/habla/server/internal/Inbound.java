package dev.habla.server.internal;

import dev.habla.protocol.ClientFrame;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.Strictness;
import dev.habla.server.CloseReasons;
import dev.habla.server.LiveHandler;
import dev.habla.server.SocketHandler;
import dev.habla.server.SocketRoute;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound path of one {@link WsConnection}, and the handler it leads to: data frames joined as bytes into
 * messages, the message size limit, the UTF-8 check, the relay's audio fast path, strict decoding (the observer sees
 * each frame first), and the connection's handler: opened, given each message, told of the close, always under the
 * connection's {@code lock}. For a {@link SocketRoute} connection ({@code route} set), messages go to its
 * {@link SocketHandler} undecoded.
 *
 * <p>Threads: frames arrive on the connection's delivery thread (a virtual thread, see {@link NettyFrames}), one at a
 * time per connection, or on the event loop standing in for it while none runs ({@link #tryAudioOnIoThread}); the
 * joining buffer is theirs only, handed from one to the next through {@link NettyFrames}' event count. {@code lock} (the connection's, also taken by its writer before each write) is held around every
 * handler callback and guards {@code handler} and {@code socketHandler}.
 */
final class Inbound {
    private static final Logger LOG = LoggerFactory.getLogger(Inbound.class);

    static final byte OP_CONTINUATION = 0;
    static final byte OP_TEXT = 1;
    static final byte OP_BINARY = 2;
    static final byte OP_PING = 9;
    private static final int MESSAGE_TOO_BIG = 1009;

    private final WsConnection conn;
    private final ServerCore core;
    private final String id;
    private final ReentrantLock lock;
    /** Whether the upgrade was authenticated: a rejected connection has no handler and delivers nothing. */
    private final boolean accepted;
    /** Set for a {@link SocketRoute} connection only. */
    private final SocketRoute route;

    /** The message being joined from several frames; the delivery thread only. */
    private byte[] partial;
    private int partialLength;
    private boolean partialBinary;

    private LiveHandler handler;
    /** Whether the handler takes {@link ClientMessage.Raw} audio input; written once when it opens, read by inbound. */
    private volatile boolean rawAudio;
    /** Whether it takes that audio on the I/O thread ({@link LiveHandler#rawAudioOnIoThread()}); written once when it opens. */
    private volatile boolean audioOnIoThread;
    private SocketHandler socketHandler;

    /** For {@code conn}: a Live connection if {@code route} is null, else a connection of that route. */
    Inbound(WsConnection conn, ServerCore core, String id, ReentrantLock lock, boolean accepted, SocketRoute route) {
        this.conn = conn;
        this.core = core;
        this.id = id;
        this.lock = lock;
        this.accepted = accepted;
        this.route = route;
    }

    /** Opens the connection's handler under the lock; one that throws closes the connection (1011). The delivery thread. */
    void openHandler() {
        lock.lock();
        try {
            if (route != null) {
                socketHandler = route.handlers().open(conn);
            } else {
                handler = core.handlers.open(conn);
                rawAudio = handler != null && handler.acceptsRawAudio();
                audioOnIoThread = rawAudio && handler.rawAudioOnIoThread();
            }
        } catch (RuntimeException e) {
            LOG.warn("Connection {}: handler failed to open", id, e);
            conn.close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        } finally {
            lock.unlock();
        }
    }

    /** Tells the handler (if one opened) of the close; {@code lock} held by the caller, which handles a throw. */
    void closeHandler(int statusCode, String reason) {
        if (handler != null) {
            handler.onClose(statusCode, reason);
        }
        if (socketHandler != null) {
            socketHandler.onClose(statusCode, reason);
        }
    }

    /** Whether plain audio may be tried on the I/O thread ({@link #audioOnIoThread}); any thread. */
    boolean audioOnIoThread() {
        return audioOnIoThread;
    }

    /**
     * The I/O thread, standing in for the delivery thread while none runs (the caller guarantees that, as it
     * guarantees one delivery thread at a time): hands a whole one-frame message to the handler if it is plain audio
     * input and the lock is free at once, and says whether it did. False leaves everything as it was: the frame then
     * goes the delivery thread's way, which checks it again from the start.
     */
    boolean tryAudioOnIoThread(byte opcode, byte[] payload) {
        if (opcode == OP_CONTINUATION || partial != null || route != null || !accepted || conn.inboundStopped()
                || payload.length > core.maxMessageBytes || core.observer != ServerCore.NO_OBSERVER) {
            return false;
        }
        // ASCII only (so valid UTF-8, read the same from a text or a binary frame), exactly plain audio input.
        ClientMessage msg = LiveCodec.recogniseAudioInput(payload, 0, payload.length);
        if (msg == null || !lock.tryLock()) {
            return false;
        }
        try {
            handle(msg);
        } finally {
            lock.unlock();
        }
        return true;
    }

    /**
     * One data frame ({@code opcode} text, binary or continuation; {@code payload} unmasked, the array is the message's
     * from now on): joined with the message's earlier frames.
     */
    void data(byte opcode, boolean fin, byte[] payload) {
        if (conn.inboundStopped()) {
            // Nothing is delivered once closing (inbound() would drop it): the rest of a refused message is not joined.
            partial = null;
            partialLength = 0;
            return;
        }
        int n = payload.length;
        if (opcode != OP_CONTINUATION) {
            partialBinary = opcode == OP_BINARY;
            partialLength = 0;
            partial = null;
        }
        long total = (long) partialLength + n;
        if (total > core.maxMessageBytes) {
            partial = null;
            partialLength = 0;
            conn.close(MESSAGE_TOO_BIG, CloseCodes.truncate((partialBinary ? "Binary" : "Text") + " message too large: "
                    + total + " > " + core.maxMessageBytes));
            return;
        }
        if (partial == null && fin) {
            // The common case, a whole message in one frame: the frame's own copy, no joining buffer kept.
            message(payload, n, partialBinary);
            return;
        }
        if (partial == null || total > partial.length) {
            long doubled = Math.max(8192, (partial == null ? 0 : partial.length) * 2L);
            partial = Arrays.copyOf(partial == null ? new byte[0] : partial, (int) Math.max(total, Math.min(core.maxMessageBytes, doubled)));
        }
        System.arraycopy(payload, 0, partial, partialLength, n);
        partialLength = (int) total;
        if (fin) {
            byte[] b = partial;
            int len = partialLength;
            partial = null; // a joining buffer is not kept between messages (memory per idle connection)
            partialLength = 0;
            message(b, len, partialBinary);
        }
    }

    /** A whole message in {@code b[0, n)}; text must be valid UTF-8, as RFC 6455 requires (else 1007). */
    private void message(byte[] b, int n, boolean binary) {
        if (!binary && !Utf8.valid(b, n)) {
            LOG.debug("Connection {}: text frame is not valid UTF-8", id);
            conn.close(CloseCodes.INVALID_ARGUMENT, "Invalid UTF-8");
            return;
        }
        if (route != null) {
            socketInbound(binary ? null : new String(b, 0, n, StandardCharsets.UTF_8),
                    binary ? (b.length == n ? b : Arrays.copyOf(b, n)) : null);
            return;
        }
        inbound(b, n, binary);
    }

    /**
     * Decodes and delivers one client message. Text is decoded from its UTF-8 bytes (the same result as from the
     * string, without building it); binary frames go through a string as before, so that malformed UTF-8 in them keeps
     * its lenient reading. The observer's raw string is built only when there is an observer.
     */
    private void inbound(byte[] b, int n, boolean binary) {
        if (conn.inboundStopped() || !accepted) {
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
            conn.close(CloseCodes.INVALID_ARGUMENT, CloseReasons.forDecodeError(e));
            return;
        } catch (RuntimeException e) {
            observe(null, raw, binary);
            conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
            return;
        }
        observe(msg, raw, binary);
        deliver(msg);
    }

    private void deliver(ClientMessage msg) {
        lock.lock();
        try {
            handle(msg);
        } finally {
            lock.unlock();
        }
    }

    /** Lock held: the message to the handler, unless closing; a throw ends this connection only. */
    private void handle(ClientMessage msg) {
        try {
            if (!conn.inboundStopped() && handler != null) {
                handler.onMessage(msg);
            }
        } catch (RuntimeException e) {
            // A bug or unexpected input must not take down the server: end this connection only.
            LOG.warn("Connection {}: internal error handling {}", id, msg.wireKey(), e);
            conn.close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        }
    }

    private void observe(ClientMessage msg, String raw, boolean binary) {
        if (core.observer != ServerCore.NO_OBSERVER) {
            core.observer.onFrame(conn, msg, raw, binary);
        }
    }

    /** A frame of a {@link SocketRoute} connection: to its handler as is, under the lock. */
    private void socketInbound(String text, byte[] binary) {
        if (conn.inboundStopped()) {
            return;
        }
        lock.lock();
        try {
            if (!conn.inboundStopped() && socketHandler != null) {
                if (text != null) {
                    socketHandler.onText(text);
                } else {
                    socketHandler.onBinary(binary);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Connection {}: internal error handling a frame on {}", id, route.path(), e);
            conn.close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        } finally {
            lock.unlock();
        }
    }
}
