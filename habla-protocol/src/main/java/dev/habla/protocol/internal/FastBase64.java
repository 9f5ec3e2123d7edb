package dev.habla.protocol.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The hot path for inline media: {@link java.util.Base64}, whose block loops HotSpot compiles to SIMD code, plus a
 * word-at-a-time search for the closing quote of a JSON string. Audio chunks are base64 text of several KB, ten or
 * more per second each way, and Jackson's scalar base64 loops were most of the codec's time.
 *
 * <p>Decoding here is only ever a first attempt: it returns null for anything the JDK decoders do not take, and the
 * caller then goes the general way ({@link Base64Codec}, which accepts mixed alphabets and odd padding and writes the
 * error messages). Whatever the JDK's basic or URL-safe decoder accepts, {@link Base64Codec} accepts too and decodes
 * to the same bytes, so trying the fast path first never changes a result. Stateless; any thread.
 */
final class FastBase64 {
    /** Below this many characters the general path is as fast and a failed attempt would cost more. */
    static final int MIN_FAST_CHARS = 64;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long BELOW_PLUS = 0x2B2B2B2B2B2B2B2BL;
    private static final long HIGHS = 0x8080808080808080L;

    private FastBase64() {}

    /**
     * Index of the first {@code '"'} in {@code a[from, to)} if no other byte below {@code '+'} comes before it, else
     * -1. Every base64 character, in both alphabets, is {@code '+'} (0x2B) or above, and so is the backslash, so the
     * search only has to find the first byte below 0x2B: sixteen bytes per step with two word-at-a-time tests.
     */
    static int indexOfQuote(byte[] a, int from, int to) {
        int i = from;
        for (; i + 16 <= to; i += 16) {
            long w0 = (long) LONGS.get(a, i);
            long w1 = (long) LONGS.get(a, i + 8);
            // "Has a byte below n" (n <= 0x80): the lowest flagged byte of a word is always a real one.
            long z0 = (w0 - BELOW_PLUS) & ~w0 & HIGHS;
            long z1 = (w1 - BELOW_PLUS) & ~w1 & HIGHS;
            if ((z0 | z1) != 0) {
                int j = z0 != 0 ? i + (Long.numberOfTrailingZeros(z0) >>> 3) : i + 8 + (Long.numberOfTrailingZeros(z1) >>> 3);
                return a[j] == '"' ? j : -1;
            }
        }
        for (; i < to; i++) {
            int c = a[i] & 0xFF;
            if (c < '+') return c == '"' ? i : -1;
        }
        return -1;
    }

    /**
     * {@code chars[from, to)} as ISO-8859-1 bytes, or null if a char is above 0xFF (narrowing it could turn it into a
     * valid base64 character; chars 0x80-0xFF stay invalid for the decoder). The JDK's ISO-8859-1 encoder compiles
     * to a vectorised loop, one pass instead of building a String and copying it out again.
     */
    static byte[] narrowLatin1(char[] chars, int from, int to) {
        byte[] out = new byte[to - from];
        CoderResult r = StandardCharsets.ISO_8859_1.newEncoder()
                .encode(CharBuffer.wrap(chars, from, to - from), ByteBuffer.wrap(out), true);
        return r.isUnderflow() ? out : null;
    }

    /** Decodes {@code src[from, to)} with the JDK's standard, then URL-safe, decoder; null if neither accepts it. */
    static byte[] decode(byte[] src, int from, int to) {
        byte[] out = tryDecode(Base64.getDecoder(), src, from, to);
        return out != null ? out : tryDecode(Base64.getUrlDecoder(), src, from, to);
    }

    private static byte[] tryDecode(Base64.Decoder decoder, byte[] src, int from, int to) {
        try {
            ByteBuffer bb = decoder.decode(ByteBuffer.wrap(src, from, to - from));
            byte[] a = bb.array();
            return bb.position() == 0 && bb.limit() == a.length ? a : Arrays.copyOfRange(a, bb.position(), bb.limit());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Standard padded base64 of {@code data} as ASCII bytes: exactly what Jackson's MIME_NO_LINEFEEDS variant writes. */
    static byte[] encode(byte[] data) {
        return Base64.getEncoder().encode(data);
    }
}
