package dev.habla.assistant;

import java.util.concurrent.locks.LockSupport;

/** A {@link VoiceClock} whose time runs {@code factor} times faster than real time, for simulations. */
final class FastClock implements VoiceClock {
    private final double factor;
    private final long base = System.nanoTime();

    FastClock(double factor) {
        this.factor = factor;
    }

    @Override
    public long nanoTime() {
        return base + (long) ((System.nanoTime() - base) * factor);
    }

    @Override
    public void parkUntil(long deadline) {
        long wait = (long) ((deadline - nanoTime()) / factor);
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    @Override
    public long toRealNanos(long clockNanos) {
        return (long) (clockNanos / factor);
    }
}
