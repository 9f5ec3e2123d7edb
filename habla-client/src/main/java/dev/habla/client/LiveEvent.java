package dev.habla.client;

import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.GroundingMetadata;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.UnknownField;
import dev.habla.protocol.UsageMetadata;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link LiveSession} reports to its {@link SessionListener}: provider-neutral events decoded from server
 * frames, plus exactly one terminal {@link Closed}. One server frame may yield several events (for example text,
 * then {@link GenerationComplete}, then {@link TurnComplete}); they are delivered in that order.
 */
public sealed interface LiveEvent {

    /** The server accepted the setup; the session is {@link SessionState#OPEN}. {@code sessionId} may be null. */
    record SetupCompleted(String sessionId) implements LiveEvent {}

    /** A chunk of model text; {@code thought} marks thinking output (when thoughts are included). */
    record TextDelta(String text, boolean thought) implements LiveEvent {
        public TextDelta {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A chunk of model speech: PCM16 little-endian mono at {@code sampleRate} Hz (24 kHz on Gemini). The array is
     * owned by the event; {@code toString} prints its size, never the bytes.
     *
     * <p>{@code wire}: for a relay, the exact server frame (UTF-8 JSON, Gemini's wire) this chunk arrived as, when the
     * frame carried nothing but this one audio part (so a gateway forwards it instead of re-encoding); otherwise null.
     * Owned by the event; not part of equality. Everyone else reads {@code pcm}.
     */
    record AudioChunk(byte[] pcm, int sampleRate, byte[] wire) implements LiveEvent {
        public AudioChunk {
            Objects.requireNonNull(pcm, "pcm");
        }

        /** A chunk without a wire frame of its own. */
        public AudioChunk(byte[] pcm, int sampleRate) {
            this(pcm, sampleRate, null);
        }

        /** Duration of this chunk at its sample rate (2 bytes per sample). */
        public Duration duration() {
            return sampleRate <= 0 ? Duration.ZERO : Duration.ofNanos(pcm.length / 2 * 1_000_000_000L / sampleRate);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AudioChunk a && a.sampleRate == sampleRate && Arrays.equals(a.pcm, pcm);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(pcm) + sampleRate;
        }

        @Override
        public String toString() {
            return "AudioChunk[" + pcm.length + " bytes, " + sampleRate + " Hz]";
        }
    }

    /** Transcript of the user's speech (incremental; no ordering guarantee against model output). */
    record InputTranscription(String text, boolean finished) implements LiveEvent {}

    /** Transcript of the model's speech (incremental). */
    record OutputTranscription(String text, boolean finished) implements LiveEvent {}

    /** The model asks the client to run these functions; answer with {@link LiveSession#sendToolResponse}. */
    record ToolCallRequested(List<FunctionCall> calls) implements LiveEvent {
        public ToolCallRequested {
            calls = List.copyOf(calls);
        }
    }

    /** These earlier calls should not have run (the user interrupted); undo their effects if possible. */
    record ToolCallCancelled(List<String> ids) implements LiveEvent {
        public ToolCallCancelled {
            ids = List.copyOf(ids);
        }
    }

    /** The current generation was cut off (barge-in): stop playback and drop queued audio now. */
    record Interrupted() implements LiveEvent {}

    /** The model finished generating this turn (playback may still be running). Not sent for interrupted turns. */
    record GenerationComplete() implements LiveEvent {}

    /**
     * The model's turn is over: a turn boundary. {@code usage} is the token usage sent with it (null if none);
     * {@code reason} is the server's turn-complete reason (null if it gave none).
     */
    record TurnComplete(UsageMetadata usage, ServerMessage.TurnCompleteReason reason) implements LiveEvent {}

    /** Token usage that arrived without a {@code turnComplete}. */
    record Usage(UsageMetadata usage) implements LiveEvent {}

    /** Code the model wrote for the code-execution tool. */
    record ExecutableCode(dev.habla.protocol.ExecutableCode.Language language, String code) implements LiveEvent {}

    /** Result of running model-written code. */
    record CodeExecutionResult(dev.habla.protocol.CodeExecutionResult.Outcome outcome, String output) implements LiveEvent {}

    /** Search grounding for the current answer. */
    record Grounding(GroundingMetadata metadata) implements LiveEvent {}

    /**
     * The server will drop this connection after {@code timeLeft}: reconnect with
     * {@link LiveSession#resumptionHandle()} before then.
     */
    record GoingAway(Duration timeLeft) implements LiveEvent {}

    /**
     * A session-resumption update. {@code handle} is non-null only when {@code resumable}; while the model is
     * generating or tool calls are outstanding the server reports {@code resumable=false}.
     */
    record ResumptionUpdate(String handle, boolean resumable) implements LiveEvent {}

    /** The server's voice-activity detector saw the user start or stop speaking ({@code offset} may be null). */
    record VoiceActivity(ServerMessage.VoiceActivityType type, Duration offset) implements LiveEvent {}

    /** The model is not generating because it expects the user to continue. */
    record WaitingForInput() implements LiveEvent {}

    /** Parts of a frame this client did not understand (lenient decoding kept them). */
    record Unrecognized(List<UnknownField> fields) implements LiveEvent {
        public Unrecognized {
            fields = List.copyOf(fields);
        }
    }

    /**
     * The service reported an error about something the client sent and keeps the session open (OpenAI Realtime's
     * in-band {@code error} event: an invalid event, a refused {@code session.update}, a cancel with nothing to cancel).
     * The session goes on; errors that end it arrive as {@link Closed#error()}. Gemini never sends this (its errors
     * close the connection).
     *
     * @param error the typed error ({@link LiveException#kind()}, the service's message)
     */
    record ServiceError(LiveException error) implements LiveEvent {
        public ServiceError {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * What a {@link ResilientSession} reports about the connections behind it; a plain {@link LiveSession} never sends
     * these. Code that does not care handles them all with one {@code case LiveEvent.ConnectionEvent c -> { }}.
     */
    sealed interface ConnectionEvent extends LiveEvent
            permits HandoverStarted, HandoverCompleted, Reconnecting, Reconnected, Stalled {}

    /** Why a handover to a new connection started. */
    enum HandoverCause {
        /** The server announced the end of the connection ({@code goAway}). */
        GO_AWAY,
        /** The policy's proactive timer fired, or {@link ResilientSession#handoverNow()} was called. */
        PROACTIVE
    }

    /**
     * A make-before-break handover began: the next connection will be opened with the resumption handle and the
     * session switches to it at the next turn boundary (or when the old one is about to end).
     *
     * @param timeLeft what the server's {@code goAway} granted, or null for a proactive handover
     */
    record HandoverStarted(HandoverCause cause, Duration timeLeft) implements ConnectionEvent {
        public HandoverStarted {
            Objects.requireNonNull(cause, "cause");
        }
    }

    /**
     * The session now runs on a new connection; nothing sent meanwhile was lost.
     *
     * @param gap        how long no connection could take user input (it was buffered and delivered afterwards)
     * @param connection ordinal of the new connection (1 = the first one)
     */
    record HandoverCompleted(Duration gap, int connection) implements ConnectionEvent {}

    /**
     * The connection was lost unexpectedly; attempt {@code attempt} to reconnect starts after {@code delay}.
     * Sends are buffered meanwhile.
     */
    record Reconnecting(LiveException cause, int attempt, Duration delay) implements ConnectionEvent {}

    /**
     * The session runs again after an unexpected loss.
     *
     * @param gap        time without a connection that could take user input
     * @param resumed    true if the server resumed the session from its handle; false if the handle was refused and
     *                   a new session was seeded with the transcript kept by the client
     * @param attempts   connection attempts it took
     * @param connection ordinal of the new connection
     */
    record Reconnected(Duration gap, boolean resumed, int attempts, int connection) implements ConnectionEvent {}

    /** What kind of silence the stall watchdog caught. */
    enum StallKind {
        /** The model was mid-turn (generating) and sent nothing for the policy's mid-turn timeout. */
        MID_TURN,
        /** The user's turn ended (text, activityEnd, audioStreamEnd) and no reply started within the reply timeout. */
        NO_REPLY
    }

    /** The stall watchdog caught a silent hang of {@code duration}; the policy may reconnect next. */
    record Stalled(StallKind kind, Duration duration) implements ConnectionEvent {}

    /**
     * The terminal event: delivered exactly once per session (also when {@code connect} fails), always last.
     *
     * @param code   WebSocket close code (1006 when the connection dropped without a close frame, or when it never opened)
     * @param reason close reason from the peer, or a description of the local cause; never null
     * @param error  null for a clean close the client asked for; otherwise the typed cause
     */
    record Closed(int code, String reason, LiveException error) implements LiveEvent {
        public Closed {
            reason = reason == null ? "" : reason;
        }

        /** True when the session ended because of an error. */
        public boolean failed() {
            return error != null;
        }
    }
}
