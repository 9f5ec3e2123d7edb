package dev.habla.protocol.internal;

/**
 * Base64 decoding that accepts what proto3 JSON parsers accept: the standard and the URL-safe alphabet (Python SDKs
 * send URL-safe), with or without padding. Decodes straight from the parser's char buffer, so no String is built
 * for large audio payloads.
 */
public final class Base64Codec {
    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        String std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < std.length(); i++) {
            VALUES[std.charAt(i)] = (byte) i;
        }
        VALUES['-'] = 62;
        VALUES['_'] = 63;
    }

    private Base64Codec() {}

    /** Thrown for a character outside both alphabets or a bad length; the message names the character in hex. */
    public static final class InvalidBase64 extends Exception {
        InvalidBase64(String message) {
            super(message, null, false, false);
        }
    }

    /** Decodes {@code len} chars of {@code buf} starting at {@code off}. */
    public static byte[] decode(char[] buf, int off, int len) throws InvalidBase64 {
        int end = off + len;
        // Padding is optional; strip it before sizing.
        while (end > off && buf[end - 1] == '=') {
            end--;
        }
        if (off + len - end > 2) {
            throw new InvalidBase64("Illegal base64 padding");
        }
        int n = end - off;
        if (n % 4 == 1) {
            throw new InvalidBase64("Illegal base64 length " + len);
        }
        byte[] out = new byte[n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1)];
        int o = 0;
        int i = off;
        int full = off + n / 4 * 4;
        while (i < full) {
            int b = value(buf[i]) << 18 | value(buf[i + 1]) << 12 | value(buf[i + 2]) << 6 | value(buf[i + 3]);
            out[o++] = (byte) (b >> 16);
            out[o++] = (byte) (b >> 8);
            out[o++] = (byte) b;
            i += 4;
        }
        int rest = end - i;
        if (rest == 2) {
            int b = value(buf[i]) << 18 | value(buf[i + 1]) << 12;
            out[o] = (byte) (b >> 16);
        } else if (rest == 3) {
            int b = value(buf[i]) << 18 | value(buf[i + 1]) << 12 | value(buf[i + 2]) << 6;
            out[o++] = (byte) (b >> 16);
            out[o] = (byte) (b >> 8);
        }
        return out;
    }

    private static int value(char c) throws InvalidBase64 {
        int v = c < 128 ? VALUES[c] : -1;
        if (v < 0) {
            throw new InvalidBase64("Illegal base64 character " + Integer.toHexString(c));
        }
        return v;
    }
}
