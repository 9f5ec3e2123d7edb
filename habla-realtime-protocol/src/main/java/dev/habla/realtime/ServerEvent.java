package dev.habla.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the server sends: one record per GA event {@code type} this codec models, and {@link Unknown} for anything
 * else (beta names, WebRTC-only and MCP events, types added later), kept whole: never dropped, never fatal.
 * {@code eventId} is the server's {@code event_...} id, which every server event carries (the agents SDK ignores
 * events without one).
 */
public sealed interface ServerEvent {
    /** The wire {@code type}. */
    String type();

    /** The server {@code event_id}. */
    String eventId();

    /** {@code error}: An in-band error; the session stays open unless the server then closes the socket (3000/4000). */
    record ErrorEvent(String eventId, ErrorDetail error) implements ServerEvent {
        public static final String TYPE = "error";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code session.created}: The server's first frame: the default configuration. */
    record SessionCreated(String eventId, Session session) implements ServerEvent {
        public static final String TYPE = "session.created";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code session.updated}: The full effective configuration after a {@code session.update}. */
    record SessionUpdated(String eventId, Session session) implements ServerEvent {
        public static final String TYPE = "session.updated";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code conversation.item.added}: An item entered the conversation (its content may still grow). */
    record ConversationItemAdded(String eventId, String previousItemId, Item item) implements ServerEvent {
        public static final String TYPE = "conversation.item.added";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code conversation.item.done}: An item is final. */
    record ConversationItemDone(String eventId, String previousItemId, Item item) implements ServerEvent {
        public static final String TYPE = "conversation.item.done";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code conversation.item.retrieved}: Answer to {@code conversation.item.retrieve}. */
    record ConversationItemRetrieved(String eventId, Item item) implements ServerEvent {
        public static final String TYPE = "conversation.item.retrieved";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code conversation.item.truncated}: Answer to {@code conversation.item.truncate}. */
    record ConversationItemTruncated(String eventId, String itemId, int contentIndex, long audioEndMs) implements ServerEvent {
        public static final String TYPE = "conversation.item.truncated";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code conversation.item.deleted}: Answer to {@code conversation.item.delete}. */
    record ConversationItemDeleted(String eventId, String itemId) implements ServerEvent {
        public static final String TYPE = "conversation.item.deleted";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code conversation.item.input_audio_transcription.delta}: Part of a user audio item's transcript. */
    record InputAudioTranscriptionDelta(String eventId, String itemId, int contentIndex, String delta) implements ServerEvent {
        public static final String TYPE = "conversation.item.input_audio_transcription.delta";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code conversation.item.input_audio_transcription.completed}: A user audio item's whole transcript. */
    record InputAudioTranscriptionCompleted(String eventId, String itemId, int contentIndex, String transcript, Usage usage) implements ServerEvent {
        public static final String TYPE = "conversation.item.input_audio_transcription.completed";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code conversation.item.input_audio_transcription.failed}: Transcription of a user audio item failed. */
    record InputAudioTranscriptionFailed(String eventId, String itemId, int contentIndex, ErrorDetail error) implements ServerEvent {
        public static final String TYPE = "conversation.item.input_audio_transcription.failed";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code input_audio_buffer.committed}: The input buffer became user item {@code itemId}. */
    record InputAudioBufferCommitted(String eventId, String previousItemId, String itemId) implements ServerEvent {
        public static final String TYPE = "input_audio_buffer.committed";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code input_audio_buffer.cleared}: Answer to {@code input_audio_buffer.clear}. */
    record InputAudioBufferCleared(String eventId) implements ServerEvent {
        public static final String TYPE = "input_audio_buffer.cleared";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code input_audio_buffer.speech_started}: Server VAD heard speech start ({@code audioStartMs} on the session's input audio clock). */
    record SpeechStarted(String eventId, long audioStartMs, String itemId) implements ServerEvent {
        public static final String TYPE = "input_audio_buffer.speech_started";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code input_audio_buffer.speech_stopped}: Server VAD heard speech end. */
    record SpeechStopped(String eventId, long audioEndMs, String itemId) implements ServerEvent {
        public static final String TYPE = "input_audio_buffer.speech_stopped";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code input_audio_buffer.timeout_triggered}: No speech for {@code idle_timeout_ms} (server VAD). */
    record InputAudioBufferTimeoutTriggered(String eventId, long audioStartMs, long audioEndMs, String itemId) implements ServerEvent {
        public static final String TYPE = "input_audio_buffer.timeout_triggered";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.created}: A response started ({@code status: in_progress}). */
    record ResponseCreated(String eventId, Response response) implements ServerEvent {
        public static final String TYPE = "response.created";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.done}: A response ended: completed, cancelled, incomplete or failed; every response gets exactly one. */
    record ResponseDone(String eventId, Response response) implements ServerEvent {
        public static final String TYPE = "response.done";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.output_item.added}: A response output item started. */
    record ResponseOutputItemAdded(String eventId, String responseId, int outputIndex, Item item) implements ServerEvent {
        public static final String TYPE = "response.output_item.added";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.output_item.done}: A response output item is final. */
    record ResponseOutputItemDone(String eventId, String responseId, int outputIndex, Item item) implements ServerEvent {
        public static final String TYPE = "response.output_item.done";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.content_part.added}: A content part started ({@code part.type} {@code text} or {@code audio}). */
    record ResponseContentPartAdded(String eventId, String responseId, String itemId, int outputIndex, int contentIndex, ContentPart part) implements ServerEvent {
        public static final String TYPE = "response.content_part.added";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.content_part.done}: A content part is final. */
    record ResponseContentPartDone(String eventId, String responseId, String itemId, int outputIndex, int contentIndex, ContentPart part) implements ServerEvent {
        public static final String TYPE = "response.content_part.done";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.output_text.delta}: Text of a text response. */
    record ResponseOutputTextDelta(String eventId, String responseId, String itemId, int outputIndex, int contentIndex, String delta) implements ServerEvent {
        public static final String TYPE = "response.output_text.delta";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.output_text.done}: The whole text of a text part. */
    record ResponseOutputTextDone(String eventId, String responseId, String itemId, int outputIndex, int contentIndex, String text) implements ServerEvent {
        public static final String TYPE = "response.output_text.done";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.output_audio.delta}: Audio of an audio response in the output format (pcm16 24 kHz by default), base64 on the wire. */
    record ResponseOutputAudioDelta(String eventId, String responseId, String itemId, int outputIndex, int contentIndex, byte[] delta) implements ServerEvent {
        public static final String TYPE = "response.output_audio.delta";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ResponseOutputAudioDelta d && Objects.equals(eventId, d.eventId)
                    && Objects.equals(responseId, d.responseId) && Objects.equals(itemId, d.itemId)
                    && outputIndex == d.outputIndex && contentIndex == d.contentIndex && Arrays.equals(delta, d.delta);
        }

        @Override
        public int hashCode() {
            return Objects.hash(eventId, responseId, itemId, outputIndex, contentIndex) * 31 + Arrays.hashCode(delta);
        }

        /** Prints the size, never the bytes. */
        @Override
        public String toString() {
            return "ResponseOutputAudioDelta[eventId=" + eventId + ", responseId=" + responseId + ", itemId=" + itemId
                    + ", outputIndex=" + outputIndex + ", contentIndex=" + contentIndex + ", delta="
                    + (delta == null ? "null" : delta.length + " bytes") + "]";
        }
    }

    /** {@code response.output_audio.done}: The audio of a part is complete (also sent when interrupted). */
    record ResponseOutputAudioDone(String eventId, String responseId, String itemId, int outputIndex, int contentIndex) implements ServerEvent {
        public static final String TYPE = "response.output_audio.done";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.output_audio_transcript.delta}: Transcript of the audio being generated. */
    record ResponseOutputAudioTranscriptDelta(String eventId, String responseId, String itemId, int outputIndex, int contentIndex, String delta) implements ServerEvent {
        public static final String TYPE = "response.output_audio_transcript.delta";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.output_audio_transcript.done}: The whole transcript of an audio part. */
    record ResponseOutputAudioTranscriptDone(String eventId, String responseId, String itemId, int outputIndex, int contentIndex, String transcript) implements ServerEvent {
        public static final String TYPE = "response.output_audio_transcript.done";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.function_call_arguments.delta}: Part of a function call's JSON arguments string. */
    record FunctionCallArgumentsDelta(String eventId, String responseId, String itemId, int outputIndex, String callId, String delta) implements ServerEvent {
        public static final String TYPE = "response.function_call_arguments.delta";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code response.function_call_arguments.done}: A function call's whole JSON arguments string. */
    record FunctionCallArgumentsDone(String eventId, String responseId, String itemId, int outputIndex, String callId, String name, String arguments) implements ServerEvent {
        public static final String TYPE = "response.function_call_arguments.done";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** {@code rate_limits.updated}: Rate limits after a response; follows {@code response.done}. */
    record RateLimitsUpdated(String eventId, List<RateLimit> rateLimits) implements ServerEvent {
        public static final String TYPE = "rate_limits.updated";

        public RateLimitsUpdated {
            rateLimits = rateLimits == null ? List.of() : List.copyOf(rateLimits);
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** An event of a type this codec does not model, kept whole. */
    record Unknown(String type, String eventId, ObjectNode json) implements ServerEvent {}
}
