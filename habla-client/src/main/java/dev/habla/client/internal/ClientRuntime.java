package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveException;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * What one {@code LiveClient} owns: the transport (Jetty's client with its pool, or the JDK's HTTP client with its
 * callbacks on virtual threads), the timer for pings and
 * deadlines, the provider and transport, and the set of live sessions (so {@link #close()} can abort them).
 */
public final class ClientRuntime implements AutoCloseable {
    /** Process-wide, so thread names are unique across clients. */
    private static final AtomicLong SESSION_IDS = new AtomicLong();

    private final ClientConfig config;
    /** The JDK transport's HTTP client and its callback executor; null with the Jetty transport. */
    private final ExecutorService callbacks;
    private final HttpClient http;
    private final ScheduledThreadPoolExecutor timer;
    private final LiveProvider provider;
    private final Transport transport;
    private final Set<RealLiveSession> sessions = ConcurrentHashMap.newKeySet();
    /** Resilient sessions still running: {@link #close()} fails them so no reconnect outlives the client. */
    private final Set<RealResilientSession> resilient = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    public ClientRuntime(ClientConfig config) {
        this(config, Wire.of(config));
    }

    /**
     * Over a given transport (tests: an in-memory one that answers as no network peer can be made to, e.g. inside
     * {@link Transport#open}); the runtime closes it. {@link ClientConfig#transport()} and {@link ClientConfig#record()}
     * are not used.
     */
    ClientRuntime(ClientConfig config, Transport transport) {
        this(config, new Wire(null, null, transport));
    }

    private ClientRuntime(ClientConfig config, Wire wire) {
        this.config = config;
        this.callbacks = wire.callbacks();
        this.http = wire.http();
        this.transport = wire.transport();
        this.timer = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name("habla-timer-", 0).factory());
        this.timer.setRemoveOnCancelPolicy(true);
        this.provider = config.provider().spi();
    }

    /** The transport and, for the JDK one, its HTTP client and callback executor (null with the others). */
    private record Wire(ExecutorService callbacks, HttpClient http, Transport transport) {
        static Wire of(ClientConfig config) {
            if (config.transport() == ClientConfig.Transport.NETTY) {
                return new Wire(null, null,
                        recording(config, new NettyWebSocketTransport(config.connectTimeout(), config.permessageDeflate())));
            }
            if (config.transport() == ClientConfig.Transport.JETTY) {
                return new Wire(null, null,
                        recording(config, new JettyWebSocketTransport(config.connectTimeout(), config.permessageDeflate())));
            }
            ExecutorService callbacks = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("habla-http-", 0).factory());
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(config.connectTimeout())
                    .executor(callbacks)
                    .build();
            try {
                return new Wire(callbacks, http, recording(config, new JdkWebSocketTransport(http)));
            } catch (RuntimeException e) { // the cassette cannot be written: release what was started
                http.shutdownNow();
                callbacks.shutdown();
                throw e;
            }
        }
    }

    /** The transport, tapped by a cassette recorder when {@link ClientConfig#record()} is set. */
    private static Transport recording(ClientConfig config, Transport transport) {
        if (config.record() == null) {
            return transport;
        }
        try {
            return new RecordingTransport(transport, config.record(), config.recordAudio(),
                    java.util.Arrays.asList(config.apiKey(), config.ephemeralToken()));
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    /** The provider every session of this client speaks ({@link ClientConfig#provider()}; stateless, thread-safe). */
    LiveProvider provider() {
        return provider;
    }

    /** Opens a session; see {@code LiveClient.connectAsync}. */
    public CompletableFuture<LiveSession> connect(SessionConfig session, SessionListener listener) {
        return connect(session, listener, false, null, null);
    }

    /**
     * Opens a connection of a resilient session: it keeps the frames left in its queue when it ends
     * ({@link RealLiveSession#unsentCommands()}) for re-sending, and {@code outcome} is attached to its connect future
     * before it starts. The reader completes that future on setupComplete and runs the stages attached by then inline,
     * before it delivers SetupCompleted to {@code listener}; so {@code outcome} runs before the connection's first event.
     * Chained to the returned future instead, it could run after its events: a fast upstream answers before the
     * caller gets the future back, and the stage then runs on the caller's thread, late. On a failed connect it runs
     * before the terminal Closed, possibly on this thread before this method returns.
     */
    CompletableFuture<LiveSession> connectRetaining(SessionConfig session, SessionListener listener,
            java.util.concurrent.Executor ioAffinity, BiConsumer<? super LiveSession, ? super Throwable> outcome) {
        return connect(session, listener, true, ioAffinity, outcome);
    }

    private CompletableFuture<LiveSession> connect(SessionConfig session, SessionListener listener, boolean retainUnsent,
            java.util.concurrent.Executor ioAffinity, BiConsumer<? super LiveSession, ? super Throwable> outcome) {
        String id = Long.toString(SESSION_IDS.incrementAndGet());
        RealLiveSession[] self = new RealLiveSession[1];
        RealLiveSession s = new RealLiveSession(id, config, session, provider, transport, timer, listener,
                () -> sessions.remove(self[0]));
        self[0] = s;
        if (retainUnsent) {
            s.retainUnsentFrames();
        }
        s.ioAffinity(ioAffinity);
        if (outcome != null) {
            s.connectFuture().whenComplete(outcome);
        }
        sessions.add(s);
        if (closed.get()) {
            CompletableFuture<LiveSession> f = s.start();
            s.fail(new LiveException(LiveException.Kind.CLOSED, "the LiveClient is closed"));
            return f;
        }
        return s.start();
    }

    /**
     * Opens a resilient session; the future completes once its first connection is set up (after retries within the
     * policy), or fails with the typed cause.
     */
    public CompletableFuture<dev.habla.client.ResilientSession> connectResilient(SessionConfig session,
            SessionListener listener, dev.habla.client.ResiliencePolicy policy, java.util.concurrent.Executor ioAffinity) {
        RealResilientSession[] self = new RealResilientSession[1];
        RealResilientSession r = new RealResilientSession(this, config, session, listener, policy, ioAffinity,
                () -> resilient.remove(self[0]));
        self[0] = r;
        resilient.add(r);
        // Published before it starts, so close() may fail it first; start() runs once whoever calls it first. On a
        // closed client the first connect fails with CLOSED, which is not retried: the session ends at once.
        CompletableFuture<dev.habla.client.ResilientSession> opened = r.start();
        if (closed.get()) {
            r.fail(new LiveException(LiveException.Kind.CLOSED, "the LiveClient was closed"));
        }
        return opened;
    }

    /** Aborts open sessions, then stops the timer and the HTTP client. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (RealResilientSession r : List.copyOf(resilient)) {
            r.fail(new LiveException(LiveException.Kind.CLOSED, "the LiveClient was closed"));
        }
        for (RealLiveSession s : List.copyOf(sessions)) {
            s.fail(new LiveException(LiveException.Kind.CLOSED, "the LiveClient was closed"));
        }
        timer.shutdownNow();
        transport.close();
        if (http != null) {
            http.shutdownNow();
            callbacks.shutdown();
        }
    }
}
