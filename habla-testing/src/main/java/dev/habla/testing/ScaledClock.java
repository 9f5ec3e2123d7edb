package dev.habla.testing;

import dev.habla.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Scheduler} whose time runs {@code factor} times faster than real time, for simulations that must keep
 * real threads running freely (a voice loop pacing audio against an emulator, a room whose echo depends on what was
 * played when). Give the same instance to every part of the simulation. Close it to stop its timer thread.
 */
public final class ScaledClock implements Scheduler, AutoCloseable {
    private final double factor;
    private final long baseNanos = System.nanoTime();
    private final Instant baseInstant = Instant.now();
    private final ScheduledThreadPoolExecutor timer =
            new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name("habla-scaled-clock").factory());

    /** A clock running {@code factor} times faster than real time ({@code factor > 0}). */
    public ScaledClock(double factor) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("factor must be > 0: " + factor);
        }
        this.factor = factor;
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public long nanoTime() {
        return baseNanos + (long) ((System.nanoTime() - baseNanos) * factor);
    }

    @Override
    public Instant now() {
        return baseInstant.plusNanos(nanoTime() - baseNanos);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = timer.schedule(() -> Thread.ofVirtual().name("habla-scaled-task").start(task),
                toRealNanos(Math.max(0, delay.toNanos())), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void parkUntil(long deadline) {
        long wait = toRealNanos(deadline - nanoTime());
        if (wait > 0) {
            LockSupport.parkNanos(this, wait);
        }
    }

    @Override
    public long toRealNanos(long clockNanos) {
        return (long) (clockNanos / factor);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
