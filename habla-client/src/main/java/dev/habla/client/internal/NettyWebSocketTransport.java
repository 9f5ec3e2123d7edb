package dev.habla.client.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
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
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>This class sets up the connections (event loops, the pipeline, TLS, name lookup off the loops); each connection
 * is a {@link NettyConnection} (message credit, sends, the close).
 */
public final class NettyWebSocketTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(NettyWebSocketTransport.class);
    /** Outbound bytes above which an off-loop sender waits; about 30 audio messages. */
    static final int HIGH_WATER_BYTES = 128 << 10;
    private static final int LOW_WATER_BYTES = 64 << 10;
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
        NettyConnection handler;
        try {
            HttpHeaders headers = new DefaultHttpHeaders();
            request.headers().forEach(headers::set);
            // No Origin header (a server-side client, as the JDK and Jetty clients); permessage-deflate only if offered.
            WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13,
                    null, deflate, headers, JdkWebSocketTransport.MAX_MESSAGE_BYTES, true, false, -1, false, false);
            handler = new NettyConnection(handshaker, timeout, listener, result);
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
        Class<? extends SocketChannel> joined = channelTypeFor(request.ioAffinity());
        if (joined != null) {
            loop = (EventLoop) request.ioAffinity();
            type = joined;
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

    /** Whether a connection of this transport would join {@code e} (an event loop it can use). */
    static boolean canJoin(Executor e) {
        return channelTypeFor(e) != null;
    }

    /** The channel type a connection on event loop {@code e} needs, or null if {@code e} is not one it can use. */
    private static Class<? extends SocketChannel> channelTypeFor(Executor e) {
        if (e instanceof IoEventLoop l) {
            if (l.isCompatible(EpollIoHandle.class)) {
                return EpollSocketChannel.class;
            }
            if (l.isCompatible(NioIoHandle.class)) {
                return NioSocketChannel.class;
            }
        }
        return null;
    }
}
