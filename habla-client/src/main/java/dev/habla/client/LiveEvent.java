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
     */
    record AudioChunk(byte[] pcm, int sampleRate) implements LiveEvent {
        public AudioChunk {
            Objects.requireNonNull(pcm, "pcm");
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
