package dev.habla.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A manually advanced clock for tests. {@link #advance(Duration)} runs every task that falls due, in due-time order
 * (ties in scheduling order), on the calling thread, moving {@link #now()} to each task's due time before running it.
 * Tasks scheduled by those tasks run in the same call if they fall due before its end.
 *
 * <p>Thread-safe. {@code lock} guards {@code now}, {@code queue} and {@code seq}; tasks run without it held.
 */
public final class FakeClock implements EmulatorClock {
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private Instant now;
    private long seq;

    /** A clock starting at 2026-01-01T00:00:00Z. */
    public FakeClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public FakeClock(Instant start) {
        this.now = start;
    }

    @Override
    public Instant now() {
        lock.lock();
        try {
            return now;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        lock.lock();
        try {
            Task t = new Task(now.plus(delay.isNegative() ? Duration.ZERO : delay), seq++, task);
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
        Instant target;
        lock.lock();
        try {
            target = now.plus(amount);
        } finally {
            lock.unlock();
        }
        while (true) {
            Task next;
            lock.lock();
            try {
                Task head = queue.peek();
                if (head == null || head.due.isAfter(target)) {
                    now = target;
                    return;
                }
                next = queue.poll();
                if (next.due.isAfter(now)) {
                    now = next.due;
                }
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
            return head == null ? null : Duration.between(now, head.due);
        } finally {
            lock.unlock();
        }
    }

    private record Task(Instant due, long seq, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = due.compareTo(o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
