package dev.habla.time;

import dev.habla.time.internal.SystemScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * The one time abstraction of every Habla module: a monotonic clock, the matching wall-clock instant, and one-shot
 * timers. The emulator's protocol timers (goAway, lifetimes, pacing, handle expiry, stalls), the resilient session's
 * watchdogs, backoff and handovers, and the voice loop's playback pacing all read time and wait through it, so a test
 * can drive all of them from one fake clock ({@code dev.habla.testing.FakeClock}) instead of sleeping.
 *
 * <p>Tasks must not block for long: they typically hand a signal to the thread that owns the state. Implementations
 * never run a task while holding a lock of their own, so a task may take its caller's locks; a task may run on any
 * thread.
 */
public interface Scheduler {

    /** A monotonic time in nanoseconds (only differences are meaningful), like {@link System#nanoTime()}. */
    long nanoTime();

    /** The wall-clock instant matching {@link #nanoTime()} (for expiry times and timestamps on the wire). */
    Instant now();

    /** Runs {@code task} once after {@code delay} (zero or negative: as soon as possible). */
    Cancellable schedule(Duration delay, Runnable task);

    /**
     * Parks the calling thread until {@link #nanoTime()} reaches {@code deadline}, or it is unparked or interrupted;
     * callers re-check their condition, as with {@link LockSupport#parkNanos}. The default waits for a timer of this
     * scheduler, so on a fake clock the thread wakes when the test advances time past the deadline.
     */
    default void parkUntil(long deadline) {
        long wait = deadline - nanoTime();
        if (wait <= 0) {
            return;
        }
        Thread waiter = Thread.currentThread();
        Cancellable wake = schedule(Duration.ofNanos(wait), () -> LockSupport.unpark(waiter));
        try {
            LockSupport.park(this);
        } finally {
            wake.cancel();
        }
    }

    /**
     * Converts a span of this clock into real nanoseconds, for timed waits on locks and conditions (which run on real
     * time). Identity for the system clock; a clock that runs faster than real time divides by its factor.
     */
    default long toRealNanos(long clockNanos) {
        return clockNanos;
    }

    /** A scheduled task. Cancelling twice, or after the task ran, does nothing. */
    @FunctionalInterface
    interface Cancellable {
        /** Prevents the task from running if it has not started yet. */
        void cancel();
    }

    /**
     * Real time: {@link System#nanoTime()}, {@link Instant#now()}, and one shared timer thread that hands each due
     * task to a fresh virtual thread (so a task waiting for a lock never delays other timers). It owns no thread that
     * keeps the JVM alive and needs no closing.
     */
    static Scheduler system() {
        return SystemScheduler.INSTANCE;
    }
}
