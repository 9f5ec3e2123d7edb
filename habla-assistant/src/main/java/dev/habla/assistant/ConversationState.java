package dev.habla.assistant;

import dev.habla.client.LiveEvent;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * What a {@link VoiceLoop}'s waits wait for, and the waits themselves ({@link VoiceLoop#awaitClosed},
 * {@link VoiceLoop#awaitConversationIdle}, {@link VoiceLoop#awaitPlaybackIdle}): the server turn in progress, the
 * user inputs that await an answer, the end of the input, the session's terminal event. All of it is guarded by
 * {@link #stateLock}; every change signals {@link #stateChanged}, and so does {@link #signal()} for what the waits
 * re-check without being told (playback, the resilient session's phase).
 */
final class ConversationState {

    private final Scheduler clock;

    /**
     * The server turn in progress, or null between turns. Written by the reader (under {@link #stateLock}, so the waits
     * see it change); read by the mic pump.
     */
    private volatile SessionReader.Turn turn;

    // ---- idle tracking (file mode) and termination, guarded by stateLock ----
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition stateChanged = stateLock.newCondition();
    private long userInputs;        // local speech starts and typed lines
    private long answeredInputs;    // userInputs as of the start of the latest turn
    private boolean inputEnded;
    private long quietSince;        // clock nanos since when nothing happened
    private LiveEvent.Closed closedEvent;

    ConversationState(Scheduler clock) {
        this.clock = clock;
        this.quietSince = clock.nanoTime();
    }

    /** The server turn in progress, or null between turns (any thread; lock-free). */
    SessionReader.Turn turn() {
        return turn;
    }

    /** Reader: a server turn started; the inputs so far count as answered. */
    void turnOpened(SessionReader.Turn tr) {
        stateLock.lock();
        try {
            turn = tr;
            answeredInputs = userInputs;
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /** Reader: the server turn is over. */
    void turnEnded() {
        stateLock.lock();
        try {
            turn = null;
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /** Reader: the session's terminal event. */
    void closed(LiveEvent.Closed c) {
        stateLock.lock();
        try {
            closedEvent = c;
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /** Mic pump (local speech start) or caller (typed line): an input that awaits an answer. */
    void noteUserInput() {
        stateLock.lock();
        try {
            userInputs++;
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /** Mic pump: the source ended. */
    void noteInputEnded() {
        stateLock.lock();
        try {
            inputEnded = true;
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /** Wakes the waits: something they re-check changed without going through this class. Any thread. */
    void signal() {
        stateLock.lock();
        try {
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    LiveEvent.Closed closedEvent() {
        stateLock.lock();
        try {
            return closedEvent;
        } finally {
            stateLock.unlock();
        }
    }

    boolean inputEnded() {
        stateLock.lock();
        try {
            return inputEnded;
        } finally {
            stateLock.unlock();
        }
    }

    /** See {@link VoiceLoop#awaitClosed}. */
    LiveEvent.Closed awaitClosed(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        stateLock.lock();
        try {
            while (closedEvent == null && nanos > 0) {
                nanos = stateChanged.awaitNanos(nanos);
            }
            return closedEvent;
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * See {@link VoiceLoop#awaitConversationIdle}. {@code playbackIdle} ({@link Speaker#playbackIdle()}) and
     * {@code reconnecting} (the resilient session's phase) are asked under the state lock at every check.
     */
    boolean awaitConversationIdle(Duration settle, Duration timeout, BooleanSupplier playbackIdle,
                                  BooleanSupplier reconnecting) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        stateLock.lock();
        try {
            while (true) {
                if (closedEvent != null) {
                    return false;
                }
                long now = clock.nanoTime();
                boolean idle = inputEnded && turn == null && playbackIdle.getAsBoolean()
                        && !reconnecting.getAsBoolean();
                long needed = answeredInputs >= userInputs ? settle.toNanos()
                        : Math.max(settle.toNanos(), VoiceLoop.UNANSWERED_GRACE.toNanos());
                if (!idle) {
                    quietSince = now;
                } else if (now - quietSince >= needed) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Playback going idle is not signalled, so re-check at a short interval as well.
                stateChanged.awaitNanos(Math.min(left, 20_000_000L));
            }
        } finally {
            stateLock.unlock();
        }
    }

    /** See {@link VoiceLoop#awaitPlaybackIdle}; {@code playbackIdle} as for {@link #awaitConversationIdle}. */
    boolean awaitPlaybackIdle(Duration timeout, BooleanSupplier playbackIdle) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        stateLock.lock();
        try {
            while (!(turn == null && playbackIdle.getAsBoolean())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Playback going idle is not signalled, so re-check at a short interval as well.
                stateChanged.awaitNanos(Math.min(left, 20_000_000L));
            }
            return true;
        } finally {
            stateLock.unlock();
        }
    }
}
