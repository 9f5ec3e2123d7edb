package dev.habla.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.protocol.Blob;
import dev.habla.protocol.Content;
import dev.habla.protocol.Part;
import dev.habla.protocol.UsageMetadata;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.ContentPart;
import dev.habla.realtime.Item;
import dev.habla.realtime.RealtimeCodec;
import dev.habla.realtime.Usage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The stateless pieces of the OpenAI mapping: Live content as conversation items, audio as appends (resampled to
 * 24 kHz), the fixed control events, a call's arguments and a response's usage in the Live vocabulary. Pure functions.
 */
final class OpenAiItems {
    private static final ObjectMapper JSON = OpenAiSessionUpdate.JSON;
    private static final Base64.Encoder B64 = Base64.getEncoder();
    static final String RESPOND = RealtimeCodec.encode(new ClientEvent.ResponseCreate(null, null));
    static final String CANCEL = RealtimeCodec.encode(new ClientEvent.ResponseCancel(null, null));
    static final String COMMIT = RealtimeCodec.encode(new ClientEvent.InputAudioBufferCommit(null));
    static final String CLEAR = RealtimeCodec.encode(new ClientEvent.InputAudioBufferClear(null));

    private OpenAiItems() {}

    /** A message item: user text/images, or model (assistant) text. */
    static String item(Content turn) {
        boolean model = "model".equals(turn.role()) || "assistant".equals(turn.role());
        List<ContentPart> content = new ArrayList<>();
        for (Part p : turn.parts() == null ? List.<Part>of() : turn.parts()) {
            if (p.text() != null) {
                content.add(model ? ContentPart.outputText(p.text()) : ContentPart.inputText(p.text()));
            } else if (p.inlineData() != null && p.inlineData().mimeType() != null
                    && p.inlineData().mimeType().startsWith("image/") && !model) {
                content.add(ContentPart.inputImage(dataUrl(p.inlineData())));
            } else {
                throw new IllegalArgumentException("OpenAI Realtime items take text (and user images); cannot send "
                        + (p.inlineData() != null ? p.inlineData().mimeType() : "this part"));
            }
        }
        return RealtimeCodec.encode(new ClientEvent.ConversationItemCreate(null, null,
                new Item.Message(null, null, model ? "assistant" : "user", content)));
    }

    static String imageItem(Blob image) {
        return RealtimeCodec.encode(new ClientEvent.ConversationItemCreate(null, null,
                new Item.Message(null, null, "user", List.of(ContentPart.inputImage(dataUrl(image))))));
    }

    static String dataUrl(Blob b) {
        return "data:" + b.mimeType() + ";base64," + B64.encodeToString(b.data() == null ? new byte[0] : b.data());
    }

    /** {@code input_audio_buffer.append}; PCM at another rate is resampled to the service's 24 kHz. */
    static String append(Blob audio) {
        String mime = audio.mimeType() == null ? "" : audio.mimeType().toLowerCase(Locale.ROOT);
        if (!mime.startsWith("audio/pcm") && !mime.startsWith("audio/l16")) {
            throw new IllegalArgumentException("OpenAI Realtime takes PCM16 audio, not " + audio.mimeType());
        }
        int rate = Blob.sampleRate(mime, 16_000);
        byte[] pcm = audio.data() == null ? new byte[0] : audio.data();
        if (rate != OpenAiProvider.RATE) {
            pcm = Pcm.resample(pcm, rate, OpenAiProvider.RATE);
        }
        return RealtimeCodec.encode(new ClientEvent.InputAudioBufferAppend(pcm));
    }

    /**
     * The call's {@code arguments} JSON string parsed; an empty string is an empty object. Text that is not JSON is
     * passed on as a string node, so the tool runner answers the model with its own argument error.
     */
    static JsonNode arguments(String json) {
        if (json.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }

    static UsageMetadata usage(Usage u) {
        if (u == null) {
            return null;
        }
        int cached = u.inputTokenDetails() == null ? 0 : u.inputTokenDetails().path("cached_tokens").asInt();
        return new UsageMetadata((int) u.inputTokens(), cached, (int) u.outputTokens(), 0, 0, (int) u.totalTokens(),
                null, null, null, null);
    }

}
