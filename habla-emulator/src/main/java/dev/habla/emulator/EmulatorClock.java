package dev.habla.emulator;

import dev.habla.emulator.internal.SystemClock;
import java.time.Duration;
import java.time.Instant;

/**
 * The time source of the emulator: every protocol timer (goAway, connection lifetime, output pacing, handle expiry,
 * scripted pauses, stalls) runs on it, so tests can drive time with a {@link FakeClock} instead of sleeping.
 *
 * <p>Only I/O housekeeping that must follow real time (dropping TCP after an unanswered close frame) uses the wall
 * clock. Voice activity detection uses neither: it counts audio samples.
 */
public interface EmulatorClock {

    /** The current instant. */
    Instant now();

    /**
     * Runs {@code task} once after {@code delay}. The task may run on any thread; implementations never run it while
     * holding a lock of their own, so tasks may take the emulator's locks.
     */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task that can be cancelled. Cancelling twice, or after the task ran, does nothing. */
    interface Cancellable {
        /** Prevents the task from running if it has not started yet. */
        void cancel();
    }

    /**
     * The wall clock: a shared scheduler whose tasks run on fresh virtual threads. It owns no thread that keeps the JVM
     * alive and needs no closing.
     */
    static EmulatorClock system() {
        return SystemClock.INSTANCE;
    }
}
