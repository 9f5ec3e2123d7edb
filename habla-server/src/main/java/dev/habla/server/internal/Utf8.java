package dev.habla.server.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 validation of text frames (RFC 6455 §8.1) without building a string: Live API JSON is almost always ASCII
 * (base64 media, field names), checked eight bytes at a time; anything else goes through a strict JDK decoder.
 * Stateless; any thread.
 */
final class Utf8 {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGHS = 0x8080808080808080L;

    private Utf8() {}

    /** Whether {@code b[0, n)} is well-formed UTF-8. */
    static boolean valid(byte[] b, int n) {
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            if (((long) LONGS.get(b, i) & HIGHS) != 0) {
                return strict(b, n);
            }
        }
        for (; i < n; i++) {
            if (b[i] < 0) {
                return strict(b, n);
            }
        }
        return true;
    }

    private static boolean strict(byte[] b, int n) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, 0, n));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
