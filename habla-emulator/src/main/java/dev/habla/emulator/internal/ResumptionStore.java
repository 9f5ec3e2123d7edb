package dev.habla.emulator.internal;

import dev.habla.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Resumption handles. A handle names a logical session (its latest state, not a snapshot) until its TTL passes on the
 * emulator clock. {@code lock} guards {@code handles}.
 */
final class ResumptionStore {
    private record Entry(LogicalSession session, Instant expiry) {}

    private final Scheduler clock;
    private final Duration ttl;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Entry> handles = new HashMap<>();
    private final AtomicLong counter = new AtomicLong();

    ResumptionStore(Scheduler clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    String issue(LogicalSession session) {
        String handle = "h" + counter.incrementAndGet() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        Instant now = clock.now();
        lock.lock();
        try {
            purge(now);
            handles.put(handle, new Entry(session, now.plus(ttl)));
        } finally {
            lock.unlock();
        }
        return handle;
    }

    Optional<LogicalSession> resolve(String handle) {
        Instant now = clock.now();
        lock.lock();
        try {
            purge(now);
            Entry e = handles.get(handle);
            return e == null ? Optional.empty() : Optional.of(e.session());
        } finally {
            lock.unlock();
        }
    }

    private void purge(Instant now) {
        for (Iterator<Entry> it = handles.values().iterator(); it.hasNext(); ) {
            if (!it.next().expiry().isAfter(now)) {
                it.remove();
            }
        }
    }
}
