package dev.habla.realtime.internal;

import dev.habla.realtime.ClientEvent.InputAudioBufferAppend;
import dev.habla.realtime.RealtimeProtocolException;
import dev.habla.realtime.ServerEvent.ResponseOutputAudioDelta;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The hot path: the two audio events, {@code input_audio_buffer.append} (client, 10+ per second) and {@code
 * response.output_audio.delta} (server), are mostly one long base64 string.
 *
 * <p>Encoding writes the frame as Latin-1 bytes around the JDK's (vectorised) base64 encoder, no JSON generator.
 * Decoding reads the flat frame straight from the text (no parser, no copy of the frame into a parser buffer) and
 * hands the base64 span to the JDK decoder. Both are first attempts only: they take the
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
        Fields f = scan(text, "audio", InputAudioBufferAppend.TYPE);
        return f == null ? null : new InputAudioBufferAppend(f.eventId, f.audio, false);
    }

    /** Fast decode of an audio delta frame, or null to take the general path. */
    static ResponseOutputAudioDelta decodeDelta(String text) {
        if (!text.startsWith(DELTA_PREFIX)) {
            return null;
        }
        Fields f = scan(text, "delta", ResponseOutputAudioDelta.TYPE);
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
     * Reads a flat JSON object straight from the text: string values without escapes, integers and nulls, in any
     * order, whitespace allowed. {@code audioField} is decoded from its span by the JDK's base64 decoder (base64 has no
     * quote or backslash, so the next quote ends it). No parser and no copy of the frame: the audio string is the only
     * thing copied. Null on anything else (nested values, escapes, decimals, booleans, a {@code type} that differs,
     * broken JSON, bad base64): the general path then decides, so results never differ.
     */
    private static Fields scan(String s, String audioField, String type) {
        Fields f = new Fields();
        int n = s.length();
        int i = ws(s, 0, n);
        if (i >= n || s.charAt(i) != '{') {
            return null;
        }
        i = ws(s, i + 1, n);
        while (true) {
            if (i >= n || s.charAt(i) != '"') {
                return null;
            }
            int keyStart = i + 1;
            int keyEnd = s.indexOf('"', keyStart);
            if (keyEnd < 0 || s.lastIndexOf('\\', keyEnd) >= keyStart || hasControl(s.substring(keyStart, keyEnd))) {
                return null;
            }
            i = ws(s, keyEnd + 1, n);
            if (i >= n || s.charAt(i) != ':') {
                return null;
            }
            i = ws(s, i + 1, n);
            if (i >= n) {
                return null;
            }
            char c = s.charAt(i);
            if (c == '"') {
                int end = s.indexOf('"', i + 1);
                if (end < 0) {
                    return null;
                }
                if (key(s, keyStart, keyEnd, audioField)) {
                    try {
                        f.audio = Base64.getDecoder().decode(s.substring(i + 1, end));
                    } catch (IllegalArgumentException e) {
                        return null; // an escape, the other alphabet or bad data: the general path says which
                    }
                } else {
                    if (s.lastIndexOf('\\', end) > i) {
                        return null;
                    }
                    String v = s.substring(i + 1, end);
                    if (hasControl(v)) {
                        return null; // raw control characters are not JSON: the general path's invalid_json
                    }
                    if (key(s, keyStart, keyEnd, "type")) {
                        if (!v.equals(type)) {
                            return null;
                        }
                    } else if (key(s, keyStart, keyEnd, "event_id")) {
                        f.eventId = v;
                    } else if (key(s, keyStart, keyEnd, "response_id")) {
                        f.responseId = v;
                    } else if (key(s, keyStart, keyEnd, "item_id")) {
                        f.itemId = v;
                    } else if (key(s, keyStart, keyEnd, "output_index") || key(s, keyStart, keyEnd, "content_index")) {
                        return null; // a string where an integer belongs: the general path's error
                    }
                }
                i = end + 1;
            } else if (c == '-' || c >= '0' && c <= '9') {
                int j = c == '-' ? i + 1 : i;
                long v = 0;
                int digits = 0;
                for (; j < n && s.charAt(j) >= '0' && s.charAt(j) <= '9' && digits < 10; j++, digits++) {
                    v = v * 10 + (s.charAt(j) - '0');
                }
                boolean leadingZero = digits > 1 && s.charAt(c == '-' ? i + 1 : i) == '0';
                if (digits == 0 || leadingZero || j < n && (s.charAt(j) == '.' || s.charAt(j) == 'e' || s.charAt(j) == 'E'
                        || s.charAt(j) >= '0' && s.charAt(j) <= '9')) {
                    return null;
                }
                v = c == '-' ? -v : v;
                if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE || stringKey(s, keyStart, keyEnd, audioField)) {
                    return null;
                }
                if (key(s, keyStart, keyEnd, "output_index")) {
                    f.outputIndex = (int) v;
                } else if (key(s, keyStart, keyEnd, "content_index")) {
                    f.contentIndex = (int) v;
                }
                i = j;
            } else if (s.startsWith("null", i)) {
                if (key(s, keyStart, keyEnd, "type") || key(s, keyStart, keyEnd, audioField)) {
                    return null;
                }
                if (key(s, keyStart, keyEnd, "event_id")) {
                    f.eventId = null;
                } else if (key(s, keyStart, keyEnd, "response_id")) {
                    f.responseId = null;
                } else if (key(s, keyStart, keyEnd, "item_id")) {
                    f.itemId = null;
                } else if (key(s, keyStart, keyEnd, "output_index")) {
                    f.outputIndex = 0;
                } else if (key(s, keyStart, keyEnd, "content_index")) {
                    f.contentIndex = 0;
                }
                i += 4;
            } else {
                return null;
            }
            i = ws(s, i, n);
            if (i < n && s.charAt(i) == ',') {
                i = ws(s, i + 1, n);
                continue;
            }
            if (i < n && s.charAt(i) == '}' && ws(s, i + 1, n) == n) {
                return f.audio != null ? f : null;
            }
            return null;
        }
    }

    private static boolean hasControl(String v) {
        for (int k = 0; k < v.length(); k++) {
            if (v.charAt(k) < 0x20) {
                return true;
            }
        }
        return false;
    }

    /** Keys whose value must be a string (a number there is the general path's type error). */
    private static boolean stringKey(String s, int from, int to, String audioField) {
        return key(s, from, to, "type") || key(s, from, to, audioField) || key(s, from, to, "event_id")
                || key(s, from, to, "response_id") || key(s, from, to, "item_id");
    }

    private static boolean key(String s, int from, int to, String name) {
        return to - from == name.length() && s.startsWith(name, from);
    }

    private static int ws(String s, int i, int n) {
        while (i < n) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                break;
            }
            i++;
        }
        return i;
    }
}
