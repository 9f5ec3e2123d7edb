package dev.habla.client.internal;

import dev.habla.client.internal.Transport.Connection;
import dev.habla.client.internal.Transport.HandshakeStatusException;
import dev.habla.client.internal.Transport.InboundFrame;
import dev.habla.client.internal.Transport.Listener;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection of {@link NettyWebSocketTransport}, the last handler of its channel's pipeline: the upgrade (a non-101
 * answer becomes {@link HandshakeStatusException}), then whole messages to the listener within the credit, pings
 * answered, the peer's close answered and reported once, and the sends. Everything but {@link #request}, the sends and
 * {@link #abort} runs on the channel's event loop; those post to it or use the thread-safe channel.
 *
 * <p>Credit: {@link #credit} counts the messages the session still accepts. While it is zero the socket is not read,
 * and frames already decoded from the last read wait in {@link #held}, in order, control frames included, until
 * {@link #request} gives credit back. Writes keep the order of the calls whichever thread makes them
 * ({@link #pendingWrites}).
 */
final class NettyConnection extends ChannelInboundHandlerAdapter implements Connection {
    /** As the Jetty transport: a failed send lets the connection's end be reported first, for this long at most. */
    private static final long SEND_FAILURE_GRACE_MILLIS = 500;

    private final WebSocketClientHandshaker handshaker;
    private final Listener listener;
    private final CompletableFuture<Connection> opened;
    /** Messages the session may still receive (1 unasked after open); the socket is not read while it is zero. */
    private final AtomicLong credit = new AtomicLong(1);
    /** Event loop: frames decoded while the credit was zero, in order, with control frames behind them. */
    private final ArrayDeque<WebSocketFrame> held = new ArrayDeque<>();
    /** Set once the listener had its last call (close or error); any thread reads it. */
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Completed after the listener's last call; a failed send waits on it briefly. */
    private final CompletableFuture<Void> endReported = new CompletableFuture<>();
    /** We sent a close frame: the peer's close is its answer, not a request to answer. */
    private final AtomicBoolean closeSent = new AtomicBoolean();
    /** Guards nothing but the wait for writability ({@link #writable}); signalled on the event loop. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Condition writable = writeLock.newCondition();
    private final Duration handshakeTimeout;
    /** Set when the handler joins the pipeline, before any other use. */
    private volatile Channel channel;
    private ScheduledFuture<?> handshakeDeadline;
    private ChannelHandlerContext ctx;
    /** Event loop: the listener had onOpen (so it gets exactly one of onClose and onError later). */
    private boolean open;
    /** Event loop: the socket closed while frames were held; the end is reported once they are delivered. */
    private boolean inactive;
    /**
     * Writes handed to the event loop by other threads that have not run yet. Netty runs a write made on the loop at
     * once, so it would overtake them: a send on the loop goes behind them while any are pending.
     */
    private final AtomicInteger pendingWrites = new AtomicInteger();

    NettyConnection(WebSocketClientHandshaker handshaker, Duration handshakeTimeout, Listener listener,
            CompletableFuture<Connection> opened) {
        this.handshaker = handshaker;
        this.handshakeTimeout = handshakeTimeout;
        this.listener = listener;
        this.opened = opened;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshakeDeadline = ctx.executor().schedule(() -> {
            if (!handshaker.isHandshakeComplete() && opened.completeExceptionally(new TimeoutException(
                    "WebSocket upgrade timed out after " + handshakeTimeout.toMillis() + " ms"))) {
                ctx.close();
            }
        }, handshakeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        handshaker.handshake(ctx.channel()).addListener(f -> {
            if (!f.isSuccess() && opened.completeExceptionally(f.cause())) {
                ctx.close();
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!handshaker.isHandshakeComplete()) {
            try {
                upgraded(ctx, (FullHttpResponse) msg);
            } finally {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (!(msg instanceof WebSocketFrame frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!held.isEmpty() || credit.get() <= 0) {
            held.add(frame);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        deliver(ctx, frame);
    }

    /** The server's answer to the upgrade: open, or a typed failure with its status. */
    private void upgraded(ChannelHandlerContext ctx, FullHttpResponse response) {
        if (handshakeDeadline != null) {
            handshakeDeadline.cancel(false);
        }
        if (!response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
            opened.completeExceptionally(new HandshakeStatusException(response.status().code(), null));
            ctx.close();
            return;
        }
        try {
            handshaker.finishHandshake(ctx.channel(), response);
        } catch (RuntimeException e) { // bad accept key, extension or upgrade headers
            opened.completeExceptionally(new IOException("WebSocket handshake failed: " + e.getMessage(), e));
            ctx.close();
            return;
        }
        // Messages arrive whole: the parts of a fragmented message are joined (after inflating, if negotiated).
        ctx.pipeline().addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(JdkWebSocketTransport.MAX_MESSAGE_BYTES));
        if (opened.isDone()) { // timed out meanwhile
            ctx.close();
            return;
        }
        open = true;
        listener.onOpen(this);
        opened.complete(this);
    }

    /** Event loop: one frame to the listener (data frames use a unit of credit). */
    private void deliver(ChannelHandlerContext ctx, WebSocketFrame frame) {
        try {
            switch (frame) {
                case TextWebSocketFrame t -> message(ctx, new InboundFrame(t.text(), null));
                case BinaryWebSocketFrame b -> {
                    byte[] bytes = ByteBufUtil.getBytes(b.content());
                    message(ctx, new InboundFrame(null, bytes, bytes.length));
                }
                case PingWebSocketFrame p -> ctx.writeAndFlush(new PongWebSocketFrame(p.content().retain()));
                case PongWebSocketFrame p -> {
                    if (!ended.get()) {
                        listener.onPong();
                    }
                }
                case CloseWebSocketFrame c -> peerClosed(ctx, c);
                default -> { } // continuation frames are joined before this handler
            }
        } finally {
            frame.release();
        }
    }

    private void message(ChannelHandlerContext ctx, InboundFrame frame) {
        if (ended.get()) {
            return;
        }
        if (credit.decrementAndGet() <= 0) {
            ctx.channel().config().setAutoRead(false);
        }
        listener.onMessage(frame);
    }

    /** The peer's close frame: answered (unless it answers ours), reported, then the socket closes. */
    private void peerClosed(ChannelHandlerContext ctx, CloseWebSocketFrame c) {
        int code = c.statusCode() < 0 ? 1005 : c.statusCode();
        String reason = c.reasonText() == null ? "" : c.reasonText();
        if (closeSent.compareAndSet(false, true)) {
            CloseWebSocketFrame answer = code == 1005 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, "");
            ChannelPromise written = ctx.channel().newPromise();
            written.addListener(f -> ctx.close());
            write(answer, written); // behind the messages other threads handed to the loop before it
        } else {
            ctx.close();
        }
        end(() -> listener.onClose(code, reason));
    }

    private void end(Runnable last) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            last.run();
        } finally {
            endReported.complete(null);
            signalWritable();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            signalWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void signalWritable() {
        writeLock.lock();
        try {
            writable.signalAll();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeDeadline != null) {
            handshakeDeadline.cancel(false);
        }
        signalWritable();
        if (!open) {
            opened.completeExceptionally(new IOException("connection closed during the WebSocket upgrade"));
            return;
        }
        inactive = true;
        if (held.isEmpty()) {
            closedWithoutFrame();
        }
    }

    private void closedWithoutFrame() {
        // No close frame: reported as an error, as the JDK does, so the session's handling (a lost connection,
        // 1006) is the same on every transport.
        end(() -> listener.onError(new IOException("connection closed without a close frame")));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!open) {
            opened.completeExceptionally(cause);
        } else {
            end(() -> listener.onError(translateError(cause)));
        }
        ctx.close();
    }

    /** Event loop: credit came back; held frames first, then the socket is read again. */
    private void resume() {
        ChannelHandlerContext c = ctx;
        while (!held.isEmpty() && credit.get() > 0) {
            deliver(c, held.poll());
        }
        if (!held.isEmpty()) {
            return;
        }
        if (inactive) {
            closedWithoutFrame();
        } else if (credit.get() > 0) {
            c.channel().config().setAutoRead(true);
        }
    }

    /** For tests: the channel (pipeline, event loop). */
    Channel channel() {
        return channel;
    }

    // ---- Connection (any thread) ------------------------------------------------------------------------------

    @Override
    public void sendText(String text) throws Exception {
        Channel ch = channel;
        if (!ch.isWritable() && ch.isActive() && !ch.eventLoop().inEventLoop()) {
            writeLock.lock();
            try {
                while (!ch.isWritable() && ch.isActive() && !ended.get()) {
                    writable.await(); // interruptible: a writer blocked on a stalled socket can be released
                }
            } finally {
                writeLock.unlock();
            }
        }
        if (!ch.isActive()) {
            // Let a close frame that is already on its way be reported first (as the Jetty transport does).
            try {
                endReported.get(SEND_FAILURE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException ignored) {
                // not reported in time: the send failure stands
            }
            throw new IOException("connection closed");
        }
        // Not waited for: a failed write closes the channel, and the end is reported from there (channelInactive),
        // after any frame already read.
        write(textFrame(text), null);
    }

    @Override
    public boolean trySendNow(String text) {
        Channel ch = channel;
        if (!ch.isActive() || !ch.isWritable()) {
            return false;
        }
        write(textFrame(text), null);
        return true;
    }

    /**
     * A text frame of {@code text}'s UTF-8: {@code String.getBytes} copies an ASCII string's bytes at once, where
     * Netty's {@code TextWebSocketFrame(String)} encodes it char by char (a sixth of the gateway's CPU with audio).
     */
    private static TextWebSocketFrame textFrame(String text) {
        return new TextWebSocketFrame(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Any thread: writes and flushes {@code frame} in the order of the calls, whichever thread makes them (see
     * {@link #pendingWrites}); {@code promise} (or null) learns the outcome. Without one, a failure is not reported
     * here: a failed write closes the channel, and channelInactive reports the end after the frames already read.
     */
    private void write(WebSocketFrame frame, ChannelPromise promise) {
        Channel ch = channel;
        ChannelPromise p = promise != null ? promise : ch.newPromise();
        EventLoop loop = ch.eventLoop();
        if (loop.inEventLoop() && pendingWrites.get() == 0) {
            ch.writeAndFlush(frame, p);
            return;
        }
        pendingWrites.incrementAndGet();
        try {
            loop.execute(() -> {
                pendingWrites.decrementAndGet();
                ch.writeAndFlush(frame, p);
            });
        } catch (RuntimeException e) { // the loop is shutting down: so is the channel
            pendingWrites.decrementAndGet();
            frame.release();
            p.tryFailure(e);
        }
    }

    @Override
    public CompletableFuture<?> sendPing() {
        ChannelPromise p = channel.newPromise();
        write(new PingWebSocketFrame(), p);
        return completion(p);
    }

    @Override
    public CompletableFuture<?> sendClose(int code, String reason) {
        if (!closeSent.compareAndSet(false, true)) {
            return CompletableFuture.failedFuture(new IOException("close already sent"));
        }
        ChannelPromise p = channel.newPromise();
        write(new CloseWebSocketFrame(code, reason), p); // after the messages sent before it
        return completion(p);
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("request(" + n + ")");
        }
        long before = credit.getAndUpdate(c -> c + n < 0 ? Long.MAX_VALUE : c + n);
        if (before <= 0) {
            channel.eventLoop().execute(this::resume);
        }
    }

    @Override
    public void abort() {
        channel.close();
    }

    private static CompletableFuture<Void> completion(ChannelFuture f) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        f.addListener(x -> {
            if (x.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(x.cause());
            }
        });
        return done;
    }

    /** Netty's errors as the JDK transport reports them, so the session maps them the same way. */
    static Throwable translateError(Throwable cause) {
        if (cause instanceof TooLongFrameException
                || cause instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null
                && c.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
            return new JdkWebSocketTransport.MessageTooLargeException(cause.getMessage());
        }
        return JdkWebSocketTransport.asJdkError(cause, cause instanceof CorruptedFrameException);
    }
}
