package dev.habla.emulator.internal;

import dev.habla.time.Scheduler;
import dev.habla.emulator.EmulatorSession;
import dev.habla.emulator.Fault;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.server.LiveConnection;
import dev.habla.server.LiveEndpoint;
import dev.habla.server.LiveHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One emulator connection on the Live server ({@link LiveHandler}): its lifetime timers, stalls, and the routing of
 * client messages to a {@link ScriptRunner} or the {@link Brain}. The socket, strict decoding and the single writer are
 * the server's ({@link LiveConnection} {@code wire}).
 *
 * <p>Threads: the server calls {@link #onMessage} and {@link #onClose} with {@code lock} (the wire's lock) held; the
 * emulator clock runs timers on its own threads and they take it through {@link #runLocked}; the writer takes it before
 * each write, so a brain step has finished (and armed its timers) before the client sees its frames. {@code lock}
 * guards {@code brain}, {@code script}, {@code stalled}, {@code stallBuffer} and the timers; the brain is only ever
 * called with it held.
 */
public final class Connection implements LiveHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final EmulatorCore core;
    private final LiveConnection wire;
    final ReentrantLock lock;
    private volatile boolean closed;

    private Brain brain;
    private ScriptRunner script;
    private boolean stalled;
    private Scheduler.Cancellable stallTimer;
    private final ArrayDeque<ClientMessage> stallBuffer = new ArrayDeque<>();
    private Scheduler.Cancellable goAwayTimer;
    private Scheduler.Cancellable lifetimeTimer;
    private Scheduler.Cancellable faultCloseTimer;

    private Connection(EmulatorCore core, LiveConnection wire) {
        this.core = core;
        this.wire = wire;
        this.lock = wire.lock();
    }

    /** The handler of a new authenticated connection; called by the server with the wire's lock held. */
    static Connection open(EmulatorCore core, LiveConnection wire) {
        Connection c = new Connection(core, wire);
        c.start();
        return c;
    }

    String id() {
        return wire.id();
    }

    EmulatorCore core() {
        return core;
    }

    LiveEndpoint endpoint() {
        return wire.endpoint();
    }

    Scheduler clock() {
        return core.config().clock();
    }

    boolean isClosing() {
        return wire.isClosing();
    }

    // ---- server callbacks ----

    private void start() {
        LiveEndpoint endpoint = wire.endpoint();
        LOG.info("Session {} opened ({}{})", id(), endpoint.apiVersion(), endpoint.constrained() ? ", constrained" : "");
        Script sc = core.register(this);
        Scheduler clock = clock();
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
    }

    @Override
    public void onMessage(ClientMessage msg) {
        if (stalled) {
            stallBuffer.add(msg);
        } else {
            // Not dispatch(): habla-server delivers only what the client sent before our close reached it, and a
            // close from one of our timers does not drop what the server had already read (a resilient client that
            // switched connections counts on every message it sent on the old one).
            handle(msg);
        }
    }

    @Override
    public void onClose(int statusCode, String reason) {
        LOG.info("Session {} closed: {} {}", id(), statusCode, reason);
        closed = true;
        for (Scheduler.Cancellable c : new Scheduler.Cancellable[] {goAwayTimer, lifetimeTimer, faultCloseTimer, stallTimer}) {
            if (c != null) {
                c.cancel();
            }
        }
        stalled = false;
        if (brain != null) {
            brain.onClosed();
        }
        if (script != null) {
            script.onClosed();
        }
        core.unregister(this, snapshot());
    }

    /** Caller holds {@code lock}; a message held back by a stall, dropped once the connection is closing. */
    private void dispatch(ClientMessage msg) {
        if (!isClosing()) {
            handle(msg);
        }
    }

    /** Caller holds {@code lock}. */
    private void handle(ClientMessage msg) {
        try {
            if (script != null) {
                script.offer(msg);
            } else if (brain != null) {
                brain.onMessage(msg);
            }
        } catch (RuntimeException e) {
            // A bug or unexpected input must not take down the server: end this session only.
            LOG.warn("Session {}: internal error handling {}", id(), msg.wireKey(), e);
            close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        }
    }

    /** Runs {@code r} with {@code lock} held unless the connection is closing; for clock callbacks. */
    void runLocked(Runnable r) {
        lock.lock();
        try {
            if (!isClosing()) {
                r.run();
            }
        } catch (RuntimeException e) {
            LOG.warn("Session {}: internal error in a timer", id(), e);
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

    // ---- outbound (the wire's single writer) ----

    /** Queues a server frame (binary, like the service). Ignored once closing. */
    void send(ServerFrame frame) {
        wire.send(frame);
    }

    void sendRaw(String text, boolean binary) {
        wire.sendRaw(text, binary);
    }

    /** Sends a close frame after the frames already queued; drops TCP if the client does not answer in time. */
    void close(int code, String reason) {
        wire.close(code, reason);
    }

    /** Drops TCP now, without a close frame. */
    void drop() {
        wire.abort();
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
                        wire.pauseOutput();
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
            wire.resumeOutput();
            while (!stallBuffer.isEmpty() && !stalled) {
                dispatch(stallBuffer.poll());
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- inspection ----

    EmulatorSession snapshot() {
        lock.lock();
        try {
            LogicalSession ls = brain == null ? null : brain.logicalSession();
            return new EmulatorSession(id(), ls == null ? null : ls.id(), ls == null ? null : ls.modelId(), wire.endpoint().apiVersion(),
                    !closed, ls == null ? List.of() : ls.userTurns(), ls == null ? List.of() : ls.conversation(),
                    ls == null ? new byte[0] : ls.receivedAudio());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Connection[" + id() + "]";
    }
}
