package dev.habla.client.internal;

import dev.habla.client.Scheduler;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@link Scheduler#system()}: {@link System#nanoTime()} and one shared timer thread. The thread is virtual, so it does
 * not keep the JVM alive and the executor is never shut down. Tasks run on the timer thread; they must be quick (the
 * session's tasks only enqueue a signal).
 */
public final class SystemScheduler implements Scheduler {
    public static final SystemScheduler INSTANCE = new SystemScheduler();

    private final ScheduledThreadPoolExecutor timer;

    private SystemScheduler() {
        timer = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name("habla-scheduler-", 0).factory());
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        long nanos = delay.isNegative() ? 0 : delay.toNanos();
        ScheduledFuture<?> f = timer.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SystemScheduler.class).warn("scheduled task failed", e);
            }
        }, nanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }
}
