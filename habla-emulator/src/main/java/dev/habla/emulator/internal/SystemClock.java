package dev.habla.emulator.internal;

import dev.habla.emulator.EmulatorClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The wall clock. One scheduler (a virtual thread, so it never keeps the JVM alive) fires timers and hands each task
 * to a fresh virtual thread, so a task blocked on a session lock never delays other timers.
 */
public final class SystemClock implements EmulatorClock {
    public static final SystemClock INSTANCE = new SystemClock();

    private final ScheduledThreadPoolExecutor timer;

    private SystemClock() {
        timer = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name("habla-emu-clock").factory());
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = timer.schedule(
                () -> Thread.ofVirtual().name("habla-emu-timer").start(task),
                Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public String toString() {
        return "SystemClock";
    }
}
