package dev.habla.emulator;

import java.time.Duration;
import java.util.Objects;

/**
 * Misbehaviour to apply to a live session with {@link LiveEmulator#inject(Fault)} or a {@link Script} step.
 * Output-pacing faults ({@link SlowAudio}, {@link BurstyAudio}) stay in force for the rest of the connection (the last
 * one wins); the others act once.
 */
public sealed interface Fault {

    /** Sends {@code goAway{timeLeft}} and closes the connection (1000, empty reason) when {@code timeLeft} has passed. */
    record GoAway(Duration timeLeft) implements Fault {
        public GoAway {
            Objects.requireNonNull(timeLeft, "timeLeft");
        }
    }

    /** Sends a close frame with this code and reason (truncated to 123 bytes), then drops TCP if the client lingers. */
    record Close(int code, String reason) implements Fault {
        public Close {
            reason = reason == null ? "" : reason;
        }
    }

    /** Drops the TCP connection without a close frame (the client sees 1006). */
    record DropConnection() implements Fault {}

    /**
     * Stops sending and stops processing client frames for {@code duration} (emulator clock); nothing is lost. Frames
     * the server produced before the stall (e.g. the handle that follows setupComplete) still go out: the stall holds
     * what comes after it, so a test that injects it after seeing an event knows what the client will receive.
     * Injecting it again while stalled extends the stall.
     */
    record Stall(Duration duration) implements Fault {
        public Stall {
            Objects.requireNonNull(duration, "duration");
        }
    }

    /**
     * Paces audio output at {@code realtimeFactor} times real time, one chunk at a time (0.5 = half speed, so a client
     * playing it back under-runs).
     */
    record SlowAudio(double realtimeFactor) implements Fault {
        public SlowAudio {
            if (!(realtimeFactor > 0)) {
                throw new IllegalArgumentException("realtimeFactor must be > 0: " + realtimeFactor);
            }
        }
    }

    /** Sends audio output in bursts of {@code chunksPerBurst} chunks separated by {@code gap}. */
    record BurstyAudio(int chunksPerBurst, Duration gap) implements Fault {
        public BurstyAudio {
            if (chunksPerBurst < 1) {
                throw new IllegalArgumentException("chunksPerBurst must be >= 1");
            }
            Objects.requireNonNull(gap, "gap");
        }
    }

    /**
     * Sends {@code interrupted:true} although the user said nothing: a reply in progress is cut as in a barge-in
     * ({@code interrupted}, cancellations, {@code turnComplete}); when idle only {@code interrupted} is sent.
     */
    record PhantomInterrupted() implements Fault {}

    /**
     * Sends {@code turnComplete} before the reply ends and keeps streaming: now if a reply is in progress, else after
     * the first content chunk of the next reply. The reply still ends with generationComplete and turnComplete.
     */
    record PrematureTurnComplete() implements Fault {}

    /** The next connection that tries to resume with a handle is closed 1007 (emulator-wide, acts once). */
    record RefuseResumption() implements Fault {}

    /** Closes 1011 "Deadline expired before operation could complete." (the ~58-minute session deadline). */
    record DeadlineExpired() implements Fault {}
}
