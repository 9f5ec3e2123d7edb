package dev.habla.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a client sends: the 12 {@code type}s the GA service accepts plus {@code output_audio_buffer.clear}, and
 * {@link Unknown} for anything else (kept whole so a server can answer it with an {@code error}). {@code eventId} is
 * optional on every event; the server echoes it only inside an {@code error}.
 */
public sealed interface ClientEvent {
    /** The wire {@code type}. */
    String type();

    /** The optional client {@code event_id}, or null. */
    String eventId();

    record SessionUpdate(String eventId, Session session) implements ClientEvent {
        public static final String TYPE = "session.update";

        public SessionUpdate(Session session) {
            this(null, session);
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    record SessionClose(String eventId) implements ClientEvent {
        public static final String TYPE = "session.close";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /**
     * {@code input_audio_buffer.append}: raw audio in the session's input format (pcm16 24 kHz by default), base64 on
     * the wire. {@code aliased} is true when it arrived as {@code session.input_audio_buffer.append}, the GA alias.
     */
    record InputAudioBufferAppend(String eventId, byte[] audio, boolean aliased) implements ClientEvent {
        public static final String TYPE = "input_audio_buffer.append";

        public InputAudioBufferAppend(byte[] audio) {
            this(null, audio, false);
        }

        @Override
        public String type() {
            return aliased ? "session." + TYPE : TYPE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof InputAudioBufferAppend a && Objects.equals(eventId, a.eventId)
                    && Arrays.equals(audio, a.audio) && aliased == a.aliased;
        }

        @Override
        public int hashCode() {
            return Objects.hash(eventId, aliased) * 31 + Arrays.hashCode(audio);
        }

        /** Prints the size, never the bytes. */
        @Override
        public String toString() {
            return "InputAudioBufferAppend[eventId=" + eventId + ", audio=" + (audio == null ? "null" : audio.length + " bytes") + "]";
        }
    }

    record InputAudioBufferCommit(String eventId) implements ClientEvent {
        public static final String TYPE = "input_audio_buffer.commit";

        @Override
        public String type() {
            return TYPE;
        }
    }

    record InputAudioBufferClear(String eventId) implements ClientEvent {
        public static final String TYPE = "input_audio_buffer.clear";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** Adds {@code item} after {@code previousItemId} ({@code "root"} = first), or at the end when it is null. */
    record ConversationItemCreate(String eventId, String previousItemId, Item item) implements ClientEvent {
        public static final String TYPE = "conversation.item.create";

        public ConversationItemCreate(Item item) {
            this(null, null, item);
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** Cuts an assistant audio item at what the user actually heard. */
    record ConversationItemTruncate(String eventId, String itemId, int contentIndex, long audioEndMs) implements ClientEvent {
        public static final String TYPE = "conversation.item.truncate";

        @Override
        public String type() {
            return TYPE;
        }
    }

    record ConversationItemDelete(String eventId, String itemId) implements ClientEvent {
        public static final String TYPE = "conversation.item.delete";

        @Override
        public String type() {
            return TYPE;
        }
    }

    record ConversationItemRetrieve(String eventId, String itemId) implements ClientEvent {
        public static final String TYPE = "conversation.item.retrieve";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** Asks for a response; {@code response} (optional) overrides session settings for this one. */
    record ResponseCreate(String eventId, Response response) implements ClientEvent {
        public static final String TYPE = "response.create";

        public ResponseCreate() {
            this(null, null);
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** Cancels the running response ({@code responseId} optional). */
    record ResponseCancel(String eventId, String responseId) implements ClientEvent {
        public static final String TYPE = "response.cancel";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** WebRTC/SIP only; the WebSocket service refuses it. */
    record OutputAudioBufferClear(String eventId) implements ClientEvent {
        public static final String TYPE = "output_audio_buffer.clear";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** An event of a type this codec does not know, kept whole. */
    record Unknown(String type, String eventId, ObjectNode json) implements ClientEvent {}
}
