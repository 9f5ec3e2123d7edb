package dev.habla.time.internal;

import dev.habla.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Scheduler#system()}. One timer thread (virtual, so it never keeps the JVM alive and the executor is never
 * shut down) fires due tasks, each on a fresh virtual thread: a task blocked on a lock never delays another timer, and
 * a task that throws only ends its own thread (the default uncaught-exception handler reports it).
 */
public final class SystemScheduler implements Scheduler {
    public static final SystemScheduler INSTANCE = new SystemScheduler();

    private final ScheduledThreadPoolExecutor timer;

    private SystemScheduler() {
        timer = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name("habla-timer").factory());
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        long nanos = delay.isNegative() ? 0 : delay.toNanos();
        ScheduledFuture<?> f = timer.schedule(() -> Thread.ofVirtual().name("habla-timer-task").start(task),
                nanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void parkUntil(long deadline) {
        long wait = deadline - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(this, wait);
        }
    }

    @Override
    public String toString() {
        return "Scheduler.system()";
    }
}
