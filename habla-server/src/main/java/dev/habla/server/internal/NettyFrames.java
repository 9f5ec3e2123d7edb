package dev.habla.server.internal;

import dev.habla.protocol.CloseCodes;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's side of one upgraded WebSocket: the last handler of its pipeline (after Netty's frame decoder, which unmasks,
 * enforces the frame size limit and checks control frames) and its {@link Wire}. Control frames are answered here:
 * pings with pongs, the peer's close with ours (unless ours went first), then TCP is closed. Data frames and the
 * connection's open and close go to its {@link WsConnection} on the connection's delivery thread.
 *
 * <p>Threads: Netty calls the handler methods on the channel's event loop; it never runs Habla's handlers, which may
 * block (an authenticator's store, a relay's upstream), except plain audio for a handler that takes it there
 * ({@link #audioOnIoThread}: only while no event waits, the loop then standing in for the delivery thread). Events are queued in socket order and run one at a time on a
 * virtual thread started when the queue goes from empty to non-empty (no thread is held by an idle connection); while
 * {@link #PAUSE_READING_AT} events wait, the socket is not read. {@code closeSent} is set by whichever thread sends our
 * close frame; the other close state is the event loop's.
 */
final class NettyFrames extends ChannelInboundHandlerAdapter implements Wire {
    private static final Logger LOG = LoggerFactory.getLogger(NettyFrames.class);
    /** Events waiting for the delivery thread at which the socket stops being read (resumed when it catches up). */
    private static final int PAUSE_READING_AT = 32;

    private final WsConnection conn;
    private final Channel channel;
    private final String threadName;
    private final ConcurrentLinkedDeque<Runnable> events = new ConcurrentLinkedDeque<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean readingPaused = new AtomicBoolean();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    /**
     * Our close frame's code and reason when we closed first (a send, or the protocol error Netty closed with): what
     * the handler hears. Written once by whoever won {@code closeSent}, read after the channel closed.
     */
    private volatile int ourCode;
    private volatile String ourReason;
    /** The peer's close frame, until one comes an abnormal end; event loop only. */
    private int peerCode = CloseCodes.ABNORMAL;
    private String peerReason = "Disconnected";
    /** The thread running {@link #drain} now, or null. */
    private volatile Thread deliveryThread;
    /**
     * Writes handed to the event loop by other threads that have not run yet. Netty runs a write made on the loop at
     * once, so it would overtake them: a write on the loop goes behind them while any are pending.
     */
    private final AtomicInteger pendingWrites = new AtomicInteger();
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    NettyFrames(WsConnection conn, Channel channel) {
        this.conn = conn;
        this.channel = channel;
        this.threadName = "habla-server-" + conn.id();
    }

    /** The upgrade response is on its way: the connection opens (before any frame can arrive). Event loop. */
    void open() {
        deliver(() -> conn.opened(this));
    }

    // ---- inbound, on the event loop ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        switch (frame) {
            case TextWebSocketFrame t -> data(Inbound.OP_TEXT, t);
            case BinaryWebSocketFrame b -> data(Inbound.OP_BINARY, b);
            case ContinuationWebSocketFrame c -> data(Inbound.OP_CONTINUATION, c);
            case PingWebSocketFrame p -> {
                if (closeSent.get()) {
                    p.release();
                } else {
                    ctx.writeAndFlush(new PongWebSocketFrame(p.content())); // the pong owns the payload now
                }
            }
            case CloseWebSocketFrame c -> peerClose(ctx, c);
            default -> frame.release(); // pongs
        }
    }

    /** A data frame: copied out of Netty's buffer (released here) and queued for the connection. */
    private void data(byte opcode, WebSocketFrame frame) {
        byte[] payload;
        boolean fin;
        try {
            payload = ByteBufUtil.getBytes(frame.content());
            fin = frame.isFinalFragment();
        } finally {
            frame.release();
        }
        if (fin && conn.audioOnIoThread() && waiting.compareAndSet(0, 1)) {
            audioOnIoThread(opcode, payload);
            return;
        }
        deliver(() -> conn.frame(opcode, fin, payload));
    }

    /**
     * Event loop, standing in for the delivery thread: nothing waits for it, and {@code waiting} counts this frame as
     * if it were queued, so no delivery thread can start meanwhile (a {@link #deliver} from another thread only queues).
     * Plain audio goes to the handler here ({@link WsConnection#tryAudioOnIoThread}); anything else goes first in line
     * for a delivery thread, ahead of what was queued meanwhile (which came after this frame was read).
     */
    private void audioOnIoThread(byte opcode, byte[] payload) {
        deliveryThread = Thread.currentThread();
        boolean handled;
        try {
            handled = conn.tryAudioOnIoThread(opcode, payload);
        } catch (RuntimeException e) {
            LOG.warn("Connection {}: event failed", conn.id(), e);
            handled = true;
        } finally {
            deliveryThread = null;
        }
        if (!handled) {
            events.addFirst(() -> conn.frame(opcode, true, payload));
            Thread.ofVirtual().name(threadName).start(this::drain);
        } else if (waiting.decrementAndGet() != 0) {
            Thread.ofVirtual().name(threadName).start(this::drain); // events queued meanwhile
        }
    }

    /** The peer's close: answered with its code (unless we sent ours first), then TCP closes once that is written. */
    private void peerClose(ChannelHandlerContext ctx, CloseWebSocketFrame c) {
        int code = c.statusCode();
        peerCode = code < 0 ? CloseCodes.NO_STATUS : code;
        peerReason = code < 0 ? "" : c.reasonText();
        c.release();
        if (closeSent.compareAndSet(false, true)) {
            CloseWebSocketFrame answer = code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, "");
            ChannelPromise written = ctx.channel().newPromise();
            written.addListener(f -> ctx.channel().close());
            write(answer, written); // behind the data frames sent before it
        } else {
            ctx.channel().close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            LOG.debug("Connection {}: idle timeout", conn.id());
            conn.close(CloseCodes.GOING_AWAY, "Connection Idle Timeout");
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException e && closeSent.compareAndSet(false, true)) {
            // Netty has sent the close frame itself (too large a frame: 1009; a protocol error: 1002) and closes.
            ourCode = e.closeStatus().code();
            ourReason = e.closeStatus().reasonText().toString(); // after ourCode, as in sendClose
        }
        LOG.debug("Connection {} error: {}", conn.id(), cause.toString());
        ctx.channel().close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // The close the handler hears of: ours if we went first, else the peer's (an abnormal end if none came).
        String mine = ourReason;
        int code = mine != null ? ourCode : peerCode;
        String reason = mine != null ? mine : peerReason;
        deliver(() -> conn.closed(code, reason));
    }

    // ---- delivery ----

    /** Queues {@code event} for the delivery thread, starting one if none runs; pauses reading past the mark. */
    private void deliver(Runnable event) {
        events.add(event);
        int n = waiting.incrementAndGet();
        if (n == 1) {
            Thread.ofVirtual().name(threadName).start(this::drain);
        } else if (n >= PAUSE_READING_AT && readingPaused.compareAndSet(false, true)) {
            channel.config().setAutoRead(false);
        }
    }

    /** The delivery thread: runs events in order until none waits. */
    private void drain() {
        deliveryThread = Thread.currentThread();
        do {
            Runnable event = events.poll();
            try {
                event.run();
            } catch (RuntimeException e) {
                LOG.warn("Connection {}: event failed", conn.id(), e);
            }
            if (readingPaused.get() && waiting.get() <= PAUSE_READING_AT / 4 && readingPaused.compareAndSet(true, false)) {
                channel.config().setAutoRead(true);
            }
        } while (clearIfLast());
    }

    /** After an event: true if more wait; else the thread is no longer the delivery thread (before it is counted out). */
    private boolean clearIfLast() {
        if (waiting.get() == 1) {
            deliveryThread = null; // a deliver() racing with this starts a new thread, which sets itself
        }
        if (waiting.decrementAndGet() != 0) {
            deliveryThread = Thread.currentThread();
            return true;
        }
        return false;
    }

    // ---- Wire: any thread ----

    @Override
    public CompletableFuture<Void> sendBinary(byte[] bytes) {
        return send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
    }

    @Override
    public CompletableFuture<Void> sendText(String text) {
        // String.getBytes copies an ASCII string's bytes at once; TextWebSocketFrame(String) encodes char by char.
        return send(new TextWebSocketFrame(Unpooled.wrappedBuffer(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    @Override
    public CompletableFuture<Void> sendClose(int code, String reason) {
        if (!closeSent.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null); // the peer's close was answered already
        }
        ourCode = code;
        ourReason = reason; // after ourCode: a non-null reason says both are set
        ChannelPromise p = channel.newPromise();
        write(new CloseWebSocketFrame(code, reason), p);
        return completion(p);
    }

    @Override
    public boolean onDeliveryThread() {
        return Thread.currentThread() == deliveryThread;
    }

    @Override
    public void afterReadFrames(Runnable event) {
        deliver(event);
    }

    @Override
    public java.util.concurrent.Executor ioExecutor() {
        return channel.eventLoop();
    }

    @Override
    public void disconnect() {
        channel.close();
    }

    @Override
    public void reset() {
        try {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException e) {
            LOG.debug("Connection {}: cannot set SO_LINGER before abort: {}", conn.id(), e.toString());
        }
        channel.close();
    }

    /**
     * A data frame, in call order. Done at once while the channel's outbound buffer is under its high-water mark: the
     * frame is Netty's to write from then on (a failed write closes the channel, which {@link #channelInactive}
     * reports), and the connection's writer has nothing to wait for. Past the mark, done once written, so that the
     * writer waits for it within its write timeout and a client that stops reading is found.
     */
    private CompletableFuture<Void> send(WebSocketFrame frame) {
        ChannelPromise p = channel.newPromise();
        write(frame, p);
        return channel.isWritable() ? DONE : completion(p);
    }

    /** Any thread: writes and flushes {@code frame} in the order of the calls, whichever thread makes them. */
    private void write(WebSocketFrame frame, ChannelPromise promise) {
        io.netty.channel.EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop() && pendingWrites.get() == 0) {
            channel.writeAndFlush(frame, promise);
            return;
        }
        pendingWrites.incrementAndGet();
        try {
            loop.execute(() -> {
                pendingWrites.decrementAndGet();
                channel.writeAndFlush(frame, promise);
            });
        } catch (RuntimeException e) { // the loop is shutting down: so is the channel
            pendingWrites.decrementAndGet();
            frame.release();
            promise.tryFailure(e);
        }
    }

    private static CompletableFuture<Void> completion(ChannelFuture f) {
        CompletableFuture<Void> c = new CompletableFuture<>();
        f.addListener(x -> {
            if (x.isSuccess()) {
                c.complete(null);
            } else {
                c.completeExceptionally(x.cause());
            }
        });
        return c;
    }
}
