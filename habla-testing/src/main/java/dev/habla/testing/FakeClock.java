package dev.habla.testing;

import dev.habla.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A manually advanced {@link Scheduler} for tests: give the same instance to the emulator, the client's resilience
 * policy and the voice loop, and {@link #advance(Duration)} fires their timers in one order (goAways, watchdogs,
 * backoff, handovers), with no test ever sleeping.
 *
 * <p>{@link #advance(Duration)} runs every task that falls due, in due-time order (ties in scheduling order), on the
 * calling thread, moving the clock to each task's due time before running it. Tasks scheduled by those tasks run in
 * the same call if they fall due before its end. {@link #nanoTime()} starts at 0 and {@link #now()} at the start
 * instant (2026-01-01T00:00:00Z unless given).
 *
 * <p>Thread-safe. {@code lock} guards {@code nanos}, {@code queue} and {@code seq}; tasks run without it held.
 */
public final class FakeClock implements Scheduler {
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final Instant start;
    private long nanos;
    private long seq;

    /** A clock starting at 2026-01-01T00:00:00Z. */
    public FakeClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** A clock whose {@link #now()} starts at {@code start}. */
    public FakeClock(Instant start) {
        this.start = start;
    }

    @Override
    public long nanoTime() {
        lock.lock();
        try {
            return nanos;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Instant now() {
        return start.plusNanos(nanoTime());
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        lock.lock();
        try {
            Task t = new Task(nanos + (delay.isNegative() ? 0 : delay.toNanos()), seq++, task);
            queue.add(t);
            return () -> {
                lock.lock();
                try {
                    queue.remove(t);
                } finally {
                    lock.unlock();
                }
            };
        } finally {
            lock.unlock();
        }
    }

    /** Moves time forward by {@code amount}, running due tasks in order on this thread. */
    public void advance(Duration amount) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("Cannot go back in time: " + amount);
        }
        long target;
        lock.lock();
        try {
            target = nanos + amount.toNanos();
        } finally {
            lock.unlock();
        }
        while (true) {
            Task next;
            lock.lock();
            try {
                Task head = queue.peek();
                if (head == null || head.due > target) {
                    nanos = target;
                    return;
                }
                next = queue.poll();
                nanos = Math.max(nanos, next.due);
            } finally {
                lock.unlock();
            }
            next.task.run();
        }
    }

    /** Runs the tasks that are due now without moving time. */
    public void runDueTasks() {
        advance(Duration.ZERO);
    }

    /** How many tasks are scheduled and not yet run or cancelled. */
    public int pendingTasks() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Time until the next scheduled task, or null when none is scheduled. */
    public Duration untilNextTask() {
        lock.lock();
        try {
            Task head = queue.peek();
            return head == null ? null : Duration.ofNanos(Math.max(0, head.due - nanos));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "FakeClock[" + now() + "]";
    }

    private record Task(long due, long seq, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
