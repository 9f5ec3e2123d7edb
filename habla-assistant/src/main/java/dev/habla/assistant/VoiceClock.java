package dev.habla.assistant;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.locks.LockSupport;

/**
 * The clock the voice loop paces playback and dates audio with: a monotonic nanosecond counter (the
 * {@link System#nanoTime()} domain, which is also the one {@link dev.habla.audio.PcmChunk#captureNanos()} uses) and a
 * way to wait for it.
 *
 * <p>Production uses {@link #system()}. Tests can run the whole loop faster than real time (e.g. a simulated room
 * whose echo depends on what was played when) with a clock whose time runs faster; the loop never mixes this clock
 * with another one.
 */
public interface VoiceClock {

    /** Now, in nanoseconds on this clock's monotonic timeline. */
    long nanoTime();

    /**
     * Parks the calling thread until {@link #nanoTime()} reaches {@code deadline}, or it is unparked or interrupted
     * (callers re-check their condition, as with {@link LockSupport#parkNanos}).
     */
    void parkUntil(long deadline);

    /** Converts a duration on this clock into real nanoseconds (for timed waits on locks and conditions). */
    default long toRealNanos(long clockNanos) {
        return clockNanos;
    }

    /** This clock as an {@link InstantSource} (only differences between its instants are meaningful). */
    default InstantSource instantSource() {
        return () -> {
            long n = nanoTime();
            return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
        };
    }

    /** {@link System#nanoTime()} and {@link LockSupport#parkNanos}. */
    static VoiceClock system() {
        return SystemClock.INSTANCE;
    }

    /** See {@link #system()}. */
    enum SystemClock implements VoiceClock {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void parkUntil(long deadline) {
            long wait = deadline - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }
}
