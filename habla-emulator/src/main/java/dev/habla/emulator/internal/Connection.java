package dev.habla.emulator.internal;

import dev.habla.emulator.EmulatorClock;
import dev.habla.emulator.EmulatorSession;
import dev.habla.emulator.Fault;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientFrame;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Strictness;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection: Jetty's listener for it, its single writer, its lifetime timers, and the routing of client
 * messages to a {@link ScriptRunner} or the {@link Brain}.
 *
 * <p>Threads: Jetty delivers frames on its virtual threads, one at a time per connection; the emulator clock runs
 * timers on its own threads; the writer is one virtual thread draining {@code outbound}, the only code that sends on
 * the socket. {@code lock} guards {@code brain}, {@code script}, {@code stalled}, {@code stallGeneration},
 * {@code stallBuffer} and the timers;
 * the brain is only ever called with it held. {@code outbound} is thread-safe and may be fed with or without it.
 */
public final class Connection implements Session.Listener.AutoDemanding {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    /** How long a client may take to answer our close frame before we drop TCP (the Java SDK never answers). */
    private static final Duration CLOSE_GRACE = Duration.ofMillis(1000);

    private sealed interface Out {}

    private record Binary(byte[] bytes) implements Out {}

    private record Text(String text) implements Out {}

    private record CloseFrame(int code, String reason) implements Out {}

    private record Stop() implements Out {}

    /**
     * Where a stall began in the outbound order: frames queued before it were already sent by the server and go out;
     * the writer waits here while stall {@code generation} lasts.
     */
    private record StallMark(long generation) implements Out {}

    private final EmulatorCore core;
    private final String id;
    private final Endpoint endpoint;
    private final boolean authorized;
    final ReentrantLock lock = new ReentrantLock();
    private final Condition notStalled = lock.newCondition();
    private final LinkedBlockingQueue<Out> outbound = new LinkedBlockingQueue<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean cleanedUp = new AtomicBoolean();
    /** Released when the writer is done: close frame sent, TCP dropped or connection gone. */
    private final java.util.concurrent.CountDownLatch writerDone = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean closed;
    private volatile Session session;

    private Brain brain;
    private ScriptRunner script;
    private boolean stalled;
    /** Counts stalls (not extensions of one), so a writer at an old stall's mark does not wait for a later one. */
    private long stallGeneration;
    private EmulatorClock.Cancellable stallTimer;
    private final ArrayDeque<ClientMessage> stallBuffer = new ArrayDeque<>();
    private EmulatorClock.Cancellable goAwayTimer;
    private EmulatorClock.Cancellable lifetimeTimer;
    private EmulatorClock.Cancellable faultCloseTimer;

    Connection(EmulatorCore core, String id, Endpoint endpoint, boolean authorized) {
        this.core = core;
        this.id = id;
        this.endpoint = endpoint;
        this.authorized = authorized;
    }

    String id() {
        return id;
    }

    EmulatorCore core() {
        return core;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    EmulatorClock clock() {
        return core.config().clock();
    }

    boolean isClosing() {
        return closing.get();
    }

    // ---- Jetty callbacks ----

    @Override
    public void onWebSocketOpen(Session s) {
        this.session = s;
        Thread.ofVirtual().name("habla-emu-writer-" + id).start(this::writeLoop);
        if (!authorized) {
            // Like the service: accept the upgrade, then close; clients can read the reason.
            close(CloseCodes.POLICY, CloseCodes.REASON_BAD_KEY);
            return;
        }
        LOG.info("Session {} opened ({}{})", id, endpoint.apiVersion(), endpoint.constrained() ? ", constrained" : "");
        Script sc = core.register(this);
        lock.lock();
        try {
            EmulatorClock clock = clock();
            Duration life = core.config().connectionLifetime();
            Duration lead = core.config().goAwayLead();
            if (!lead.isZero() && !lead.isNegative()) {
                goAwayTimer = clock.schedule(life.minus(lead), () -> {
                    if (!isClosing()) {
                        send(ServerFrame.of(new ServerMessage.GoAway(lead)));
                    }
                });
            }
            // The service aborts the connection; we close 1000 with no reason so clients see a clean, resumable end.
            lifetimeTimer = clock.schedule(life, () -> close(CloseCodes.NORMAL, ""));
            if (sc != null) {
                script = new ScriptRunner(this, sc);
                script.start();
            } else {
                brain = new Brain(this);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onWebSocketText(String text) {
        inbound(text, false);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        byte[] b = new byte[payload.remaining()];
        payload.get(b);
        callback.succeed();
        inbound(new String(b, StandardCharsets.UTF_8), true);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("Session {} error: {}", id, cause.toString());
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        if (authorized) {
            LOG.info("Session {} closed: {} {}", id, statusCode, reason == null ? "" : reason);
        }
        closed = true;
        closing.set(true);
        cleanup();
    }

    // ---- inbound ----

    private void inbound(String raw, boolean binary) {
        if (closing.get() || !authorized) {
            return;
        }
        ClientMessage msg;
        try {
            ClientFrame f = LiveCodec.decodeClient(raw, Strictness.STRICT);
            msg = f.message();
        } catch (ProtocolException e) {
            core.record(new ReceivedMessage(id, null, raw, binary));
            LOG.debug("Session {}: undecodable client frame: {}", id, e.getMessage());
            close(CloseCodes.INVALID_ARGUMENT, CloseReasons.forDecodeError(e));
            return;
        } catch (RuntimeException e) {
            core.record(new ReceivedMessage(id, null, raw, binary));
            close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
            return;
        }
        core.record(new ReceivedMessage(id, msg, raw, binary));
        lock.lock();
        try {
            if (stalled) {
                stallBuffer.add(msg);
            } else {
                dispatch(msg);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Caller holds {@code lock}. */
    private void dispatch(ClientMessage msg) {
        if (closing.get()) {
            return;
        }
        try {
            if (script != null) {
                script.offer(msg);
            } else if (brain != null) {
                brain.onMessage(msg);
            }
        } catch (RuntimeException e) {
            // A bug or unexpected input must not take down the server: end this session only.
            LOG.warn("Session {}: internal error handling {}", id, msg.wireKey(), e);
            close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        }
    }

    /** Runs {@code r} with {@code lock} held unless the connection is closing; for clock callbacks. */
    void runLocked(Runnable r) {
        lock.lock();
        try {
            if (!closing.get()) {
                r.run();
            }
        } catch (RuntimeException e) {
            LOG.warn("Session {}: internal error in a timer", id, e);
            close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        } finally {
            lock.unlock();
        }
    }

    /** The script finished with thenDefaultBrain(): the brain takes over. */
    void handOverToBrain(ClientMessage.Setup consumedSetup, boolean setupCompleteSent, List<ClientMessage> pending) {
        lock.lock();
        try {
            script = null;
            brain = new Brain(this);
            if (consumedSetup != null) {
                brain.adoptSetup(consumedSetup, setupCompleteSent);
            }
            for (ClientMessage m : pending) {
                dispatch(m);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The script ended without a hand-over: later messages are only recorded. */
    void scriptEnded() {
        lock.lock();
        try {
            script = null;
        } finally {
            lock.unlock();
        }
    }

    // ---- outbound ----

    /** Queues a server frame (binary, like the service). Ignored once closing. */
    void send(ServerFrame frame) {
        if (!closing.get()) {
            outbound.add(new Binary(LiveCodec.encode(frame)));
        }
    }

    void sendRaw(String text, boolean binary) {
        if (!closing.get()) {
            outbound.add(binary ? new Binary(text.getBytes(StandardCharsets.UTF_8)) : new Text(text));
        }
    }

    /** Sends a close frame after the frames already queued; drops TCP if the client does not answer in time. */
    void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            LOG.debug("Session {}: closing {} {}", id, code, reason);
            outbound.add(new CloseFrame(code, CloseCodes.truncate(reason == null ? "" : reason)));
        }
    }

    /** Drops TCP now, without a close frame. */
    void drop() {
        closing.set(true);
        outbound.clear();
        outbound.add(new Stop());
        Session s = session;
        if (s != null) {
            s.disconnect();
        }
    }

    /** Waits until the writer has flushed its close frame (or ended), at most {@code timeout}. */
    void awaitWriterDone(Duration timeout) {
        try {
            writerDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        try {
            writeFrames();
        } finally {
            writerDone.countDown();
        }
    }

    private void writeFrames() {
        Session s = session;
        try {
            while (true) {
                Out o = outbound.take();
                awaitWritable(o);
                switch (o) {
                    case StallMark m -> { }
                    case Binary b -> {
                        Callback.Completable c = new Callback.Completable();
                        s.sendBinary(ByteBuffer.wrap(b.bytes()), c);
                        c.get(30, TimeUnit.SECONDS);
                    }
                    case Text t -> {
                        Callback.Completable c = new Callback.Completable();
                        s.sendText(t.text(), c);
                        c.get(30, TimeUnit.SECONDS);
                    }
                    case CloseFrame cf -> {
                        Callback.Completable c = new Callback.Completable();
                        s.close(cf.code(), cf.reason(), c);
                        try {
                            c.get(5, TimeUnit.SECONDS);
                        } finally {
                            // Some clients (the Java SDK) never answer a close frame and keep TCP open.
                            core.watchdog(() -> {
                                if (!closed) {
                                    s.disconnect();
                                }
                            }, CLOSE_GRACE);
                        }
                        return;
                    }
                    case Stop st -> {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("Session {}: write failed: {}", id, e.toString());
            closing.set(true);
            s.disconnect();
        }
    }

    /**
     * Before writing {@code o}: takes {@code lock}, so the step that queued it (a brain step, a timer) has finished and
     * armed its timers before the client can see the frame (a test that advances the {@code FakeClock} once it saw a
     * frame relies on that); at a {@link StallMark}, also waits until that stall is over.
     */
    private void awaitWritable(Out o) throws InterruptedException {
        lock.lock();
        try {
            while (o instanceof StallMark m && stalled && stallGeneration == m.generation() && !closed) {
                notStalled.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- faults ----

    void applyFault(Fault fault) {
        switch (fault) {
            case Fault.GoAway g -> {
                send(ServerFrame.of(new ServerMessage.GoAway(g.timeLeft())));
                lock.lock();
                try {
                    if (faultCloseTimer != null) {
                        faultCloseTimer.cancel();
                    }
                    faultCloseTimer = clock().schedule(g.timeLeft(), () -> close(CloseCodes.NORMAL, ""));
                } finally {
                    lock.unlock();
                }
            }
            case Fault.Close c -> close(c.code(), c.reason());
            case Fault.DropConnection d -> drop();
            case Fault.DeadlineExpired d -> close(CloseCodes.INTERNAL, CloseCodes.REASON_DEADLINE);
            case Fault.RefuseResumption r -> core.inject(null, r);
            case Fault.Stall st -> {
                lock.lock();
                try {
                    if (!stalled) {
                        // Under the lock the brain sends with: what it produced before this point is on its way.
                        stalled = true;
                        stallGeneration++;
                        outbound.add(new StallMark(stallGeneration));
                    }
                    if (stallTimer != null) {
                        stallTimer.cancel();
                    }
                    stallTimer = clock().schedule(st.duration(), this::unstall);
                } finally {
                    lock.unlock();
                }
            }
            case Fault.SlowAudio s -> withBrain(fault);
            case Fault.BurstyAudio b -> withBrain(fault);
            case Fault.PrematureTurnComplete p -> withBrain(fault);
            case Fault.PhantomInterrupted p -> {
                lock.lock();
                try {
                    if (brain != null) {
                        brain.applyFault(fault);
                    } else {
                        send(ServerFrame.of(ServerMessage.ServerContent.interruptedSignal()));
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void withBrain(Fault f) {
        lock.lock();
        try {
            if (brain != null) {
                brain.applyFault(f);
            } else if (script != null) {
                script.rememberFault(f);
            }
        } finally {
            lock.unlock();
        }
    }

    private void unstall() {
        lock.lock();
        try {
            if (!stalled) {
                return;
            }
            stalled = false;
            stallTimer = null;
            notStalled.signalAll();
            while (!stallBuffer.isEmpty() && !stalled) {
                dispatch(stallBuffer.poll());
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- lifecycle ----

    private void cleanup() {
        if (!cleanedUp.compareAndSet(false, true)) {
            return;
        }
        outbound.add(new Stop());
        EmulatorSession last;
        lock.lock();
        try {
            for (EmulatorClock.Cancellable c : new EmulatorClock.Cancellable[] {goAwayTimer, lifetimeTimer, faultCloseTimer, stallTimer}) {
                if (c != null) {
                    c.cancel();
                }
            }
            stalled = false;
            notStalled.signalAll();
            if (brain != null) {
                brain.onClosed();
            }
            if (script != null) {
                script.onClosed();
            }
            last = snapshot();
        } finally {
            lock.unlock();
        }
        if (authorized) {
            core.unregister(this, last);
        }
    }

    EmulatorSession snapshot() {
        lock.lock();
        try {
            LogicalSession ls = brain == null ? null : brain.logicalSession();
            return new EmulatorSession(id, ls == null ? null : ls.id(), ls == null ? null : ls.modelId(), endpoint.apiVersion(),
                    !closed, ls == null ? List.of() : ls.userTurns(), ls == null ? List.of() : ls.conversation(),
                    ls == null ? new byte[0] : ls.receivedAudio());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Connection[" + id + "]";
    }
}
