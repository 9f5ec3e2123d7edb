package dev.habla.gateway;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveClient;
import dev.habla.client.ResiliencePolicy;
import dev.habla.gateway.internal.Accounting;
import dev.habla.gateway.internal.Admission;
import dev.habla.gateway.internal.Assets;
import dev.habla.gateway.internal.ClientSession;
import dev.habla.gateway.internal.Cluster;
import dev.habla.gateway.internal.GatewayAuthenticator;
import dev.habla.gateway.internal.HttpApi;
import dev.habla.gateway.internal.Hub;
import dev.habla.gateway.internal.OriginPolicy;
import dev.habla.gateway.internal.RedisCluster;
import dev.habla.gateway.internal.SchedulerClock;
import dev.habla.gateway.internal.SessionRecorder;
import dev.habla.gateway.internal.Token;
import dev.habla.gateway.internal.TokenStore;
import dev.habla.protocol.CloseCodes;
import dev.habla.server.LiveServer;
import dev.habla.time.Scheduler;
import dev.habla.tools.ToolRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A Live API gateway: serves the Live wire (the same paths, messages, binary frames and close codes as Google) to
 * browsers and apps, mints ephemeral tokens at {@code POST /{v1alpha,v1beta,v1}/auth_tokens} for apps holding an
 * admin key, and runs each client session upstream on a {@link dev.habla.client.ResilientSession} (the provider
 * key stays here; goAway, handover and reconnects never reach the client). See the module README.
 *
 * <pre>{@code
 * try (Gateway gw = Gateway.create(b -> b
 *         .upstream(c -> c.apiKey(providerKey))                 // or .baseUrl(emulator.baseUrl())
 *         .app(GatewayApp.of("shop", adminKey))
 *         .allowOrigin("https://shop.example"))) {
 *     System.out.println(gw.baseUrl());                           // the SDK's baseUrl
 * }
 * }</pre>
 *
 * <p>With {@link Builder#redis} the gateway is one node of a cluster sharing tokens, upstream slots and conversations
 * in Redis (a client whose node dies or {@linkplain #drain drains} resumes through any node); without it, a standalone
 * node with its state in memory.
 *
 * <p>Thread-safe; {@link #close()} is idempotent: ends every session (1001), closes the upstream client.
 */
public final class Gateway implements AutoCloseable {
    private final LiveServer server;
    private final Hub hub;
    private final LiveClient upstream;
    private final PrometheusMeterRegistry metrics;

    private Gateway(LiveServer server, Hub hub, LiveClient upstream, PrometheusMeterRegistry metrics) {
        this.server = server;
        this.hub = hub;
        this.upstream = upstream;
        this.metrics = metrics;
    }

    /**
     * Configures, binds and starts a gateway: the one way to get one. {@link Builder#upstream} and one
     * {@link Builder#app} are required. The returned gateway is already serving (close it); if it cannot start, what
     * it had opened (upstream client, timers, meters) is closed before the exception is thrown.
     *
     * @throws IllegalArgumentException if there is no app
     * @throws NullPointerException if there is no upstream, or {@link Builder#devTokens} names no app
     * @throws IllegalStateException if the port cannot be bound
     */
    public static Gateway create(Consumer<Builder> spec) {
        Builder b = new Builder();
        spec.accept(b);
        if (b.apps.isEmpty()) {
            throw new IllegalArgumentException("a gateway needs at least one app (an admin key)");
        }
        Objects.requireNonNull(b.upstream, "upstream");
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LiveClient upstream = null;
        Hub hub = null;
        Cluster cluster = Cluster.STANDALONE;
        SchedulerClock wall = new SchedulerClock(b.clock); // one clock: what reads the time and what waits on it
        try {
            if (b.redis != null) {
                cluster = new RedisCluster(b.redis, b.redisPrefix, wall, b.heartbeat);
            }
            Accounting accounting = new Accounting(b.apps, wall, metrics, !cluster.shared());
            TokenStore tokens = new TokenStore(wall, cluster);
            OriginPolicy origins = new OriginPolicy(b.origins, b.loopbackOrigins != null ? b.loopbackOrigins : isLoopback(b.host));
            GatewayApp devApp = b.devTokens == null ? null
                    : Objects.requireNonNull(accounting.app(b.devTokens), "devTokens: no app " + b.devTokens);
            Consumer<ClientConfig.Builder> upstreamConfig = nettyByDefault(b.upstream);
            upstream = LiveClient.create(upstreamConfig);
            ResiliencePolicy policy = b.policy != null ? b.policy : ResiliencePolicy.create(p -> p.meterRegistry(metrics));
            Admission admission = new Admission(cluster, accounting, b.keySessions, b.keyMinutesPerDay, b.maxQueued, b.queueTimeout);
            hub = Hub.create(upstream, tokens, accounting, b.tools, policy, b.resumeGrace, b.heldBytes, b.clock, cluster, admission,
                    new SessionRecorder(upstreamConfig, b.recordings, wall));
            cluster.start(hub.clusterHooks());
            io.micrometer.core.instrument.Gauge.builder("habla.gateway.queued", admission, Admission::queued)
                    .description("connects waiting for an upstream slot on this node (cluster)").register(metrics);
            HttpApi http = new HttpApi(tokens, accounting, origins, metrics, b.console ? Assets.console() : path -> null, devApp,
                    hub.draining());
            LiveServer server = serve(b, hub, http, new GatewayAuthenticator(tokens, accounting, origins));
            return new Gateway(server, hub, upstream, metrics);
        } catch (RuntimeException | Error e) {
            if (hub != null) {
                hub.shutdown();
            }
            cluster.close();
            if (upstream != null) {
                upstream.close();
            }
            metrics.close();
            throw e;
        }
    }

    /**
     * Starts the Live server. Its connections may open before {@link #create} returns: they work on {@code hub} and
     * its parts only, all complete by now, never on the {@link Gateway} being built.
     */
    private static LiveServer serve(Builder b, Hub hub, HttpApi http, GatewayAuthenticator authenticator) {
        TokenStore tokens = hub.tokens();
        Accounting accounting = hub.accounting();
        return LiveServer.create(s -> s
                .host(b.host)
                .port(b.port)
                .maxMessageBytes(b.maxMessageBytes)
                .authenticator(authenticator)
                .httpService(http)
                .handlers(conn -> {
                    String p = conn.principal();
                    if (p.startsWith("token:")) {
                        Token t = tokens.byHash(p.substring(6));
                        if (t == null) { // swept between upgrade and open: as if unknown
                            conn.close(CloseCodes.POLICY, CloseCodes.REASON_BAD_KEY);
                            return message -> { };
                        }
                        return new ClientSession(conn, hub, accounting.app(t.app()), t);
                    }
                    return new ClientSession(conn, hub, accounting.app(p.substring(4)), null);
                }));
    }

    /** The bound port (the one chosen when the builder's port was 0). */
    public int port() {
        return server.port();
    }

    /** {@code http://HOST:PORT}: the base URL SDKs take (tokens and Live sessions). */
    public String baseUrl() {
        return server.baseUrl();
    }

    /** One app's usage now. */
    public AppUsage usage(String app) {
        if (hub.accounting().app(app) == null) {
            throw new IllegalArgumentException("no app " + app);
        }
        return hub.accounting().snapshot(app);
    }

    /** Client sessions open now (attached or waiting in their resumption grace period). */
    public int openSessions() {
        return hub.conversations().size();
    }

    /** The gateway's meters (what {@code /metrics} shows). */
    public MeterRegistry meterRegistry() {
        return metrics;
    }

    /** This node's id in its cluster ({@code standalone} without one). */
    public String nodeId() {
        return hub.cluster().nodeId();
    }

    /** Connects waiting for an upstream slot on this node now (cluster with a queue). */
    public int queuedConnects() {
        return hub.admission().queued();
    }

    /**
     * Graceful drain before shutdown: stops accepting new sessions ({@code /healthz} answers 503, setups are refused
     * 1013), tells every client that can resume to go ({@code goAway}; it reconnects through another node with its
     * handle, and this node hands the conversation over at the next turn boundary), and waits for them to leave, at
     * most {@code max}. What is left then is handed off (cluster: resumable on any node) or ended (1001). The gateway
     * still has to be {@link #close() closed}. Returns the number of sessions that did not leave by themselves.
     */
    public int drain(Duration max) throws InterruptedException {
        hub.draining().set(true);
        long deadline = System.nanoTime() + max.toNanos();
        for (dev.habla.gateway.internal.Conversation c : hub.conversations()) {
            c.drainNotice(max);
        }
        while (!hub.byHandle().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20); // sessions leave on other threads (hand-offs); nothing to wait on but the map
        }
        List<dev.habla.gateway.internal.Conversation> left = hub.conversations();
        for (dev.habla.gateway.internal.Conversation c : left) {
            if (hub.cluster().shared() && c.resumable()) {
                c.handOff(Duration.ZERO);
            } else {
                c.end(CloseCodes.GOING_AWAY, "Gateway shutting down.");
            }
        }
        return left.size();
    }

    /** Ends every session (1001), stops the server, closes the upstream client, the cluster link and the meters. Idempotent. */
    @Override
    public void close() {
        hub.shutdown();
        server.close();
        upstream.close();
        hub.cluster().close();
        metrics.close();
    }

    /**
     * The gateway's upstream runs on Netty's WebSocket client unless the upstream settings or the system property
     * {@value ClientConfig#TRANSPORT_PROPERTY} choose: each upstream connection joins the event loop of its client's
     * socket, so frames between the two cross no thread (README, "Benchmark"); the JDK's client takes about twice the idle
     * heap per session. The library's own default elsewhere stays {@link ClientConfig#DEFAULT_TRANSPORT}.
     */
    private static Consumer<ClientConfig.Builder> nettyByDefault(Consumer<ClientConfig.Builder> settings) {
        return c -> {
            String p = System.getProperty(ClientConfig.TRANSPORT_PROPERTY);
            if (p == null || p.isBlank()) {
                c.transport(ClientConfig.Transport.NETTY);
            }
            settings.accept(c); // may still pick its own
        };
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Settings of a {@link Gateway}, given inside {@link Gateway#create(Consumer)}. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private Consumer<ClientConfig.Builder> upstream;
        private final List<GatewayApp> apps = new ArrayList<>();
        private final Set<String> origins = new LinkedHashSet<>();
        private Boolean loopbackOrigins;
        private ToolRegistry tools;
        private ResiliencePolicy policy;
        private Scheduler clock = Scheduler.system();
        private Duration resumeGrace = Duration.ofMinutes(2);
        private long heldBytes = 8L << 20;
        private int maxMessageBytes = 16 << 20;
        private boolean console = true;
        private String devTokens;
        private java.net.URI redis;
        private String redisPrefix = "habla:";
        private Duration heartbeat = Duration.ofSeconds(1);
        private int keySessions;
        private int keyMinutesPerDay;
        private int maxQueued;
        private Duration queueTimeout = Duration.ofSeconds(30);
        private final java.util.Map<String, SessionRecorder.Settings> recordings = new java.util.HashMap<>();

        private Builder() {}

        /**
         * Cluster mode: tokens, upstream slots, conversation records and node heartbeats shared in Redis
         * ({@code redis://[user:password@]host:port[/db]}, {@code rediss://…} for TLS). Without it the gateway is a
         * standalone node with its state in memory.
         */
        public Builder redis(java.net.URI uri) { this.redis = uri; return this; }

        /** Prefix of every Redis key (default {@code habla:}; several clusters can share one Redis). */
        public Builder redisPrefix(String prefix) { this.redisPrefix = Objects.requireNonNull(prefix, "prefix"); return this; }

        /** How often a node beats (default 1 s); after 3 missed beats it is dead and its slots and sessions are reclaimed. */
        public Builder heartbeat(Duration every) {
            if (every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("heartbeat must be positive");
            }
            this.heartbeat = every;
            return this;
        }

        /** Cluster: the provider key's limits, shared by every app (0 = unlimited, the default). */
        public Builder providerKeyLimits(int maxSessions, int minutesPerDay) {
            if (maxSessions < 0 || minutesPerDay < 0) {
                throw new IllegalArgumentException("limits must be >= 0");
            }
            this.keySessions = maxSessions;
            this.keyMinutesPerDay = minutesPerDay;
            return this;
        }

        /**
         * Cluster: over a concurrency limit, up to {@code maxQueued} connects per node wait at most {@code timeout} for
         * a slot (default 0: refused at once with 1011).
         */
        public Builder queue(int maxQueued, Duration timeout) {
            if (maxQueued < 0) {
                throw new IllegalArgumentException("maxQueued must be >= 0");
            }
            this.maxQueued = maxQueued;
            this.queueTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Interface to bind (default {@code 127.0.0.1}). */
        public Builder host(String host) { this.host = Objects.requireNonNull(host, "host"); return this; }

        /** Port (default 0: a free one). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** The upstream client's settings (provider, key, base URL…); the gateway owns the client. Required. */
        public Builder upstream(Consumer<ClientConfig.Builder> config) { this.upstream = Objects.requireNonNull(config, "upstream"); return this; }

        /** Adds an app (tenant). At least one. */
        public Builder app(GatewayApp app) { apps.add(Objects.requireNonNull(app, "app")); return this; }

        /** Allows pages from {@code origin} ({@code https://shop.example}; {@code *} = any) to mint and connect. */
        public Builder allowOrigin(String origin) { origins.add(Objects.requireNonNull(origin, "origin")); return this; }

        /** Whether loopback page origins are allowed (default: when the host is a loopback address). */
        public Builder allowLoopbackOrigins(boolean allow) { this.loopbackOrigins = allow; return this; }

        /** Server-side tools: declared to the upstream in every session, answered in the gateway, never seen by clients. */
        public Builder tools(ToolRegistry tools) { this.tools = tools; return this; }

        /** The upstream sessions' resilience policy (default: the client library's defaults, metrics in {@link #meterRegistry}). */
        public Builder resiliencePolicy(ResiliencePolicy policy) { this.policy = policy; return this; }

        /**
         * The gateway's one clock (default {@link Scheduler#system()}): token times, day limits, and the timers that
         * act on them (a token's expiry, an app's minutes running out, the resume grace period). Tests give a
         * {@code FakeClock}.
         */
        public Builder clock(Scheduler clock) { this.clock = Objects.requireNonNull(clock, "clock"); return this; }

        /** How long a session whose client dropped waits for it to resume with its handle (default 2 min). */
        public Builder resumeGrace(Duration grace) { this.resumeGrace = Objects.requireNonNull(grace, "grace"); return this; }

        /** What a session holds for a dropped client at most (default 8 MiB; past it the session ends). */
        public Builder heldBytes(long bytes) { this.heldBytes = bytes; return this; }

        /** Largest client frame (default 16 MiB; larger: close 1009). */
        public Builder maxMessageBytes(int bytes) { this.maxMessageBytes = bytes; return this; }

        /**
         * Dev mode: {@code POST /dev/token} hands single-use tokens of app {@code appId} to pages on loopback (the
         * console at {@code /} uses it), without an admin key. Off by default; never for a gateway others can reach.
         */
        public Builder devTokens(String appId) { this.devTokens = appId; return this; }

        /**
         * Records the upstream side of every session of app {@code appId} as a cassette (habla-emulator/README.md,
         * "Record and replay"), one file per session, {@code <dir>/<app>-<UTC time>-<n>.jsonl}; keeps at most
         * {@code maxFiles} of the app's cassettes there, none older than {@code maxAge} (pruned as each new one
         * starts). Off by default; credentials are redacted, the conversation's content is not.
         */
        public Builder recordSessions(String appId, java.nio.file.Path dir, int maxFiles, Duration maxAge) {
            recordings.put(Objects.requireNonNull(appId, "appId"),
                    new SessionRecorder.Settings(Objects.requireNonNull(dir, "dir"), maxFiles, maxAge));
            return this;
        }

        /** Serve the browser console and the drop-in at {@code /} (default true). */
        public Builder console(boolean serve) { this.console = serve; return this; }
    }
}
