package dev.habla.assistant;

import dev.habla.time.Scheduler;
import dev.habla.client.LiveEvent;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link VoiceLoop} reports to its {@link AssistantObserver}. Times ({@code …Nanos}) are on the loop's
 * {@link Scheduler}.
 */
public sealed interface AssistantEvent {

    /** The session is open (the server sent {@code setupComplete}). */
    record Connected(String sessionId) implements AssistantEvent {}

    /**
     * The local VAD heard the user start speaking (after echo gating), {@code minSpeech} after the onset.
     *
     * @param onsetNanos      capture time of the first speech sample
     * @param detectedNanos   capture time of the end of the frame that confirmed it
     * @param duringPlayback  whether the assistant was audible or had audio queued (a barge-in candidate)
     */
    record UserSpeechStarted(long onsetNanos, long detectedNanos, boolean duringPlayback) implements AssistantEvent {}

    /** The local VAD heard the user stop speaking; {@code speech} is the utterance's length. */
    record UserSpeechStopped(long endNanos, Duration speech) implements AssistantEvent {}

    /** Text from the user: a piece of the input transcription, or a line typed with {@link VoiceLoop#sendText}. */
    record UserText(String text, boolean finished, boolean typed) implements AssistantEvent {}

    /**
     * A piece of the assistant's answer: output transcription ({@code transcription = true}) or model text.
     *
     * @param epoch the turn it belongs to
     */
    record AssistantText(long epoch, String text, boolean transcription) implements AssistantEvent {}

    /** The speaker pump wrote the first audible audio of a turn (or after an idle gap). */
    record AssistantSpeaking(long epoch) implements AssistantEvent {}

    /** What made the loop silence the assistant. */
    enum Trigger {
        /** The server's {@code interrupted}. */
        SERVER_INTERRUPTED,
        /** The local VAD ({@link VadMode#ASSIST}, {@link VadMode#MANUAL}) heard the user start speaking. */
        LOCAL_VAD,
        /** The push-to-talk key was pressed. */
        PUSH_TO_TALK
    }

    /**
     * Playback was silenced: the playback buffer and the sink were flushed and the cut turn's late audio will be
     * dropped.
     *
     * @param trigger        why
     * @param epoch          the turn that was cut (the newest epoch at the time)
     * @param arrivalNanos   when the trigger arrived: the {@code interrupted} event reaching the loop, the capture
     *                       time of the local speech onset, or the key press
     * @param silencedNanos  when the speaker was silent: buffer and sink flushed, no old audio can be written after it
     * @param discarded      audio thrown away: queued in the buffer plus what the pump had written ahead
     * @param heard          how much of the cut turn the user heard
     */
    record BargeIn(Trigger trigger, long epoch, long arrivalNanos, long silencedNanos, Duration discarded,
                   Duration heard) implements AssistantEvent {

        /** From the trigger's arrival to silence. */
        public Duration latency() {
            return Duration.ofNanos(Math.max(0, silencedNanos - arrivalNanos));
        }
    }

    /** The assistant's turn ended (completed or interrupted); the entry has both "heard" and "generated". */
    record TurnEnded(Transcript.Entry entry) implements AssistantEvent {
        public TurnEnded {
            Objects.requireNonNull(entry, "entry");
        }
    }

    /** Why the uplink paused. */
    enum PauseReason { MUTED, SILENCE, END_OF_INPUT }

    /** {@code audioStreamEnd} was sent: the microphone is muted, silent, or its input ended. */
    record StreamPaused(PauseReason reason) implements AssistantEvent {}

    /** The uplink carries audio again after a pause. */
    record StreamResumed() implements AssistantEvent {}

    /** {@code activityStart} ({@code started}) or {@code activityEnd} was sent (manual VAD, push-to-talk). */
    record Activity(boolean started) implements AssistantEvent {}

    /** The playback buffer ran dry in the middle of a turn; {@code total} counts them since the start. */
    record Underrun(long total) implements AssistantEvent {}

    /** The audio source reached its end (a file source), or failed ({@code error} non-null). */
    record InputEnded(Throwable error) implements AssistantEvent {}

    /**
     * The resilient session moved the conversation between connections or noticed trouble: a goAway handover started
     * or completed, the connection was lost and is being re-established (attempt, backoff), it was re-established
     * (resumed with the handle, or re-seeded), or the server stalled (mid-turn silence, no reply). Never sent with
     * {@link VoiceLoopConfig.Builder#plainSession()}. The conversation goes on unless a {@link Closed} follows.
     */
    record Connection(LiveEvent.ConnectionEvent event) implements AssistantEvent {
        public Connection {
            Objects.requireNonNull(event, "event");
        }
    }

    /** A session event the loop does not turn into one of the above (tool calls, usage, goAway, ...). */
    record Session(LiveEvent event) implements AssistantEvent {}

    /** The session ended; the last event. */
    record Closed(LiveEvent.Closed closed) implements AssistantEvent {}
}
