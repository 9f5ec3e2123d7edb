package dev.habla.client.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.MessageTooLargeException;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Transport} over Jetty 12's WebSocket client ({@code jetty-websocket-jetty-client}, the same Jetty as the
 * emulator). Why it exists: {@code java.net.http.WebSocket} encodes outgoing text char by char and re-registers its
 * selector for every received message; Jetty encodes with {@code String.getBytes} and reads as long as there is
 * demand (habla-bench/README.md, "Client throughput"). It can also offer permessage-deflate, which the JDK cannot.
 *
 * <p>Demand: Jetty delivers one frame per {@link Session#demand()} (a whole message here: its message sinks join parts
 * and ask for the continuation frames themselves). The session's message credit ({@link Connection#request}) is kept
 * in {@link JettyConnection#credit}; the invariant is that exactly one Jetty demand is outstanding while the credit is
 * above zero, and none while it is zero. Pings and pongs take Jetty demand but no credit, so they demand again.
 *
 * <p>Threads: Jetty's callbacks run on its pool ({@code habla-jetty<n>-*}, daemon platform threads, one pool per
 * client; they never block here). The only blocking call, {@link Connection#sendText}, runs on the session's virtual writer thread.
 */
public final class JettyWebSocketTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(JettyWebSocketTransport.class);
    /**
     * How long a failed send waits for the connection's end to be reported. A server that closes right after the
     * handshake (bad key: 1008) races the setup frame; without the wait the session would see "send failed" before
     * Jetty has handed over the close frame, and report {@code UNAVAILABLE} instead of the server's code and reason.
     */
    private static final long SEND_FAILURE_GRACE_MILLIS = 500;
    /** Jetty reads into buffers of this size; the default 4 KB splits every 6.5 KB audio frame across two reads. */
    private static final int INPUT_BUFFER_BYTES = 64 << 10;

    /** Process-wide, so pool names are unique across clients. */
    private static final AtomicLong INSTANCES = new AtomicLong();

    private final WebSocketClient client;
    private final boolean deflate;
    private final String poolName;

    /**
     * Starts a Jetty WebSocket client with its own HTTP client and thread pool; {@link #close()} stops them.
     *
     * @param connectTimeout TCP connect bound (the handshake is bounded per {@link #open} call)
     * @param deflate        offer permessage-deflate (used only if the server accepts it)
     */
    public JettyWebSocketTransport(Duration connectTimeout, boolean deflate) {
        this.deflate = deflate;
        QueuedThreadPool pool = new QueuedThreadPool(64, 2);
        this.poolName = "habla-jetty" + INSTANCES.incrementAndGet();
        pool.setName(poolName);
        pool.setDaemon(true);
        HttpClient http = new HttpClient();
        http.setExecutor(pool);
        http.setConnectTimeout(connectTimeout.toMillis());
        http.setFollowRedirects(false);
        // No proxy (as the JDK transport: its HttpClient has no ProxySelector); TLS verifies host names by default.
        // The HTTP client is not started here, so the WebSocket client manages it: started and stopped with it.
        WebSocketClient c = new WebSocketClient(http);
        c.setConnectTimeout(connectTimeout.toMillis());
        // Dead peers are found by the session's pings and stall timers, not by an idle timeout (the JDK has none).
        c.setIdleTimeout(Duration.ZERO);
        c.setMaxTextMessageSize(JdkWebSocketTransport.MAX_MESSAGE_BYTES);
        c.setMaxBinaryMessageSize(JdkWebSocketTransport.MAX_MESSAGE_BYTES);
        c.setMaxFrameSize(JdkWebSocketTransport.MAX_MESSAGE_BYTES);
        c.setInputBufferSize(INPUT_BUFFER_BYTES);
        c.setStopAtShutdown(false);
        try {
            c.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the Jetty WebSocket client", e);
        }
        this.client = c;
    }

    @Override
    public CompletableFuture<Connection> open(ConnectRequest request, Duration timeout, Listener listener) {
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest(request.uri());
        request.headers().forEach(upgrade::setHeader);
        upgrade.setTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (deflate) {
            upgrade.addExtensions("permessage-deflate");
        }
        Endpoint endpoint = new Endpoint(listener);
        CompletableFuture<Connection> result = new CompletableFuture<>();
        CompletableFuture<Session> connecting;
        try {
            connecting = client.connect(endpoint, upgrade);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(translateConnectFailure(e));
        }
        connecting.whenComplete((session, error) -> {
            if (error != null) {
                result.completeExceptionally(translateConnectFailure(error));
            } else {
                result.complete(endpoint.connection(session));
            }
        });
        return result;
    }

    /** Stops the Jetty client, its HTTP client and pool (the runtime aborts the sessions first). Idempotent. */
    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            log.debug("stopping the Jetty WebSocket client failed", e);
        }
    }

    /** The name prefix of this transport's threads ({@code habla-jetty<n>-<id>}). */
    String threadNamePrefix() {
        return poolName;
    }

    /**
     * Jetty's handshake failures as the types the provider maps: a non-101 status becomes
     * {@link HandshakeStatusException}; the others (refused, DNS, TLS, timeout) keep their cause chain.
     */
    static Throwable translateConnectFailure(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            int status = -1;
            if (c instanceof UpgradeException u) {
                status = u.getResponseStatusCode();
            } else if (c instanceof org.eclipse.jetty.websocket.core.exception.UpgradeException u) {
                status = u.getResponseStatusCode();
            }
            if (status > 0 && status != 101) {
                return new HandshakeStatusException(status, t);
            }
        }
        return t;
    }

    /** The Jetty session behind {@link Connection}, with the message credit. */
    static final class JettyConnection implements Connection {
        private final Session session;
        /** Completed once the close or error callback has been passed on (the listener's last call). */
        private final CompletableFuture<Void> ended;
        /** Messages the session may still receive; a Jetty demand is outstanding exactly while this is above zero. */
        private final AtomicLong credit = new AtomicLong(1);

        JettyConnection(Session session, CompletableFuture<Void> ended) {
            this.session = session;
            this.ended = ended;
        }

        /** For tests: the Jetty session (negotiated extensions). */
        Session session() {
            return session;
        }

        @Override
        public void sendText(String text) throws Exception {
            Callback.Completable done = new Callback.Completable();
            session.sendText(text, done);
            try {
                // get() rather than join(): interruptible, so a writer blocked on a stalled socket can be released.
                done.get();
            } catch (ExecutionException e) {
                // Let a close frame that is already on its way be reported first (SEND_FAILURE_GRACE_MILLIS).
                try {
                    ended.get(SEND_FAILURE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | ExecutionException ignored) {
                    // not reported in time: the send failure stands
                }
                throw e;
            }
        }

        @Override
        public CompletableFuture<?> sendPing() {
            Callback.Completable done = new Callback.Completable();
            try {
                session.sendPing(ByteBuffer.allocate(0), done);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
            return done;
        }

        @Override
        public CompletableFuture<?> sendClose(int code, String reason) {
            Callback.Completable done = new Callback.Completable();
            try {
                session.close(code, reason, done);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
            return done;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                throw new IllegalArgumentException("request(" + n + ")");
            }
            long before = credit.getAndUpdate(c -> c + n < 0 ? Long.MAX_VALUE : c + n);
            if (before == 0) {
                demand(); // the callbacks stopped demanding when the credit ran out
            }
        }

        /** A message was delivered: one credit used; demand the next one if some is left. Jetty's thread. */
        void delivered() {
            if (credit.decrementAndGet() > 0) {
                demand();
            }
        }

        void demand() {
            try {
                session.demand();
            } catch (RuntimeException e) {
                // Closed or closing: no more frames anyway; the close or error callback reports the end.
                log.debug("demand on a closed Jetty session: {}", e.toString());
            }
        }

        @Override
        public void abort() {
            session.disconnect();
        }
    }

    /**
     * Jetty's callbacks for one connection. Jetty calls the frame callbacks one at a time (with one demand outstanding
     * there is never a second frame in flight); close and error can come from another thread (an abort), so
     * {@link #ended} makes the first of them the last call. Public because Jetty binds the methods through a
     * {@code MethodHandles.Lookup} that needs a public class.
     */
    public static final class Endpoint implements Session.Listener {
        private final Listener listener;
        private final AtomicBoolean ended = new AtomicBoolean();
        /** Completed after the last call to the listener (close or error); a failed send waits on it briefly. */
        private final CompletableFuture<Void> endReported = new CompletableFuture<>();
        private volatile JettyConnection connection;

        Endpoint(Listener listener) {
            this.listener = listener;
        }

        synchronized JettyConnection connection(Session session) {
            JettyConnection c = connection;
            if (c == null) {
                c = new JettyConnection(session, endReported);
                connection = c;
            }
            return c;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            JettyConnection c = connection(session);
            listener.onOpen(c);
            // The one message a transport delivers unasked (credit starts at 1); request(n) inside onOpen saw a
            // non-zero credit and left the demand to us.
            c.demand();
        }

        @Override
        public void onWebSocketText(String text) {
            if (ended.get()) {
                return;
            }
            listener.onMessage(new InboundFrame(text, null));
            connection.delivered();
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            if (ended.get()) {
                callback.succeed();
                return;
            }
            // Jetty reuses the buffer once the callback completes: copy now, once, into the array the session decodes.
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            callback.succeed();
            listener.onMessage(new InboundFrame(null, b, b.length));
            connection.delivered();
        }

        @Override
        public void onWebSocketPing(ByteBuffer payload) {
            // Overriding this turns off Jetty's automatic pong, so answer here (as the JDK does by itself).
            JettyConnection c = connection;
            c.session.sendPong(payload, Callback.NOOP);
            c.demand(); // pings use Jetty demand, not message credit
        }

        @Override
        public void onWebSocketPong(ByteBuffer payload) {
            listener.onPong();
            connection.demand();
        }

        @Override
        public void onWebSocketClose(int code, String reason, Callback callback) {
            callback.succeed();
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            try {
                if (code == 1006) {
                    // No close frame: the connection just ended. The JDK reports that as an error; so do we, so that
                    // the session's handling (lost connection, 1006) is the same on both transports.
                    listener.onError(new IOException("connection closed without a close frame"
                            + (reason == null || reason.isEmpty() ? "" : ": " + reason)));
                } else {
                    listener.onClose(code, reason);
                }
            } finally {
                endReported.complete(null);
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            try {
                listener.onError(translateError(cause));
            } finally {
                endReported.complete(null);
            }
        }

        /** Jetty's errors as the JDK transport reports them, so the session maps them the same way. */
        private static Throwable translateError(Throwable cause) {
            if (cause instanceof MessageTooLargeException
                    || cause instanceof org.eclipse.jetty.websocket.core.exception.MessageTooLargeException) {
                return new JdkWebSocketTransport.MessageTooLargeException(cause.getMessage());
            }
            return JdkWebSocketTransport.asJdkError(cause,
                    cause instanceof org.eclipse.jetty.websocket.api.exceptions.ProtocolException
                    || cause instanceof org.eclipse.jetty.websocket.core.exception.ProtocolException
                    || cause instanceof org.eclipse.jetty.websocket.api.exceptions.BadPayloadException
                    || cause instanceof org.eclipse.jetty.websocket.core.exception.BadPayloadException);
        }
    }
}
