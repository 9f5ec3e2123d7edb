package dev.habla.protocol.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Strict, cheap recognisers of the two messages a voice relay sees most. Client: a {@code realtimeInput} carrying only
 * one audio blob, {@code {"realtimeInput":{"audio":{"mimeType":"audio/pcm…","data":"<base64>"}}}} or the deprecated
 * {@code {"realtimeInput":{"mediaChunks":[{…one such blob…}]}}}. JSON whitespace and either order of {@code mimeType}
 * and {@code data} are allowed; nothing else is. Any other key or shape, snake_case names, an escape or a non-ASCII byte
 * in a string, a number, a duplicate key, base64 that is empty, unpadded, URL-safe or otherwise not canonical standard
 * base64, a mime type not starting with {@code audio/pcm}: no match, and the caller takes the full decoder, which keeps
 * every error and close code. A match decodes to exactly what the strict decoder would build for the same bytes.
 * Server: {@code {"serverContent":{"modelTurn":{"parts":[{"inlineData":{…one such blob…}}]}}}} (an optional string
 * {@code role} in {@code modelTurn}, either order), with nothing else: no second part, no {@code turnComplete},
 * {@code interrupted}, transcription or {@code usageMetadata}, which all take the full decoder.
 * Stateless and thread-safe; one pass over the bytes plus the JDK's base64 decoder.
 */
public final class AudioMatcher {
    private AudioMatcher() {}

    /** What a matched message carries. {@code mediaChunks}: the deprecated form (one blob in {@code mediaChunks}). */
    public record Match(boolean mediaChunks, String mimeType, byte[] data) {}

    private static final byte[] REALTIME_INPUT = ascii("realtimeInput");
    private static final byte[] AUDIO = ascii("audio");
    private static final byte[] MEDIA_CHUNKS = ascii("mediaChunks");
    private static final byte[] MIME_TYPE = ascii("mimeType");
    private static final byte[] DATA = ascii("data");
    private static final byte[] AUDIO_PCM = ascii("audio/pcm");
    /** Base64 value of each standard-alphabet byte, -1 for anything else ('=' included: handled apart). */
    private static final byte[] B64 = new byte[128];

    static {
        java.util.Arrays.fill(B64, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            B64[alphabet.charAt(i)] = (byte) i;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The client match for {@code b[off, off+len)}, or null (take the full decoder). */
    public static Match match(byte[] b, int off, int len) {
        return new Scan(b, off, off + len).message();
    }

    /** The server match (one audio part of a model turn) for {@code b[off, off+len)}, or null (take the full decoder). */
    public static Match matchServer(byte[] b, int off, int len) {
        return new Scan(b, off, off + len).serverContent();
    }

    private static final byte[] SERVER_CONTENT = ascii("serverContent");
    private static final byte[] MODEL_TURN = ascii("modelTurn");
    private static final byte[] PARTS = ascii("parts");
    private static final byte[] ROLE = ascii("role");
    private static final byte[] INLINE_DATA = ascii("inlineData");

    /** One scan; {@code p} moves forward only. Every method returns false/-1/null on anything unexpected. */
    private static final class Scan {
        private final byte[] b;
        private final int end;
        private int p;

        Scan(byte[] b, int from, int end) {
            this.b = b;
            this.p = from;
            this.end = end;
        }

        Match message() {
            if (!(ws() && eat('{') && ws() && key(REALTIME_INPUT) && ws() && eat('{') && ws())) {
                return null;
            }
            boolean chunks;
            if (key(AUDIO)) {
                chunks = false;
            } else if (key(MEDIA_CHUNKS)) {
                chunks = true;
                if (!(ws() && eat('['))) {
                    return null;
                }
            } else {
                return null;
            }
            if (!ws()) {
                return null;
            }
            Match m = blob(chunks);
            if (m == null) {
                return null;
            }
            if (chunks && !(ws() && eat(']'))) {
                return null;
            }
            return ws() && eat('}') && ws() && eat('}') && ws() && p == end ? m : null;
        }

        Match serverContent() {
            if (!(ws() && eat('{') && ws() && key(SERVER_CONTENT) && eat('{') && ws() && key(MODEL_TURN) && eat('{') && ws())) {
                return null;
            }
            Match m = null;
            boolean role = false;
            for (int i = 0; i < 2 && !(p < end && b[p] == '}'); i++) {
                if (i == 1 && !(eat(',') && ws())) {
                    return null;
                }
                if (m == null && key(PARTS)) {
                    if (!(eat('[') && ws() && eat('{') && ws() && key(INLINE_DATA))) {
                        return null;
                    }
                    m = blob(false);
                    if (m == null || !(ws() && eat('}') && ws() && eat(']'))) {
                        return null;
                    }
                } else if (!role && key(ROLE)) {
                    role = true;
                    if (string() < 0) {
                        return null;
                    }
                } else {
                    return null;
                }
                ws();
            }
            return m != null && eat('}') && ws() && eat('}') && ws() && eat('}') && ws() && p == end ? m : null;
        }

        /** {@code {"mimeType":"…","data":"…"}} in either order, each once. */
        private Match blob(boolean chunks) {
            if (!(eat('{') && ws())) {
                return null;
            }
            String mime = null;
            int dataFrom = -1;
            int dataTo = -1;
            for (int i = 0; i < 2; i++) {
                if (i == 1 && !(ws() && eat(',') && ws())) {
                    return null;
                }
                if (mime == null && key(MIME_TYPE)) {
                    int from = p;
                    int to = string();
                    if (to < 0 || !startsWith(from + 1, AUDIO_PCM)) {
                        return null;
                    }
                    mime = new String(b, from + 1, to - from - 2, StandardCharsets.US_ASCII);
                } else if (dataFrom < 0 && key(DATA)) {
                    if (!eat('"')) {
                        return null;
                    }
                    dataFrom = p;
                    dataTo = base64();
                    if (dataTo < 0 || !eat('"')) {
                        return null;
                    }
                } else {
                    return null;
                }
            }
            if (!(ws() && eat('}'))) {
                return null;
            }
            byte[] data;
            try {
                java.nio.ByteBuffer out = Base64.getDecoder().decode(java.nio.ByteBuffer.wrap(b, dataFrom, dataTo - dataFrom));
                data = out.remaining() == out.array().length ? out.array() : java.util.Arrays.copyOf(out.array(), out.remaining());
            } catch (IllegalArgumentException e) {
                return null; // a byte outside the standard alphabet, or misplaced padding: the full decoder names the error
            }
            return new Match(chunks, mime, data);
        }

        /** A JSON whitespace run (possibly empty); always true. */
        private boolean ws() {
            while (p < end) {
                byte c = b[p];
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    break;
                }
                p++;
            }
            return true;
        }

        private boolean eat(char c) {
            if (p < end && b[p] == c) {
                p++;
                return true;
            }
            return false;
        }

        /** {@code "name"} then whitespace and a colon; moves only on a match. */
        private boolean key(byte[] name) {
            int q = p;
            if (q + name.length + 2 > end || b[q] != '"' || !startsWith(q + 1, name) || b[q + 1 + name.length] != '"') {
                return false;
            }
            p = q + name.length + 2;
            ws();
            if (!eat(':')) {
                p = q; // not a key after all; the caller gives up anyway
                return false;
            }
            ws();
            return true;
        }

        private boolean startsWith(int at, byte[] s) {
            if (at + s.length > end) {
                return false;
            }
            for (int i = 0; i < s.length; i++) {
                if (b[at + i] != s[i]) {
                    return false;
                }
            }
            return true;
        }

        /** A string of printable ASCII without escapes, starting at p; returns the index after its closing quote. */
        private int string() {
            if (!eat('"')) {
                return -1;
            }
            while (p < end) {
                byte c = b[p++];
                if (c == '"') {
                    return p;
                }
                if (c == '\\' || c < 0x20 || c > 0x7e) {
                    return -1;
                }
            }
            return -1;
        }

        /**
         * Canonical standard base64 from p: non-empty, a multiple of 4, the unused bits before padding zero (so it
         * decodes back to the same text); returns the index of the closing quote. The closing quote is found sixteen
         * bytes a step ({@link FastBase64#indexOfQuote}: no byte below '+' before it, so no control character, space
         * or quote); the alphabet itself ('-', '_', a backslash, '=' inside, bytes above 0x7F) is checked by the JDK's
         * standard decoder in {@link #blob}, which refuses every byte outside it.
         */
        private int base64() {
            int from = p;
            int q = FastBase64.indexOfQuote(b, from, end);
            int n = q - from;
            if (q < 0 || n == 0 || (n & 3) != 0) {
                return -1;
            }
            int pad = b[q - 1] == '=' ? (b[q - 2] == '=' ? 2 : 1) : 0;
            int last = b[q - 1 - pad];
            if (last < 0 || B64[last] < 0 || pad == 1 && (B64[last] & 0x03) != 0 || pad == 2 && (B64[last] & 0x0f) != 0) {
                return -1;
            }
            p = q;
            return q;
        }
    }
}
