package dev.habla.server.internal;

import dev.habla.protocol.CloseCodes;
import dev.habla.server.AuthResult;
import dev.habla.server.HttpCall;
import dev.habla.server.HttpReply;
import dev.habla.server.HttpService;
import dev.habla.server.InboundObserver;
import dev.habla.server.LiveAuthenticator;
import dev.habla.server.LiveConnection;
import dev.habla.server.LiveEndpoint;
import dev.habla.server.LiveHandler;
import dev.habla.server.SocketRequest;
import dev.habla.server.SocketRoute;
import dev.habla.server.UpgradeRequest;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@link dev.habla.server.LiveServer}: the Jetty server, the upgrade handler, the registry of open
 * connections and the close watchdog.
 *
 * <p>{@code lock} guards {@code server}, {@code connector} and {@code open}. Connections call back into it from Jetty's
 * virtual threads.
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
    private final Duration idleTimeout;
    private final Duration closeGrace;
    final Duration writeTimeout;
    private final boolean vertex;
    /** Serves non-Live paths (the gateway's REST and assets); null: HTTP 404 there. */
    private final HttpService http;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<String, WsConnection> open = new LinkedHashMap<>();
    /** Open connections of the {@link SocketRoute}s (not Live connections: not in {@link #connections()}). */
    private final LinkedHashMap<String, WsConnection> openSockets = new LinkedHashMap<>();
    private final List<SocketRoute> routes;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** Wall-clock housekeeping: drops TCP when a client ignores our close frame. */
    private final ScheduledExecutorService watchdog;
    private Server server;
    private ServerConnector connector;

    public ServerCore(String host, int port, LiveAuthenticator authenticator, LiveHandler.Factory handlers, InboundObserver observer,
            int maxMessageBytes, long maxOutboundBytes, Duration idleTimeout, Duration closeGrace, Duration writeTimeout, boolean vertex) {
        this(host, port, authenticator, handlers, observer, maxMessageBytes, maxOutboundBytes, idleTimeout, closeGrace, writeTimeout,
                vertex, null, List.of());
    }

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

    /**
     * Jetty reads into buffers of this size (pooled, released while a connection is idle); its 4 KB default splits
     * every 100 ms audio message (~4.4 KB of JSON) across two reads and parser passes.
     */
    private static final int INPUT_BUFFER_BYTES = 64 << 10;

    public String host() {
        return host;
    }

    public void start() {
        lock.lock();
        try {
            if (server != null) {
                throw new IllegalStateException("already started");
            }
            if (stopped.get()) {
                throw new IllegalStateException("closed");
            }
            QueuedThreadPool pool = new QueuedThreadPool();
            pool.setName("habla-server");
            pool.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("habla-server-io-", 0).factory()));
            Server s = new Server(pool);
            HttpConfiguration http = new HttpConfiguration();
            // The JS SDK requests //ws/...: an empty segment that the default compliance rejects as ambiguous.
            http.setUriCompliance(UriCompliance.LEGACY);
            http.setSendServerVersion(false);
            ServerConnector c = new ServerConnector(s, new HttpConnectionFactory(http));
            c.setHost(host);
            c.setPort(port);
            s.addConnector(c);
            WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(s, container -> {
                container.setMaxTextMessageSize(maxMessageBytes);
                container.setMaxBinaryMessageSize(maxMessageBytes);
                container.setMaxFrameSize(maxMessageBytes);
                container.setIdleTimeout(idleTimeout);
                container.setInputBufferSize(INPUT_BUFFER_BYTES);
            });
            ws.setHandler(new Upgrader(ws.getServerWebSocketContainer()));
            s.setHandler(ws);
            s.start();
            server = s;
            connector = c;
            LOG.debug("Live server listening on {}:{}", host, c.getLocalPort());
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the Live server: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    public int port() {
        lock.lock();
        try {
            if (connector == null) {
                throw new IllegalStateException("not started");
            }
            return connector.getLocalPort();
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
        Server s;
        lock.lock();
        try {
            s = server;
        } finally {
            lock.unlock();
        }
        // As a server shutting down: stop accepting first, then close what is open. Otherwise a client that
        // reconnects at once on the 1001 below reaches the still-listening socket, connects, and is then cut
        // without a close frame when Jetty stops.
        if (s != null) {
            for (var conn : s.getConnectors()) {
                if (conn instanceof ServerConnector sc) {
                    sc.close();
                }
            }
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
        // Let the close frames go out before Jetty tears the sockets down (not waiting for replies).
        long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
        for (WsConnection c : conns) {
            c.awaitWriterDone(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        try {
            if (s != null) {
                s.stop();
            }
        } catch (Exception e) {
            LOG.debug("Error stopping the Live server", e);
        } finally {
            watchdog.shutdownNow();
        }
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

    private AuthResult authenticate(UpgradeRequest req) {
        try {
            AuthResult r = authenticator.authenticate(req);
            return r == null ? AuthResult.rejectBadKey() : r;
        } catch (RuntimeException e) {
            LOG.warn("Authenticator failed for {}", req, e);
            return new AuthResult.Rejected(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        }
    }

    private static boolean isUpgrade(Request request) {
        String upgrade = request.getHeaders().get("Upgrade");
        return upgrade != null && upgrade.equalsIgnoreCase("websocket")
                || request.getConnectionMetaData().getHttpVersion() == org.eclipse.jetty.http.HttpVersion.HTTP_2;
    }

    /** Request headers, the first value of each, names case-insensitive. */
    private static Map<String, String> headers(Request request) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (HttpField f : request.getHeaders()) {
            headers.putIfAbsent(f.getName(), f.getValue());
        }
        return headers;
    }

    private static InetSocketAddress remoteOf(Request request) {
        return request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress a ? a : null;
    }

    /**
     * A request for the {@link HttpService}, on the virtual thread Jetty called the handler on: the service's reply
     * written whole, 404 for none, 500 (logged once, without query or headers) for a throw.
     */
    private boolean serveHttp(Request request, Response response, Callback callback) {
        HttpCall call = new HttpCall(request.getMethod(), request.getHttpURI().getPath(), request.getHttpURI().getQuery(),
                headers(request), remoteOf(request), () -> Content.Source.asInputStream(request));
        HttpReply reply;
        try {
            reply = http.handle(call);
        } catch (Exception e) {
            LOG.warn("HTTP {} {} failed", call.method(), call.path().replaceAll("[^A-Za-z0-9/._-]", "?"), e);
            reply = HttpReply.text(500, "text/plain; charset=utf-8", "Internal error\n");
        }
        if (reply == null) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            return true;
        }
        response.setStatus(reply.status());
        for (Map.Entry<String, String> h : reply.headers().entrySet()) {
            response.getHeaders().put(h.getKey(), h.getValue());
        }
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
        return true;
    }

    /** Routes Live paths to WebSocket upgrades, route paths to their wires, the rest to the {@link HttpService} or 404. */
    private final class Upgrader extends Handler.Abstract {
        private final ServerWebSocketContainer container;

        Upgrader(ServerWebSocketContainer container) {
            this.container = container;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            for (SocketRoute route : routes) {
                if (route.matches(request.getHttpURI().getPath()) && isUpgrade(request)) {
                    return upgradeSocket(route, request, response, callback);
                }
            }
            LiveEndpoint ep = LiveEndpoint.parse(request.getHttpURI().getPath());
            if (ep == null && http != null) {
                return serveHttp(request, response, callback);
            }
            if (ep == null || (ep.kind() == LiveEndpoint.Kind.VERTEX && !vertex)) {
                Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                return true;
            }
            AuthResult auth = authenticate(new UpgradeRequest(ep, request.getHttpURI().getQuery(), headers(request), remoteOf(request)));
            boolean upgraded = container.upgrade((req, resp, cb) -> new WsConnection(ServerCore.this, "s" + ids.incrementAndGet(), ep, auth),
                    request, response, callback);
            if (!upgraded) {
                Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400, "WebSocket upgrade required");
            }
            return true;
        }

        /** A {@link SocketRoute} upgrade: the route picks the subprotocol; its handler sees the request. */
        private boolean upgradeSocket(SocketRoute route, Request request, Response response, Callback callback) throws Exception {
            Map<String, String> headers = headers(request);
            InetSocketAddress remote = remoteOf(request);
            boolean upgraded = container.upgrade((req, resp, cb) -> {
                List<String> offered = req.getSubProtocols();
                String chosen = offered == null || offered.isEmpty() ? null : route.subprotocol().apply(List.copyOf(offered));
                if (chosen != null) {
                    resp.setAcceptedSubProtocol(chosen);
                }
                SocketRequest sr = new SocketRequest(request.getHttpURI().getPath(), request.getHttpURI().getQuery(), headers,
                        offered, chosen, remote);
                return new WsConnection(ServerCore.this, "s" + ids.incrementAndGet(), route, sr);
            }, request, response, callback);
            if (!upgraded) {
                Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400, "WebSocket upgrade required");
            }
            return true;
        }
    }
}
