package dev.habla.realtime.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.habla.realtime.ClientEvent.InputAudioBufferAppend;
import dev.habla.realtime.RealtimeProtocolException;
import dev.habla.realtime.ServerEvent.ResponseOutputAudioDelta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The hot path: the two audio events, {@code input_audio_buffer.append} (client, 10+ per second) and {@code
 * response.output_audio.delta} (server), are mostly one long base64 string.
 *
 * <p>Encoding writes the frame as Latin-1 bytes around the JDK's (vectorised) base64 encoder, no JSON generator.
 * Decoding parses the small fields with Jackson's streaming parser, which skips the long string without copying it
 * unless asked, and hands the base64 span straight to the JDK decoder. Both are first attempts only: they take the
 * frame shapes every known sender writes ({@code type} first, plain ASCII ids) and return null for anything else, and
 * the caller then goes the general (tree) way, which decides and reports errors. So a fast path never changes a
 * result. Stateless; any thread.
 */
final class AudioFrames {
    private static final String APPEND_PREFIX = "{\"type\":\"input_audio_buffer.append\"";
    private static final String DELTA_PREFIX = "{\"type\":\"response.output_audio.delta\"";

    private AudioFrames() {}

    /** Base64 (standard, or URL-safe) to bytes, or the service's {@code invalid_value} error naming {@code param}. */
    static byte[] base64(String s, String param) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(s);
            } catch (IllegalArgumentException e2) {
                throw new RealtimeProtocolException("invalid_value", param, "Invalid '" + param
                        + "'. Expected base64-encoded audio bytes (mono PCM16 at 24kHz) but got an invalid value.");
            }
        }
    }

    static String encodeAppend(InputAudioBufferAppend a) {
        if (a.eventId() != null && !plain(a.eventId())) {
            return general(a);
        }
        String head = a.eventId() == null
                ? APPEND_PREFIX + ",\"audio\":\""
                : APPEND_PREFIX + ",\"event_id\":\"" + a.eventId() + "\",\"audio\":\"";
        return frame(head, a.audio());
    }

    private static String general(InputAudioBufferAppend a) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", InputAudioBufferAppend.TYPE);
            g.writeStringField("event_id", a.eventId());
            g.writeStringField("audio", Base64.getEncoder().encodeToString(a.audio()));
            g.writeEndObject();
        });
    }

    static String encodeDelta(ResponseOutputAudioDelta d) {
        if (!plain(d.eventId()) || !plain(d.responseId()) || !plain(d.itemId())) {
            return Json.write(g -> {
                g.writeStartObject();
                g.writeStringField("type", ResponseOutputAudioDelta.TYPE);
                ShapeWriter.str(g, "event_id", d.eventId());
                ServerCodec.position(g, d.responseId(), d.itemId(), d.outputIndex(), d.contentIndex());
                g.writeStringField("delta", Base64.getEncoder().encodeToString(d.delta()));
                g.writeEndObject();
            });
        }
        String head = DELTA_PREFIX + ",\"event_id\":\"" + d.eventId() + "\",\"response_id\":\"" + d.responseId()
                + "\",\"item_id\":\"" + d.itemId() + "\",\"output_index\":" + d.outputIndex() + ",\"content_index\":"
                + d.contentIndex() + ",\"delta\":\"";
        return frame(head, d.delta());
    }

    /** {@code head} + base64(data) + {@code "}}: one Latin-1 byte array, one String copy. */
    private static String frame(String head, byte[] data) {
        byte[] b64 = Base64.getEncoder().encode(data);
        byte[] out = new byte[head.length() + b64.length + 2];
        head.getBytes(0, head.length(), out, 0); // ASCII only (checked by plain()), so the low byte is the char
        System.arraycopy(b64, 0, out, head.length(), b64.length);
        out[out.length - 2] = '"';
        out[out.length - 1] = '}';
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** True for a non-null id that needs no JSON escaping and is ASCII (server ids are {@code event_} + alphanumerics). */
    private static boolean plain(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** Fast decode of an append frame, or null to take the general path. */
    static InputAudioBufferAppend decodeAppend(String text) {
        if (!text.startsWith(APPEND_PREFIX)) {
            return null;
        }
        Fields f = scan(text, "audio");
        return f == null ? null : new InputAudioBufferAppend(f.eventId, f.audio, false);
    }

    /** Fast decode of an audio delta frame, or null to take the general path. */
    static ResponseOutputAudioDelta decodeDelta(String text) {
        if (!text.startsWith(DELTA_PREFIX)) {
            return null;
        }
        Fields f = scan(text, "delta");
        return f == null ? null
                : new ResponseOutputAudioDelta(f.eventId, f.responseId, f.itemId, f.outputIndex, f.contentIndex, f.audio);
    }

    private static final class Fields {
        String eventId;
        String responseId;
        String itemId;
        int outputIndex;
        int contentIndex;
        byte[] audio;
    }

    /**
     * Streams the top-level fields; {@code audioField} is decoded from its span in {@code text} (the parser reports
     * where the string token starts; base64 has no quote or backslash, so the next quote ends it). Null on anything
     * unexpected: a field of the wrong type, a nested value we would have to interpret, bad base64, a missing audio.
     */
    private static Fields scan(String text, String audioField) {
        Fields f = new Fields();
        try (JsonParser p = Json.MAPPER.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals(audioField)) {
                    if (v != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    int open = (int) p.currentTokenLocation().getCharOffset();
                    int close = open < 0 || text.charAt(open) != '"' ? -1 : text.indexOf('"', open + 1);
                    if (close < 0) {
                        return null;
                    }
                    try {
                        f.audio = Base64.getDecoder().decode(text.substring(open + 1, close));
                    } catch (IllegalArgumentException e) {
                        return null;
                    }
                    continue;
                }
                switch (name) {
                    case "type" -> { }
                    case "event_id" -> f.eventId = stringOrNull(p, v);
                    case "response_id" -> f.responseId = stringOrNull(p, v);
                    case "item_id" -> f.itemId = stringOrNull(p, v);
                    case "output_index" -> f.outputIndex = intValue(p, v);
                    case "content_index" -> f.contentIndex = intValue(p, v);
                    default -> p.skipChildren();
                }
            }
            return t == JsonToken.END_OBJECT && p.nextToken() == null && f.audio != null ? f : null;
        } catch (IOException | NotFast e) {
            return null;
        }
    }

    private static String stringOrNull(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_STRING) {
            throw new NotFast();
        }
        return p.getText();
    }

    private static int intValue(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw new NotFast();
        }
        return p.getIntValue();
    }

    /** Control flow only: the frame is not of the fast shape. */
    private static final class NotFast extends RuntimeException {
        NotFast() {
            super(null, null, false, false);
        }
    }
}
