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
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import dev.habla.server.LiveServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator behind {@link dev.habla.emulator.LiveEmulator}: its {@link LiveServer} (paths, auth, strict decoding, one
 * bounded writer per socket), the registry of connections, the script queue, the record of client messages,
 * resumption handles and id counters.
 *
 * <p>{@code lock} guards {@code open}, {@code closed}, {@code idle}, {@code scripts} and {@code server} (null until
 * started) (lock order: a connection's lock, then this one, then a logical session's). Connections call back into it
 * from habla-server's delivery threads (virtual).
 */
public final class EmulatorCore {
    private static final Logger LOG = LoggerFactory.getLogger(EmulatorCore.class);
    /** Frames of up to 64 MiB in either direction (large inline media is expected). */
    static final int MAX_MESSAGE = 64 << 20;
    /** Bytes a connection may have queued for the client (a reply of a few minutes of audio, many times over). */
    static final long MAX_OUTBOUND = 64L << 20;

    private final EmulatorConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<String, Connection> open = new LinkedHashMap<>();
    /** Open OpenAI Realtime sessions (ids share the {@code s<n>} numbering with {@link #open}). */
    private final LinkedHashMap<String, RealtimeConnection> openRealtime = new LinkedHashMap<>();
    private final LinkedBlockingDeque<dev.habla.emulator.ReceivedRealtimeEvent> receivedRealtime = new LinkedBlockingDeque<>();
    private final RealtimeEndpoint realtime = new RealtimeEndpoint(this);
    private final ArrayDeque<EmulatorSession> closed = new ArrayDeque<>();
    /**
     * Logical sessions with no open connection that still keep their recorded audio (a resumption may come), oldest
     * first: at most {@code keepClosedSessions}, their audio together within {@code maxRecordedAudio} (the newest always
     * stays); the others drop their audio (their handles still resume, with history).
     */
    private final LinkedHashMap<String, LogicalSession> idle = new LinkedHashMap<>();
    private final ArrayDeque<Script> scripts = new ArrayDeque<>();
    private final LinkedBlockingDeque<ReceivedMessage> received = new LinkedBlockingDeque<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicLong logicalIds = new AtomicLong();
    private final AtomicLong callIds = new AtomicLong();
    private final AtomicInteger refuseResumption = new AtomicInteger();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final ResumptionStore resumption;
    /** Non-null in replay mode: a cassette answers instead of the protocol rules and the brain. */
    private final Replayer replayer;
    /** Created and started by {@link #start()}, never in the constructor: no connection reaches a half-built core. */
    private LiveServer server;

    public EmulatorCore(EmulatorConfig config) {
        this.config = config;
        this.resumption = new ResumptionStore(config.clock(), config.resumptionHandleTtl());
        this.replayer = config.replay() == null ? null : new Replayer(config.replay(), config.replayPace(), config.clock());
    }

    /** The replayer in replay mode, else null. */
    public Replayer replayer() {
        return replayer;
    }

    public EmulatorConfig config() {
        return config;
    }

    /**
     * Binds and starts the server, once. The server is created here, after construction, because its handler factory
     * and observer call back into this core; the lock makes a concurrent {@link #close()} wait for it.
     */
    public void start() {
        lock.lock();
        try {
            if (server != null) {
                throw new IllegalStateException("already started");
            }
            if (stopped.get()) {
                throw new IllegalStateException("closed");
            }
            // Quiet clients are legal; the connection lifetime, not idleness, ends a session.
            Duration life = config.connectionLifetime().plusMinutes(1);
            Duration idle = life.compareTo(Duration.ofHours(1)) > 0 ? life : Duration.ofHours(1);
            try {
                server = LiveServer.create(b -> b.host("127.0.0.1").port(config.port())
                        .authenticator(new EmulatorAuthenticator(config.apiKey()))
                        .handlers(wire -> replayer != null ? replayer.open(wire) : Connection.open(this, wire))
                        .inboundObserver((c, m, raw, binary) -> record(new ReceivedMessage(c.id(), m, raw, binary)))
                        .maxMessageBytes(MAX_MESSAGE).maxOutboundBytes(MAX_OUTBOUND).idleTimeout(idle)
                        // OpenAI Realtime on the same server: its WebSocket route and its REST endpoint.
                        .route(realtime.route()).httpService(realtime.restService()));
            } catch (IllegalStateException e) {
                throw new IllegalStateException("Cannot start the emulator: " + e.getMessage(), e);
            }
            LOG.info("Live emulator listening on 127.0.0.1:{}", server.port());
        } finally {
            lock.unlock();
        }
    }

    public int port() {
        lock.lock();
        try {
            if (server == null) {
                throw new IllegalStateException("not started");
            }
            return server.port();
        } finally {
            lock.unlock();
        }
    }

    /** Stops accepting, closes what is open with 1001 (letting those frames out), then stops the server. */
    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        LiveServer s;
        lock.lock(); // waits for a start() under way; one that comes later sees stopped and refuses
        try {
            s = server;
        } finally {
            lock.unlock();
        }
        if (s != null) {
            s.close(); // outside the lock: closing connections call back into closed(..), which takes it
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
        if (replayer != null) {
            replayer.inject(fault);
            return;
        }
        if (fault instanceof Fault.RefuseResumption && sessionId == null) {
            refuseResumption.incrementAndGet();
            return;
        }
        Connection target;
        RealtimeConnection rt = null;
        lock.lock();
        try {
            if (sessionId != null && openRealtime.containsKey(sessionId)) {
                rt = openRealtime.get(sessionId);
                target = null;
            } else if (sessionId == null) {
                target = null;
                for (Connection c : open.values()) {
                    target = c;
                }
                for (RealtimeConnection c : openRealtime.values()) {
                    if (target == null || number(c.id) > number(target.id())) {
                        rt = c;
                    }
                }
                if (rt != null) {
                    target = null;
                }
                if (target == null && rt == null) {
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
        if (rt != null) {
            rt.applyFault(fault);
            return;
        }
        target.applyFault(fault);
    }

    private static long number(String connectionId) {
        return Long.parseLong(connectionId.substring(1));
    }

    // ---- OpenAI Realtime sessions ----

    void registerRealtime(RealtimeConnection c) {
        lock.lock();
        try {
            openRealtime.put(c.id, c);
        } finally {
            lock.unlock();
        }
    }

    void unregisterRealtime(RealtimeConnection c, EmulatorSession last) {
        lock.lock();
        try {
            if (openRealtime.remove(c.id) != null) {
                keepClosed(last);
            }
        } finally {
            lock.unlock();
        }
    }

    void recordRealtime(String sessionId, String raw) {
        if (config.maxRecordedMessages() == 0) {
            return;
        }
        receivedRealtime.add(new dev.habla.emulator.ReceivedRealtimeEvent(sessionId, raw));
        while (receivedRealtime.size() > config.maxRecordedMessages()) {
            receivedRealtime.pollFirst();
        }
    }

    public dev.habla.emulator.ReceivedRealtimeEvent takeRealtimeEvent(Duration timeout) throws InterruptedException {
        return receivedRealtime.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public List<EmulatorSession> sessions() {
        List<Connection> conns;
        List<RealtimeConnection> rts;
        lock.lock();
        try {
            conns = new ArrayList<>(open.values());
            rts = new ArrayList<>(openRealtime.values());
        } finally {
            lock.unlock();
        }
        List<EmulatorSession> out = new ArrayList<>(conns.size() + rts.size());
        for (Connection c : conns) {
            out.add(c.snapshot());
        }
        for (RealtimeConnection c : rts) {
            out.add(c.snapshot());
        }
        out.sort(java.util.Comparator.comparingLong(s -> number(s.id())));
        return out;
    }

    public Optional<EmulatorSession> session(String id) {
        Connection c;
        RealtimeConnection rt;
        lock.lock();
        try {
            c = open.get(id);
            rt = openRealtime.get(id);
            if (c == null && rt == null) {
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
        return Optional.of(c != null ? c.snapshot() : rt.snapshot());
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

    /**
     * Keeps the final snapshot of a closed connection: at most {@code keepClosedSessions}, and while their audio
     * together exceeds {@code maxRecordedAudio} the oldest go too (the newest is always kept).
     */
    void unregister(Connection c, EmulatorSession finalSnapshot) {
        lock.lock();
        try {
            if (open.remove(c.id()) != null) {
                keepClosed(finalSnapshot);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Caller holds {@code lock}. */
    private void keepClosed(EmulatorSession finalSnapshot) {
        closed.addLast(finalSnapshot);
        while (closed.size() > config.keepClosedSessions()) {
            closed.removeFirst();
        }
        long audio = 0;
        for (EmulatorSession s : closed) {
            audio += s.receivedAudio().length;
        }
        while (audio > config.maxRecordedAudioBytes() && closed.size() > 1) {
            audio -= closed.removeFirst().receivedAudio().length;
        }
    }

    /** {@code ls} has no open connection any more. */
    void sessionIdle(LogicalSession ls) {
        List<LogicalSession> release = new ArrayList<>();
        lock.lock();
        try {
            idle.remove(ls.id());
            idle.put(ls.id(), ls);
            long audio = 0;
            for (LogicalSession s : idle.values()) {
                audio += s.recordedAudioBytes();
            }
            // Oldest first: beyond the count, or while their audio together exceeds the budget (the newest stays).
            var it = idle.values().iterator();
            while (idle.size() > 1 && (idle.size() > config.keepClosedSessions() || audio > config.maxRecordedAudioBytes())) {
                LogicalSession oldest = it.next();
                audio -= oldest.recordedAudioBytes();
                release.add(oldest);
                it.remove();
            }
        } finally {
            lock.unlock();
        }
        release.forEach(LogicalSession::releaseAudio);
    }

    /** {@code ls} has an open connection (new or resumed). */
    void sessionActive(LogicalSession ls) {
        lock.lock();
        try {
            idle.remove(ls.id());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "EmulatorCore" + config;
    }
}
