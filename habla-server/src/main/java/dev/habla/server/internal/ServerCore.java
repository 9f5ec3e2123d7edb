package dev.habla.server.internal;

import dev.habla.protocol.CloseCodes;
import dev.habla.server.AuthResult;
import dev.habla.server.HttpService;
import dev.habla.server.InboundObserver;
import dev.habla.server.LiveAuthenticator;
import dev.habla.server.LiveConnection;
import dev.habla.server.LiveHandler;
import dev.habla.server.SocketRoute;
import dev.habla.server.UpgradeRequest;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@link dev.habla.server.LiveServer}: Netty's server (native epoll where available, else NIO;
 * one event loop per core), whose sockets start with {@link HttpRouter}; the registry of open connections and the close
 * watchdog.
 *
 * <p>{@code lock} guards {@code group}, {@code serverChannel}, {@code open} and {@code openSockets}. Connections call
 * back into it from their delivery threads.
 */
public final class ServerCore {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCore.class);

    private final String host;
    private final int port;
    private final LiveAuthenticator authenticator;
    final LiveHandler.Factory handlers;
    final InboundObserver observer;
    /** The default observer: {@link WsConnection} skips building the raw string of each frame for it. */
    public static final InboundObserver NO_OBSERVER = (c, m, raw, binary) -> { };
    final int maxMessageBytes;
    final long maxOutboundBytes;
    final Duration idleTimeout;
    private final Duration closeGrace;
    final Duration writeTimeout;
    final boolean vertex;
    /** Serves non-Live paths (the gateway's REST and assets); null: HTTP 404 there. */
    final HttpService http;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<String, WsConnection> open = new LinkedHashMap<>();
    /** Open connections of the {@link SocketRoute}s (not Live connections: not in {@link #connections()}). */
    private final LinkedHashMap<String, WsConnection> openSockets = new LinkedHashMap<>();
    final List<SocketRoute> routes;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** Wall-clock housekeeping: drops TCP when a client ignores our close frame. */
    private final ScheduledExecutorService watchdog;
    private EventLoopGroup group;
    private Channel serverChannel;

    public ServerCore(String host, int port, LiveAuthenticator authenticator, LiveHandler.Factory handlers, InboundObserver observer,
            int maxMessageBytes, long maxOutboundBytes, Duration idleTimeout, Duration closeGrace, Duration writeTimeout, boolean vertex,
            HttpService http, List<SocketRoute> routes) {
        this.routes = List.copyOf(routes);
        this.host = host;
        this.port = port;
        this.authenticator = authenticator;
        this.handlers = handlers;
        this.observer = observer;
        this.maxMessageBytes = maxMessageBytes;
        this.maxOutboundBytes = maxOutboundBytes;
        this.idleTimeout = idleTimeout;
        this.closeGrace = closeGrace;
        this.writeTimeout = writeTimeout;
        this.vertex = vertex;
        this.http = http;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("habla-server-watchdog").factory());
    }

    /** Largest body of a plain HTTP request (the HTTP service reads within its own, smaller limits); larger: 413. */
    private static final int MAX_HTTP_BODY = 8 << 20;

    public String host() {
        return host;
    }

    public void start() {
        lock.lock();
        try {
            if (group != null) {
                throw new IllegalStateException("already started");
            }
            if (stopped.get()) {
                throw new IllegalStateException("closed");
            }
            boolean epoll = Epoll.isAvailable();
            IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            // Daemon threads: a server is closed explicitly; its loops must not keep a JVM alive after main returns.
            group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                    new DefaultThreadFactory("habla-server-io", true), io);
            serverChannel = new ServerBootstrap().group(group).channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("http", new HttpServerCodec())
                                    .addLast("aggregator", new HttpObjectAggregator(MAX_HTTP_BODY))
                                    // permessage-deflate when the client offers it (browsers do), as the service and
                                    // Jetty before; capped at the message limit when inflating.
                                    .addLast("deflate", new WebSocketServerCompressionHandler(maxMessageBytes))
                                    .addLast("router", new HttpRouter(ServerCore.this));
                        }
                    })
                    .bind(host, port).syncUninterruptibly().channel();
            LOG.debug("Live server listening on {}:{} ({})", host, port(), epoll ? "epoll" : "nio");
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
            throw new IllegalStateException("Cannot start the Live server on " + host + ":" + port + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    public int port() {
        lock.lock();
        try {
            if (serverChannel == null) {
                throw new IllegalStateException("not started");
            }
            return ((InetSocketAddress) serverChannel.localAddress()).getPort();
        } finally {
            lock.unlock();
        }
    }

    public List<LiveConnection> connections() {
        lock.lock();
        try {
            return List.copyOf(open.values());
        } finally {
            lock.unlock();
        }
    }

    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        EventLoopGroup g;
        Channel listening;
        lock.lock();
        try {
            g = group;
            listening = serverChannel;
        } finally {
            lock.unlock();
        }
        // As a server shutting down: stop accepting first, then close what is open. Otherwise a client that
        // reconnects at once on the 1001 below reaches the still-listening socket, connects, and is then cut
        // without a close frame when the loops stop.
        if (listening != null) {
            listening.close().syncUninterruptibly();
        }
        List<WsConnection> conns;
        lock.lock();
        try {
            conns = new ArrayList<>(open.values());
            conns.addAll(openSockets.values());
        } finally {
            lock.unlock();
        }
        for (WsConnection c : conns) {
            c.close(CloseCodes.GOING_AWAY, "");
        }
        // Let the close frames go out before the sockets are torn down (not waiting for replies).
        long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
        for (WsConnection c : conns) {
            c.awaitWriterDone(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        try {
            if (g != null) {
                g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        } finally {
            watchdog.shutdownNow();
        }
    }

    /** The id of the next upgrade ({@code s1}, {@code s2}, …, rejected ones included). */
    String nextId() {
        return "s" + ids.incrementAndGet();
    }

    void opened(WsConnection c) {
        lock.lock();
        try {
            open.put(c.id(), c);
        } finally {
            lock.unlock();
        }
    }

    void closed(WsConnection c) {
        lock.lock();
        try {
            open.remove(c.id());
        } finally {
            lock.unlock();
        }
    }

    void openedSocket(WsConnection c) {
        lock.lock();
        try {
            openSockets.put(c.id(), c);
        } finally {
            lock.unlock();
        }
    }

    void closedSocket(WsConnection c) {
        lock.lock();
        try {
            openSockets.remove(c.id());
        } finally {
            lock.unlock();
        }
    }

    /** Drops TCP of a connection whose client ignored our close frame, after the close grace. */
    void afterCloseGrace(Runnable task) {
        try {
            watchdog.schedule(() -> Thread.ofVirtual().name("habla-server-drop").start(task), closeGrace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            task.run(); // server closing: drop now
        }
    }

    /** The authenticator's verdict (null counts as a bad key; a throw as an internal error). May block. */
    AuthResult authenticate(UpgradeRequest req) {
        try {
            AuthResult r = authenticator.authenticate(req);
            return r == null ? AuthResult.rejectBadKey() : r;
        } catch (RuntimeException e) {
            LOG.warn("Authenticator failed for {}", req, e);
            return new AuthResult.Rejected(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        }
    }
}
