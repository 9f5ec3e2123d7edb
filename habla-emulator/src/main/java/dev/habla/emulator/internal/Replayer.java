package dev.habla.emulator.internal;

import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.Cassette;
import dev.habla.server.LiveConnection;
import dev.habla.server.LiveHandler;
import dev.habla.time.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The emulator in replay mode: a cassette plays the server. The n-th connection the client opens replays the
 * cassette's connection n ({@link ReplayConnection}); the mismatches found are kept for
 * {@link LiveEmulator#replayMismatches()}. {@code lock} guards {@code open}.
 */
public final class Replayer {
    private final Cassette.Recording recording;
    private final LiveEmulator.Pace pace;
    private final Scheduler clock;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> mismatches = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final List<ReplayConnection> open = new ArrayList<>();
    /** Lines of the client side (opens, client frames) not yet seen, to their connection; guarded by {@code lock}. */
    private final java.util.TreeMap<Integer, Integer> pendingClient = new java.util.TreeMap<>();

    public Replayer(Cassette.Recording recording, LiveEmulator.Pace pace, Scheduler clock) {
        this.recording = recording;
        this.pace = pace;
        this.clock = clock;
        for (Cassette.Entry e : recording.entries()) {
            if (e instanceof Cassette.Open || e instanceof Cassette.Frame f && f.from() == Cassette.Side.CLIENT) {
                pendingClient.put(e.line(), e.connection());
            }
        }
    }

    /**
     * The first client-side line of a connection numbered above {@code connection} not seen yet (MAX_VALUE when none):
     * an older connection's server frames may be effects of a newer one (the service closes a connection whose
     * session resumed elsewhere), not the other way round. Faults may make a client skip the rest of an older
     * connection, which must not hold up the newer one.
     */
    int firstPendingClientLine(int connection) {
        lock.lock();
        try {
            for (var e : pendingClient.entrySet()) {
                if (e.getValue() > connection) {
                    return e.getKey();
                }
            }
            return Integer.MAX_VALUE;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code by} saw (or skipped) the client-side entry at {@code line}; the other open connections may now play what
     * waited for it. They are resumed on virtual threads: {@code by}'s lock is held, and taking another connection's
     * lock here could deadlock with that one doing the same.
     */
    void consumed(ReplayConnection by, int line) {
        List<ReplayConnection> others;
        lock.lock();
        try {
            if (pendingClient.remove(line) == null) {
                return;
            }
            others = open.stream().filter(c -> c != by).toList();
        } finally {
            lock.unlock();
        }
        for (ReplayConnection c : others) {
            Thread.ofVirtual().name("habla-replay-resume").start(c::resume);
        }
    }

    /**
     * Reads a cassette file.
     *
     * @throws IllegalArgumentException naming the file and line if it is not a cassette
     * @throws UncheckedIOException if it cannot be read
     */
    public static Cassette.Recording read(Path file) {
        try {
            return Cassette.parse(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cassette " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The handler of a new authenticated connection: the next recorded connection. */
    LiveHandler open(LiveConnection wire) {
        int n = connections.incrementAndGet();
        ReplayConnection c = new ReplayConnection(this, wire, n, recording.connection(n), pace, clock);
        lock.lock();
        try {
            open.add(c);
        } finally {
            lock.unlock();
        }
        c.start(n > recording.connections());
        return c;
    }

    void closed(ReplayConnection c) {
        lock.lock();
        try {
            open.remove(c);
        } finally {
            lock.unlock();
        }
    }

    void mismatch(String what) {
        mismatches.add(what);
    }

    public List<String> mismatches() {
        return List.copyOf(mismatches);
    }

    /** Applies a fault to the newest open replayed connection. */
    public void inject(Fault fault) {
        ReplayConnection target;
        lock.lock();
        try {
            target = open.isEmpty() ? null : open.getLast();
        } finally {
            lock.unlock();
        }
        if (target == null) {
            throw new IllegalStateException("No open replayed connection to inject " + fault + " into");
        }
        target.applyFault(fault);
    }
}
