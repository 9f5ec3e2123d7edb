package dev.habla.emulator.internal;

import dev.habla.emulator.Fault;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Script} on its own virtual thread. Client messages reach it through {@code inbox} (fed by the
 * connection under its lock); it sends through the connection's writer queue. {@code remembered} (faults meant for
 * the brain that arrive before a hand-over) is only touched under the connection's lock.
 */
final class ScriptRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ScriptRunner.class);

    private final Connection conn;
    private final Script script;
    private final LinkedBlockingQueue<ClientMessage> inbox = new LinkedBlockingQueue<>();
    private final List<Fault> remembered = new ArrayList<>();
    private volatile boolean closed;
    private volatile CountDownLatch pause;

    ScriptRunner(Connection conn, Script script) {
        this.conn = conn;
        this.script = script;
    }

    void start() {
        Thread.ofVirtual().name("habla-emu-script-" + conn.id()).start(this::run);
    }

    /** Caller holds the connection lock. */
    void offer(ClientMessage m) {
        inbox.add(m);
    }

    /** Caller holds the connection lock. */
    void rememberFault(Fault f) {
        remembered.add(f);
    }

    void onClosed() {
        closed = true;
        CountDownLatch p = pause;
        if (p != null) {
            p.countDown();
        }
    }

    private void run() {
        ClientMessage.Setup setup = null;
        boolean setupCompleteSent = false;
        try {
            for (Script.Step step : script.steps()) {
                if (closed || conn.isClosing()) {
                    return;
                }
                switch (step) {
                    case Script.Expect e -> {
                        ClientMessage m = next();
                        if (m == null) {
                            return;
                        }
                        boolean ok;
                        try {
                            ok = e.matcher().test(m);
                        } catch (RuntimeException ex) {
                            ok = false;
                        }
                        if (!ok) {
                            String reason = "Script expected " + e.description() + " but got " + m.wireKey();
                            LOG.warn("Session {}: {}", conn.id(), reason);
                            conn.close(CloseCodes.INTERNAL, reason);
                            return;
                        }
                        if (m instanceof ClientMessage.Setup s) {
                            setup = s;
                        }
                    }
                    case Script.Send s -> {
                        if (s.frame().message() instanceof ServerMessage.SetupComplete) {
                            setupCompleteSent = true;
                        }
                        conn.send(s.frame());
                    }
                    case Script.SendRaw r -> conn.sendRaw(r.text(), r.binary());
                    case Script.Pause p -> {
                        CountDownLatch latch = new CountDownLatch(1);
                        pause = latch;
                        var timer = conn.clock().schedule(p.duration(), latch::countDown);
                        latch.await();
                        timer.cancel();
                        pause = null;
                    }
                    case Script.ApplyFault f -> conn.applyFault(f.fault());
                    case Script.DefaultBrain d -> {
                        handOver(setup, setupCompleteSent);
                        return;
                    }
                }
            }
            conn.scriptEnded();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handOver(ClientMessage.Setup setup, boolean setupCompleteSent) {
        conn.lock.lock();
        try {
            List<ClientMessage> pending = new ArrayList<>();
            inbox.drainTo(pending);
            List<Fault> faults = List.copyOf(remembered);
            conn.handOverToBrain(setup, setupCompleteSent, pending);
            for (Fault f : faults) {
                conn.applyFault(f);
            }
        } finally {
            conn.lock.unlock();
        }
    }

    private ClientMessage next() throws InterruptedException {
        while (!closed && !conn.isClosing()) {
            ClientMessage m = inbox.poll(50, TimeUnit.MILLISECONDS);
            if (m != null) {
                return m;
            }
        }
        return null;
    }
}
