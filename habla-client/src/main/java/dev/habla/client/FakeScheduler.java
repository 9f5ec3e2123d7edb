package dev.habla.client;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A manually advanced {@link Scheduler} for tests (the client-side twin of the emulator's {@code FakeClock}).
 * {@link #advance(Duration)} runs every task that falls due, in due-time order (ties in scheduling order), on the
 * calling thread, moving {@link #nanoTime()} to each task's due time before running it. Tasks scheduled by those tasks
 * run in the same call if they fall due before its end.
 *
 * <p>Thread-safe. {@code lock} guards {@code now}, {@code queue} and {@code seq}; tasks run without it held.
 */
public final class FakeScheduler implements Scheduler {
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now;
    private long seq;

    /** A scheduler whose clock starts at zero. */
    public FakeScheduler() {}

    @Override
    public long nanoTime() {
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
            long d = delay.isNegative() ? 0 : delay.toNanos();
            Task t = new Task(now + d, seq++, task);
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
            target = now + amount.toNanos();
        } finally {
            lock.unlock();
        }
        while (true) {
            Task next;
            lock.lock();
            try {
                Task head = queue.peek();
                if (head == null || head.due > target) {
                    now = target;
                    return;
                }
                next = queue.poll();
                now = Math.max(now, next.due);
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

    /** Tasks scheduled and not yet run or cancelled. */
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
            return head == null ? null : Duration.ofNanos(Math.max(0, head.due - now));
        } finally {
            lock.unlock();
        }
    }

    private record Task(long due, long seq, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
