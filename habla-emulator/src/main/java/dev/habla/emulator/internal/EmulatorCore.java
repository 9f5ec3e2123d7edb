package dev.habla.emulator.internal;

import dev.habla.emulator.EmulatorSession;
import dev.habla.emulator.Fault;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.emulator.Script;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.UriCompliance;
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
 * The emulator behind {@link dev.habla.emulator.LiveEmulator}: the Jetty server, the registry of connections, the
 * script queue, the record of client messages, resumption handles and id counters.
 *
 * <p>{@code lock} guards {@code open}, {@code closed}, {@code scripts} and the started/closed state. Connections call
 * back into it from Jetty's virtual threads.
 */
public final class EmulatorCore {
    private static final Logger LOG = LoggerFactory.getLogger(EmulatorCore.class);
    /** Frames of up to 64 MiB in either direction (large inline media is expected). */
    static final int MAX_MESSAGE = 64 << 20;

    private final EmulatorConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<String, Connection> open = new LinkedHashMap<>();
    private final ArrayDeque<EmulatorSession> closed = new ArrayDeque<>();
    private final ArrayDeque<Script> scripts = new ArrayDeque<>();
    private final LinkedBlockingDeque<ReceivedMessage> received = new LinkedBlockingDeque<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicLong logicalIds = new AtomicLong();
    private final AtomicLong callIds = new AtomicLong();
    private final AtomicInteger refuseResumption = new AtomicInteger();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final ResumptionStore resumption;
    /** Wall-clock housekeeping: drops TCP when a client ignores our close frame. */
    private final ScheduledExecutorService watchdog;
    private Server server;
    private ServerConnector connector;

    public EmulatorCore(EmulatorConfig config) {
        this.config = config;
        this.resumption = new ResumptionStore(config.clock(), config.resumptionHandleTtl());
        this.watchdog = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("habla-emu-watchdog").factory());
    }

    public EmulatorConfig config() {
        return config;
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
            pool.setName("habla-emu");
            pool.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("habla-emu-io-", 0).factory()));
            Server s = new Server(pool);
            HttpConfiguration http = new HttpConfiguration();
            // The JS SDK requests //ws/...: an empty segment that the default compliance rejects as ambiguous.
            http.setUriCompliance(UriCompliance.LEGACY);
            http.setSendServerVersion(false);
            ServerConnector c = new ServerConnector(s, new HttpConnectionFactory(http));
            c.setHost("127.0.0.1");
            c.setPort(config.port());
            s.addConnector(c);
            WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(s, container -> {
                container.setMaxTextMessageSize(MAX_MESSAGE);
                container.setMaxBinaryMessageSize(MAX_MESSAGE);
                container.setMaxFrameSize(MAX_MESSAGE);
                // Quiet clients are legal; the connection lifetime, not idleness, ends a session.
                Duration life = config.connectionLifetime().plusMinutes(1);
                container.setIdleTimeout(life.compareTo(Duration.ofHours(1)) > 0 ? life : Duration.ofHours(1));
            });
            ServerWebSocketContainer container = ws.getServerWebSocketContainer();
            ws.setHandler(new LiveHandler(container));
            s.setHandler(ws);
            s.start();
            server = s;
            connector = c;
            LOG.info("Live emulator listening on 127.0.0.1:{}", c.getLocalPort());
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the emulator: " + e.getMessage(), e);
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
            for (var connector : s.getConnectors()) {
                if (connector instanceof ServerConnector sc) {
                    sc.close();
                }
            }
        }
        List<Connection> conns = openConnections();
        for (Connection c : conns) {
            c.close(1001, "");
        }
        // Let the close frames go out before Jetty tears the sockets down (not waiting for replies).
        long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
        for (Connection c : conns) {
            c.awaitWriterDone(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        try {
            if (s != null) {
                s.stop();
            }
        } catch (Exception e) {
            LOG.debug("Error stopping the emulator", e);
        } finally {
            watchdog.shutdownNow();
        }
    }

    // ---- public API support ----

    public void enqueue(Script script) {
        lock.lock();
        try {
            scripts.add(script);
        } finally {
            lock.unlock();
        }
    }

    public ReceivedMessage takeClientMessage(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public void inject(String sessionId, Fault fault) {
        if (fault instanceof Fault.RefuseResumption && sessionId == null) {
            refuseResumption.incrementAndGet();
            return;
        }
        Connection target;
        lock.lock();
        try {
            if (sessionId == null) {
                target = null;
                for (Connection c : open.values()) {
                    target = c;
                }
                if (target == null) {
                    throw new IllegalStateException("No open session to inject " + fault + " into");
                }
            } else {
                target = open.get(sessionId);
                if (target == null) {
                    throw new IllegalArgumentException("No open session " + sessionId);
                }
            }
        } finally {
            lock.unlock();
        }
        target.applyFault(fault);
    }

    /** A snapshot of the open connections, taken under the lock. */
    private List<Connection> openConnections() {
        lock.lock();
        try {
            return new ArrayList<>(open.values());
        } finally {
            lock.unlock();
        }
    }

    public List<EmulatorSession> sessions() {
        List<Connection> conns = openConnections();
        List<EmulatorSession> out = new ArrayList<>(conns.size());
        for (Connection c : conns) {
            out.add(c.snapshot());
        }
        return out;
    }

    public Optional<EmulatorSession> session(String id) {
        Connection c;
        lock.lock();
        try {
            c = open.get(id);
            if (c == null) {
                for (EmulatorSession s : closed) {
                    if (s.id().equals(id)) {
                        return Optional.of(s);
                    }
                }
                return Optional.empty();
            }
        } finally {
            lock.unlock();
        }
        return Optional.of(c.snapshot());
    }

    // ---- used by connections ----

    String nextConnectionId() {
        return "s" + connectionIds.incrementAndGet();
    }

    String nextLogicalId() {
        return "ls" + logicalIds.incrementAndGet();
    }

    String nextCallId() {
        return "call-" + callIds.incrementAndGet();
    }

    ResumptionStore resumption() {
        return resumption;
    }

    /** True once per {@link Fault.RefuseResumption} injected. */
    boolean consumeRefuseResumption() {
        while (true) {
            int n = refuseResumption.get();
            if (n == 0) {
                return false;
            }
            if (refuseResumption.compareAndSet(n, n - 1)) {
                return true;
            }
        }
    }

    void record(ReceivedMessage m) {
        if (config.maxRecordedMessages() == 0) {
            return;
        }
        received.add(m);
        while (received.size() > config.maxRecordedMessages()) {
            received.pollFirst();
        }
    }

    /** Registers an authenticated connection and hands it the next script, if any. */
    Script register(Connection c) {
        lock.lock();
        try {
            open.put(c.id(), c);
            return scripts.poll();
        } finally {
            lock.unlock();
        }
    }

    void unregister(Connection c, EmulatorSession finalSnapshot) {
        lock.lock();
        try {
            if (open.remove(c.id()) != null) {
                closed.addLast(finalSnapshot);
                while (closed.size() > config.keepClosedSessions()) {
                    closed.removeFirst();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    void watchdog(Runnable task, Duration delay) {
        try {
            watchdog.schedule(() -> Thread.ofVirtual().name("habla-emu-drop").start(task), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            task.run(); // emulator closing: drop now
        }
    }

    /** Routes Live API paths to WebSocket upgrades; everything else is 404. */
    private final class LiveHandler extends Handler.Abstract {
        private final ServerWebSocketContainer container;

        LiveHandler(ServerWebSocketContainer container) {
            this.container = container;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Endpoint ep = Endpoint.parse(request.getHttpURI().getPath());
            if (ep == null) {
                Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                return true;
            }
            boolean ok = Credentials.authorized(ep, request.getHttpURI().getQuery(),
                    request.getHeaders().get("x-goog-api-key"), request.getHeaders().get("Authorization"), config.apiKey());
            boolean upgraded = container.upgrade((req, resp, cb) -> new Connection(EmulatorCore.this, nextConnectionId(), ep, ok),
                    request, response, callback);
            if (!upgraded) {
                Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400, "WebSocket upgrade required");
            }
            return true;
        }
    }

    @Override
    public String toString() {
        return "EmulatorCore" + config;
    }
}
