package dev.habla.client.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Transport} over Netty 4.2's WebSocket client codec (the library habla-server runs on), native epoll on Linux
 * x86-64, NIO elsewhere. What it adds over the others: a connection can join a given event loop
 * ({@link ConnectRequest#ioAffinity()}: the gateway puts a client's upstream on the loop of the client's own socket, so
 * that a frame from one to the other crosses no thread), and a send does not wait for the socket while the channel's
 * outbound buffer is below its high-water mark.
 *
 * <p>Threads: a connection's callbacks run on its event loop (the transport's own daemon threads
 * {@code habla-netty<n>-*}, or the loop it was given) and never block. {@link Connection#sendText} may be called from
 * any thread (one at a time): off the loop it waits, interruptibly, while the outbound buffer is above
 * {@link #HIGH_WATER_BYTES}; on the loop itself it never waits (the buffer may then exceed the mark).
 *
 * <p>Message credit ({@link Connection#request}): {@link Handler#credit} counts what the session still accepts. While it
 * is zero the socket is not read, and frames already decoded from the last read wait in {@link Handler#held}, in order,
 * with any ping, pong or close frame behind them, until credit comes back.
 */
public final class NettyWebSocketTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(NettyWebSocketTransport.class);
    /** Outbound bytes above which an off-loop sender waits; about 30 audio messages. */
    static final int HIGH_WATER_BYTES = 128 << 10;
    private static final int LOW_WATER_BYTES = 64 << 10;
    /** As the Jetty transport: a failed send lets the connection's end be reported first, for this long at most. */
    private static final long SEND_FAILURE_GRACE_MILLIS = 500;
    /** Process-wide, so thread names are unique across clients. */
    private static final AtomicLong INSTANCES = new AtomicLong();

    private final boolean epoll = Epoll.isAvailable();
    private final EventLoopGroup group;
    private final Duration connectTimeout;
    private final boolean deflate;
    private final String threadPrefix;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The event loops' threads, joined by {@link #close()} (Netty reports termination just before they exit). */
    private final java.util.List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Built on first use: a client that never speaks TLS never loads the TLS machinery. */
    private volatile SslContext tls;

    /**
     * Starts the transport's event loops (one per core, daemon); {@link #close()} stops them.
     *
     * @param connectTimeout TCP connect bound (the handshake is bounded per {@link #open} call)
     * @param deflate        offer permessage-deflate (used only if the server accepts it)
     */
    public NettyWebSocketTransport(Duration connectTimeout, boolean deflate) {
        this.connectTimeout = connectTimeout;
        this.deflate = deflate;
        this.threadPrefix = "habla-netty" + INSTANCES.incrementAndGet();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        DefaultThreadFactory named = new DefaultThreadFactory(threadPrefix, true);
        this.group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), r -> {
            Thread t = named.newThread(r);
            threads.add(t);
            return t;
        }, io);
    }

    /** The name prefix of this transport's own threads. */
    String threadNamePrefix() {
        return threadPrefix;
    }

    @Override
    public CompletableFuture<Connection> open(ConnectRequest request, Duration timeout, Listener listener) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IOException("the transport is closed"));
        }
        URI uri = request.uri();
        boolean secure = "wss".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        String host = uri.getHost();
        if (host == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no host in " + request));
        }
        Handler handler;
        try {
            HttpHeaders headers = new DefaultHttpHeaders();
            request.headers().forEach(headers::set);
            // No Origin header (a server-side client, as the JDK and Jetty clients); permessage-deflate only if offered.
            WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13,
                    null, deflate, headers, JdkWebSocketTransport.MAX_MESSAGE_BYTES, true, false, -1, false, false);
            handler = new Handler(handshaker, timeout, listener, result);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        SslContext ssl;
        try {
            ssl = secure ? tls() : null;
        } catch (SSLException e) {
            return CompletableFuture.failedFuture(e);
        }
        EventLoop loop = group.next();
        Class<? extends SocketChannel> type = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        if (request.ioAffinity() instanceof IoEventLoop given) {
            if (given.isCompatible(EpollIoHandle.class)) {
                loop = given;
                type = EpollSocketChannel.class;
            } else if (given.isCompatible(NioIoHandle.class)) {
                loop = given;
                type = NioSocketChannel.class;
            }
        }
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(type)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATER_BYTES, HIGH_WATER_BYTES))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), host, port));
                        }
                        ch.pipeline().addLast("http", new HttpClientCodec())
                                .addLast("http-aggregator", new HttpObjectAggregator(64 << 10));
                        if (deflate) {
                            ch.pipeline().addLast("deflate", new WebSocketClientCompressionHandler(
                                    JdkWebSocketTransport.MAX_MESSAGE_BYTES));
                        }
                        ch.pipeline().addLast("habla", handler);
                    }
                });
        // Names are resolved here, on the caller's thread (a session's, virtual), never on an event loop that other
        // connections share; IP literals resolve without a lookup.
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        bootstrap.connect(address).addListener(f -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                if (cause instanceof ConnectTimeoutException) {
                    // Netty's connect timeout is a ConnectException; reported as the other transports report theirs.
                    SocketTimeoutException t = new SocketTimeoutException(cause.getMessage());
                    t.initCause(cause);
                    cause = t;
                }
                result.completeExceptionally(cause);
            }
        });
        return result;
    }

    private SslContext tls() throws SSLException {
        SslContext c = tls;
        if (c == null) {
            synchronized (this) {
                c = tls;
                if (c == null) {
                    // Host names verified against the certificate, as the JDK and Jetty clients do.
                    c = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
                    tls = c;
                }
            }
        }
        return c;
    }

    /** Stops the transport's own event loops (the runtime aborts the sessions first). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (!group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            log.debug("the Netty transport's event loops did not stop within 5 s");
            return;
        }
        for (Thread t : threads) {
            if (t != Thread.currentThread()) {
                try {
                    t.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
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

    /**
     * One connection: the handshake, then frames to the listener within the credit. Everything but {@link #request},
     * the sends and {@link #abort} runs on the channel's event loop; those post to it or use the thread-safe channel.
     */
    static final class Handler extends ChannelInboundHandlerAdapter implements Connection {
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

        Handler(WebSocketClientHandshaker handshaker, Duration handshakeTimeout, Listener listener,
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
            EventLoop loop = ch.eventLoop();
            if (loop.inEventLoop() && pendingWrites.get() == 0) {
                ch.writeAndFlush(frame, promise == null ? ch.newPromise() : promise);
                return;
            }
            pendingWrites.incrementAndGet();
            try {
                loop.execute(() -> {
                    pendingWrites.decrementAndGet();
                    ch.writeAndFlush(frame, promise == null ? ch.newPromise() : promise);
                });
            } catch (RuntimeException e) { // the loop is shutting down: so is the channel
                pendingWrites.decrementAndGet();
                frame.release();
                if (promise != null) {
                    promise.tryFailure(e);
                }
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
    }

    /** The executor a connection of this transport would join, if {@code e} is an event loop it can use. */
    static boolean canJoin(Executor e) {
        return e instanceof IoEventLoop l && (l.isCompatible(EpollIoHandle.class) || l.isCompatible(NioIoHandle.class));
    }
}
