package dev.habla.client;

import dev.habla.client.internal.ClientRuntime;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Entry point: holds the endpoint, credentials and shared resources (an HTTP client on virtual threads, a small
 * scheduler for pings and timeouts) and opens {@link LiveSession}s. Thread-safe; one per application is typical.
 *
 * <pre>{@code
 * try (LiveClient client = LiveClient.create(c -> c.apiKey(key));
 *      LiveSession session = client.connect(config, event -> System.out.println(event))) {
 *     session.sendText("Hello");
 *     ...
 * }
 * }</pre>
 *
 * {@link #close()} aborts sessions that are still open and releases the shared resources.
 */
public final class LiveClient implements AutoCloseable {
    private final ClientConfig config;
    private final ClientRuntime runtime;

    private LiveClient(ClientConfig config) {
        this.config = config;
        this.runtime = new ClientRuntime(config);
    }

    /** A client built from a configuration lambda, e.g. {@code LiveClient.create(c -> c.apiKey(key))}. */
    public static LiveClient create(Consumer<ClientConfig.Builder> spec) {
        return new LiveClient(ClientConfig.create(spec));
    }

    /** A client for an existing configuration. */
    public static LiveClient create(ClientConfig config) {
        return new LiveClient(Objects.requireNonNull(config, "config"));
    }

    public ClientConfig config() {
        return config;
    }

    /**
     * What {@code session}'s model accepts on this client's provider (the same as {@link LiveSession#capabilities()} of
     * a session opened with it), e.g. the microphone rate to capture at before connecting.
     */
    public Capabilities capabilities(SessionConfig session) {
        return config.provider().spi().capabilities(config, Objects.requireNonNull(session, "session config"));
    }

    /**
     * Opens a session and blocks until the server's {@code setupComplete} (at most
     * {@link ClientConfig#connectTimeout()}). The listener is attached before the first frame can arrive; it receives
     * {@link LiveEvent.SetupCompleted} first and, in all cases (failure included), exactly one {@link LiveEvent.Closed}
     * last.
     *
     * @throws LiveException with the mapped {@link LiveException.Kind} if the handshake, setup or anything before
     *                       {@code setupComplete} fails
     */
    public LiveSession connect(SessionConfig session, SessionListener listener) throws LiveException {
        CompletableFuture<LiveSession> f = connectAsync(session, listener);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(false);
            throw new LiveException(LiveException.Kind.CLOSED, "interrupted while connecting", e);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (CancellationException e) {
            throw new LiveException(LiveException.Kind.CLOSED, "connect was cancelled", e);
        }
    }

    /**
     * Like {@link #connect} without blocking: the future completes with the open session, or exceptionally with a
     * {@link LiveException}. Cancelling the future aborts the attempt.
     */
    public CompletableFuture<LiveSession> connectAsync(SessionConfig session, SessionListener listener) {
        Objects.requireNonNull(session, "session config");
        Objects.requireNonNull(listener, "listener");
        return runtime.connect(session, listener);
    }

    /**
     * Opens a {@link ResilientSession} with the default {@link ResiliencePolicy}; see
     * {@link #connectResilient(SessionConfig, SessionListener, ResiliencePolicy)}.
     */
    public ResilientSession connectResilient(SessionConfig session, SessionListener listener) throws LiveException {
        return connectResilient(session, listener, ResiliencePolicy.defaults());
    }

    /**
     * Opens a session that survives connection limits, drops and stalls (see {@link ResilientSession}) and blocks until
     * its first connection is set up. A retryable failure of that first connect is retried within the policy's
     * attempts. Resumption is always enabled; audio sessions get context-window compression unless the config has its
     * own or the policy turns it off. The listener receives {@link LiveEvent.SetupCompleted} once and, in all cases,
     * exactly one {@link LiveEvent.Closed} last.
     *
     * @throws LiveException the typed cause if no connection could be set up
     */
    public ResilientSession connectResilient(SessionConfig session, SessionListener listener, ResiliencePolicy policy)
            throws LiveException {
        return connectResilient(session, listener, policy, null);
    }

    /**
     * {@link #connectResilient(SessionConfig, SessionListener, ResiliencePolicy)} with the connections' socket I/O on
     * {@code ioExecutor}'s thread where the transport can; see
     * {@link #connectResilientAsync(SessionConfig, SessionListener, ResiliencePolicy, java.util.concurrent.Executor)}.
     */
    public ResilientSession connectResilient(SessionConfig session, SessionListener listener, ResiliencePolicy policy,
            java.util.concurrent.Executor ioExecutor) throws LiveException {
        CompletableFuture<ResilientSession> f = connectResilientAsync(session, listener, policy, ioExecutor);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.thenAccept(LiveSession::abort);
            throw new LiveException(LiveException.Kind.CLOSED, "interrupted while connecting", e);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    /** Like {@link #connectResilient(SessionConfig, SessionListener, ResiliencePolicy)} without blocking. */
    public CompletableFuture<ResilientSession> connectResilientAsync(SessionConfig session, SessionListener listener,
            ResiliencePolicy policy) {
        return connectResilientAsync(session, listener, policy, null);
    }

    /**
     * Like {@link #connectResilientAsync(SessionConfig, SessionListener, ResiliencePolicy)}, with the socket I/O of the
     * session's connections on {@code ioExecutor}'s thread where the transport can: the {@link ClientConfig.Transport#NETTY}
     * transport joins a Netty event loop given here (e.g. a habla-server connection's {@code ioExecutor()}, so that frames
     * between a server's client and its upstream cross no thread); the other transports, and other executors, are not
     * affected. Null: the transport's own threads.
     */
    public CompletableFuture<ResilientSession> connectResilientAsync(SessionConfig session, SessionListener listener,
            ResiliencePolicy policy, java.util.concurrent.Executor ioExecutor) {
        Objects.requireNonNull(session, "session config");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(policy, "policy");
        return runtime.connectResilient(session, listener, policy, ioExecutor);
    }

    /** Aborts the sessions of this client that are still open and releases threads. Idempotent. */
    @Override
    public void close() {
        runtime.close();
    }

    private static LiveException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof LiveException le) {
            return le;
        }
        return new LiveException(LiveException.Kind.UNAVAILABLE, "connect failed: " + t, t);
    }
}
