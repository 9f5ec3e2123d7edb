package dev.habla.client.internal;

import dev.habla.client.Capabilities;
import dev.habla.client.ModelFamily;
import dev.habla.client.UnsupportedByModelException;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import dev.habla.protocol.FunctionResponse;
import java.util.List;
import java.util.Objects;

/**
 * Builds and validates the messages behind {@code LiveSession}'s convenience senders, so that a plain session and a
 * resilient one reject the same bad input with the same message, and apply the same {@link ModelFamily} rules.
 * Stateless.
 */
final class OutboundMessages {
    private OutboundMessages() {}

    /**
     * A typed user turn as the model wants it: {@code clientContent} with {@code turnComplete:true}, or
     * {@code realtimeInput.text} on families that refuse {@code clientContent} mid-session (the server's turn
     * detection then decides when the turn ends).
     */
    static ClientMessage text(String text, Capabilities caps) {
        Objects.requireNonNull(text, "text");
        return caps.typedTextAsRealtimeInput() ? RealtimeInput.ofText(text)
                : ClientMessage.ClientContent.userText(text);
    }

    /**
     * Refuses, before it is queued, a message the session's model would answer by closing the session. Only user
     * sends go through here; the history the session itself sends at connect ({@link dev.habla.client.SessionConfig#initialHistory()})
     * does not.
     *
     * @throws UnsupportedByModelException {@code clientContent} on a model that takes it only as initial history
     */
    static void checkAllowed(ClientMessage message, Capabilities caps) {
        if (message instanceof ClientMessage.ClientContent && !caps.clientContentMidSession()) {
            throw clientContentRefused(caps.provider(), caps.model(),
                    "gemini".equals(caps.provider()) ? ModelFamily.of(caps.model()) : null);
        }
    }

    private static UnsupportedByModelException clientContentRefused(String provider, String model, ModelFamily family) {
        return new UnsupportedByModelException(provider, model, family, "model '" + model
                + "' accepts clientContent only as initial history (the server closes 1007 otherwise): "
                + "send typed text with sendText or sendRealtimeText, and earlier turns with "
                + "SessionConfig.initialHistory");
    }

    static ClientMessage audio(byte[] pcm, int sampleRate) {
        Objects.requireNonNull(pcm, "pcm");
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be > 0, was " + sampleRate);
        }
        if ((pcm.length & 1) != 0) {
            throw new IllegalArgumentException("PCM16 audio needs an even number of bytes, got " + pcm.length);
        }
        return RealtimeInput.ofAudio(pcm, sampleRate);
    }

    static ClientMessage video(String mimeType, byte[] image) {
        Objects.requireNonNull(image, "image");
        if (mimeType == null || !mimeType.startsWith("image/")) {
            throw new IllegalArgumentException("video frames must be images (image/jpeg, image/png), was " + mimeType);
        }
        return RealtimeInput.ofVideo(mimeType, image);
    }

    /** {@code idsRequired}: the Gemini API refuses responses without the id of their call (Vertex does not). */
    static ClientMessage toolResponse(List<FunctionResponse> responses, boolean idsRequired) {
        if (responses == null || responses.isEmpty()) {
            throw new IllegalArgumentException("sendToolResponse needs at least one FunctionResponse");
        }
        if (idsRequired) {
            for (FunctionResponse r : responses) {
                if (r.id() == null || r.id().isEmpty()) {
                    throw new IllegalArgumentException("FunctionResponse '" + r.name()
                            + "' has no id: echo the id of the FunctionCall it answers (required by the Gemini API)");
                }
            }
        }
        return new ClientMessage.ToolResponse(List.copyOf(responses));
    }
}
