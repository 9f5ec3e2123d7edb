package dev.habla.protocol;

import java.time.Duration;
import java.util.List;

/**
 * The payload of a server frame: the member of the {@code message_type} oneof. {@link UsageMetadata} is not part of
 * the oneof; it travels beside it in {@link ServerFrame}.
 */
public sealed interface ServerMessage
        permits ServerMessage.SetupComplete, ServerMessage.ServerContent, ServerMessage.ToolCall,
        ServerMessage.ToolCallCancellation, ServerMessage.GoAway, ServerMessage.SessionResumptionUpdate,
        ServerMessage.VoiceActivity, ServerMessage.VoiceActivityDetectionSignal {

    /** The wire key of this message. */
    default String wireKey() {
        return switch (this) {
            case SetupComplete s -> "setupComplete";
            case ServerContent s -> "serverContent";
            case ToolCall t -> "toolCall";
            case ToolCallCancellation t -> "toolCallCancellation";
            case GoAway g -> "goAway";
            case SessionResumptionUpdate s -> "sessionResumptionUpdate";
            case VoiceActivity v -> "voiceActivity";
            case VoiceActivityDetectionSignal v -> "voiceActivityDetectionSignal";
        };
    }

    /** First server message of a connection. {@code sessionId} is newer than the proto. */
    @ProtoName("BidiGenerateContentSetupComplete")
    record SetupComplete(@Extension String sessionId) implements ServerMessage {}

    /**
     * Model output and turn signals. {@code turnCompleteReason} is newer than the public v1beta proto.
     */
    @ProtoName("BidiGenerateContentServerContent")
    record ServerContent(
            Content modelTurn,
            boolean generationComplete,
            boolean turnComplete,
            boolean interrupted,
            GroundingMetadata groundingMetadata,
            Transcription inputTranscription,
            Transcription outputTranscription,
            UrlContextMetadata urlContextMetadata,
            boolean waitingForInput,
            @Extension TurnCompleteReason turnCompleteReason) implements ServerMessage {

        /** A model-turn chunk. */
        public static ServerContent modelTurn(Content content) {
            return new ServerContent(content, false, false, false, null, null, null, null, false, null);
        }

        /** {@code generationComplete: true}. */
        public static ServerContent generationCompleted() {
            return new ServerContent(null, true, false, false, null, null, null, null, false, null);
        }

        /** {@code turnComplete: true}. */
        public static ServerContent turnCompleted() {
            return new ServerContent(null, false, true, false, null, null, null, null, false, null);
        }

        /** {@code interrupted: true}. */
        public static ServerContent interruptedSignal() {
            return new ServerContent(null, false, false, true, null, null, null, null, false, null);
        }

        /** An input transcription chunk. */
        public static ServerContent inputTranscription(Transcription t) {
            return new ServerContent(null, false, false, false, null, t, null, null, false, null);
        }

        /** An output transcription chunk. */
        public static ServerContent outputTranscription(Transcription t) {
            return new ServerContent(null, false, false, false, null, null, t, null, false, null);
        }

        /** Grounding metadata alone. */
        public static ServerContent grounding(GroundingMetadata g) {
            return new ServerContent(null, false, false, false, g, null, null, null, false, null);
        }
    }

    /** Why a turn completed (2026). */
    enum TurnCompleteReason {
        TURN_COMPLETE_REASON_UNSPECIFIED, MALFORMED_FUNCTION_CALL, RESPONSE_REJECTED, NEED_MORE_INPUT,
        PROHIBITED_INPUT_CONTENT, IMAGE_PROHIBITED_INPUT_CONTENT, INPUT_TEXT_CONTAINS_PROHIBITED_CONTENT,
        INPUT_IMAGE_CELEBRITY, INPUT_IMAGE_PHOTO_REALISTIC_CHILD_BLOCKED, INPUT_TEXT_NCII_PROHIBITED, INPUT_OTHER,
        INPUT_IP_PROHIBITED, BLOCKLIST, UNSAFE_PROMPT_FOR_IMAGE_GENERATION, GENERATED_IMAGE_SAFETY,
        GENERATED_CONTENT_SAFETY, GENERATED_AUDIO_SAFETY, GENERATED_VIDEO_SAFETY, GENERATED_CONTENT_PROHIBITED,
        GENERATED_CONTENT_BLOCKLIST, GENERATED_IMAGE_PROHIBITED, GENERATED_IMAGE_CELEBRITY, GENERATED_IMAGE_IDENTIFIABLE_PEOPLE,
        GENERATED_IMAGE_MINORS, OUTPUT_IMAGE_IP_PROHIBITED, GENERATED_OTHER, MAX_REGENERATION_REACHED, UNRECOGNIZED
    }

    /** The model asks the client to run functions (several = parallel calls). */
    @ProtoName("BidiGenerateContentToolCall")
    record ToolCall(List<FunctionCall> functionCalls) implements ServerMessage {}

    /** Calls that should not have run (the user interrupted). */
    @ProtoName("BidiGenerateContentToolCallCancellation")
    record ToolCallCancellation(List<String> ids) implements ServerMessage {}

    /** The server will close this connection after {@code timeLeft}; reconnect with the latest handle. */
    @ProtoName("GoAway")
    record GoAway(Duration timeLeft) implements ServerMessage {}

    /** A new resumption handle (only when {@code resumable}). {@code lastConsumedClientMessageIndex} is Vertex-only. */
    @ProtoName("SessionResumptionUpdate")
    record SessionResumptionUpdate(String newHandle, boolean resumable, @Extension @Int64 Long lastConsumedClientMessageIndex)
            implements ServerMessage {}

    /** Voice activity of the user as detected by the server (2026; wire field {@code type}). */
    @ProtoName("VoiceActivity")
    record VoiceActivity(VoiceActivityType type, Duration audioOffset) implements ServerMessage {}

    /** Start or end of detected voice activity. */
    enum VoiceActivityType { TYPE_UNSPECIFIED, ACTIVITY_START, ACTIVITY_END, UNRECOGNIZED }

    /** Allow-listed VAD signal. */
    @ProtoName("VoiceActivityDetectionSignal")
    record VoiceActivityDetectionSignal(VadSignalType vadSignalType) implements ServerMessage {}

    /** Start or end of speech. */
    enum VadSignalType { VAD_SIGNAL_TYPE_UNSPECIFIED, VAD_SIGNAL_TYPE_SOS, VAD_SIGNAL_TYPE_EOS, UNRECOGNIZED }
}
