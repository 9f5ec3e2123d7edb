package dev.habla.client;

import dev.habla.client.internal.SystemScheduler;
import java.time.Duration;

/**
 * The time source and timer of a {@link ResilientSession}: handover deadlines, the proactive handover timer,
 * reconnect backoff, the stall watchdog and the metrics' latencies all go through it, so tests can drive time with a
 * {@link FakeScheduler} instead of sleeping.
 *
 * <p>Tasks must be quick and must not block: the session's tasks only hand a signal to its control thread. A task may
 * run on any thread; implementations never run it while holding a lock of their own.
 */
public interface Scheduler {

    /** A monotonic time in nanoseconds (only differences are meaningful), like {@link System#nanoTime()}. */
    long nanoTime();

    /** Runs {@code task} once after {@code delay} (zero or negative: as soon as possible). */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task. Cancelling twice, or after the task ran, does nothing. */
    @FunctionalInterface
    interface Cancellable {
        /** Prevents the task from running if it has not started yet. */
        void cancel();
    }

    /**
     * Wall-clock time ({@link System#nanoTime()}) and one shared timer thread (virtual, so it never keeps the JVM
     * alive). Needs no closing.
     */
    static Scheduler system() {
        return SystemScheduler.INSTANCE;
    }
}
