package dev.habla.assistant;

import dev.habla.emulator.EmulatorClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** An {@link EmulatorClock} running {@code factor} times faster than real time (pairs with {@link FastClock}). */
final class FastEmulatorClock implements EmulatorClock, AutoCloseable {
    private final double factor;
    private final long baseNanos = System.nanoTime();
    private final Instant baseInstant = Instant.now();
    private final ScheduledThreadPoolExecutor timer =
            new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name("fast-emu-clock").factory());

    FastEmulatorClock(double factor) {
        this.factor = factor;
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public Instant now() {
        return baseInstant.plusNanos((long) ((System.nanoTime() - baseNanos) * factor));
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = timer.schedule(() -> Thread.ofVirtual().name("fast-emu-timer").start(task),
                (long) (Math.max(0, delay.toNanos()) / factor), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
