package dev.habla.server;

import dev.habla.server.internal.ServerCore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A Live API WebSocket server (Netty's HTTP and WebSocket codecs on its event loops; handlers on virtual threads):
 * upgrades the Live paths
 * ({@link LiveEndpoint}; anything else is HTTP 404), asks the {@link LiveAuthenticator}, decodes client frames strictly
 * and hands them to one {@link LiveHandler} per connection.
 *
 * <pre>{@code
 * try (LiveServer server = LiveServer.create(b -> b
 *         .authenticator(LiveAuthenticator.anyCredential())
 *         .handlers(conn -> message -> conn.send(new ServerMessage.SetupComplete(null))))) {
 *     URI uri = URI.create(server.wsUrl(new LiveEndpoint("v1beta", LiveEndpoint.Kind.API_KEY)) + "?key=k");
 * }
 * }</pre>
 *
 * <p>Thread-safe; {@link #close()} is idempotent: it stops accepting, closes open connections 1001 (waiting up to
 * 500 ms for those close frames to go out), then stops the event loops.
 */
public final class LiveServer implements AutoCloseable {
    private final ServerCore core;

    private LiveServer(Builder b) {
        this.core = new ServerCore(b.host, b.port, b.authenticator, b.handlers, b.observer, b.maxMessageBytes, b.maxOutboundBytes,
                b.idleTimeout, b.closeGrace, b.writeTimeout, b.vertex, b.httpService, b.routes);
    }

    /**
     * Configures, binds and starts a server: the one way to get one. {@code configure} sets what differs from the
     * defaults of {@link Builder}; {@link Builder#handlers} is required. The returned server is already serving
     * (close it); if it cannot start, what was started is closed before the exception is thrown.
     *
     * <p>Connections may arrive as soon as the port is bound, before this method returns: the handler factory, the
     * authenticator and the observer must be ready to be called when they are given to the builder.
     *
     * @throws NullPointerException if no handler factory was given
     * @throws IllegalStateException if the port cannot be bound
     */
    public static LiveServer create(Consumer<Builder> configure) {
        Builder b = new Builder();
        configure.accept(b);
        Objects.requireNonNull(b.handlers, "handlers");
        LiveServer server = new LiveServer(b);
        try {
            server.core.start();
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The bound port (the one chosen when the builder's port was 0). */
    public int port() {
        return core.port();
    }

    /** {@code http://HOST:PORT}: what SDKs take as base URL. */
    public String baseUrl() {
        return "http://" + core.host() + ":" + port();
    }

    /** {@code ws://HOST:PORT} + the endpoint's path, without credentials. */
    public String wsUrl(LiveEndpoint endpoint) {
        return "ws://" + core.host() + ":" + port() + endpoint.path();
    }

    /** The connections open now (authenticated ones), in opening order. */
    public List<LiveConnection> connections() {
        return core.connections();
    }

    /** Stops accepting, closes open connections 1001, then stops the event loops. Idempotent. */
    @Override
    public void close() {
        core.close();
    }

    /** Settings of a {@link LiveServer}, given inside {@link LiveServer#create(Consumer)}. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private LiveAuthenticator authenticator = LiveAuthenticator.anyCredential();
        private LiveHandler.Factory handlers;
        private InboundObserver observer = ServerCore.NO_OBSERVER;
        private int maxMessageBytes = 64 << 20;
        private long maxOutboundBytes = 64L << 20;
        private Duration idleTimeout = Duration.ofHours(1);
        private Duration closeGrace = Duration.ofSeconds(1);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private boolean vertex;
        private HttpService httpService;
        private final java.util.ArrayList<SocketRoute> routes = new java.util.ArrayList<>();

        private Builder() {}

        /**
         * Also serves another WebSocket wire on {@code route.path()} (checked before the Live paths and the
         * {@link #httpService}; a request there without an upgrade goes on to them). May be called several times.
         */
        public Builder route(SocketRoute route) {
            routes.add(Objects.requireNonNull(route, "route"));
            return this;
        }

        /** Interface to bind (default {@code 127.0.0.1}). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Port (default 0: a free one). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port);
            }
            this.port = port;
            return this;
        }

        /** Who may connect (default {@link LiveAuthenticator#anyCredential()}). */
        public Builder authenticator(LiveAuthenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /** Creates the handler of each authenticated connection (required). */
        public Builder handlers(LiveHandler.Factory handlers) {
            this.handlers = Objects.requireNonNull(handlers, "handlers");
            return this;
        }

        /** Sees every client frame first (default: none). */
        public Builder inboundObserver(InboundObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /** Largest client or server message (default 64 MiB: large inline media is expected). */
        public Builder maxMessageBytes(int max) {
            if (max < 1024) {
                throw new IllegalArgumentException("maxMessageBytes: " + max);
            }
            this.maxMessageBytes = max;
            return this;
        }

        /**
         * Bytes a connection may have queued for writing (default 64 MiB). A frame that would pass it closes the
         * connection 1008 ({@link CloseReasons#slowClient}); a single frame on an empty queue is always accepted.
         */
        public Builder maxOutboundBytes(long max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxOutboundBytes: " + max);
            }
            this.maxOutboundBytes = max;
            return this;
        }

        /** Idle timeout of a socket (default 1 hour: quiet clients are legal). */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive(timeout, "idleTimeout");
            return this;
        }

        /** How long a client may take to answer our close frame before TCP is dropped (default 1 s; the Java SDK never answers). */
        public Builder closeGrace(Duration grace) {
            this.closeGrace = positive(grace, "closeGrace");
            return this;
        }

        /** How long one frame write may take before the connection is dropped (default 30 s). */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive(timeout, "writeTimeout");
            return this;
        }

        /** Also serve the Vertex AI path (default false: HTTP 404 there). */
        public Builder vertexPaths(boolean serve) {
            this.vertex = serve;
            return this;
        }

        /**
         * Serves every request whose path is not a Live path or a route's upgrade (REST endpoints, static assets) with
         * {@code service}. Default: none, HTTP 404 there. The gateway's token endpoint, metrics and console use it.
         */
        public Builder httpService(HttpService service) {
            this.httpService = Objects.requireNonNull(service, "service");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
