package dev.habla.protocol.internal;

import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Unsynchronised growable outputs for one encode call (StringWriter is a synchronised StringBuffer, and Jackson's
 * ByteArrayBuilder copies its segments twice). Generators flush into them in a few large writes, with the base64 of
 * inline media as one write. Confined to the encoding thread.
 */
final class Sinks {
    private Sinks() {}

    private static int grow(int capacity, int needed) {
        if (needed < 0) throw new OutOfMemoryError("encoded frame too large");
        // Room for the few bytes that usually follow a large payload (closing braces), without doubling.
        return Math.max(capacity << 1, needed + (needed >> 3) + 64);
    }

    /**
     * Bytes output. A large payload (base64 of media) is adopted as its own segment instead of being copied in, so it
     * is copied once, into the result.
     */
    static final class Bytes extends OutputStream {
        private byte[] buf;
        private int count;
        // Sealed segments before buf: parts[i][0, lens[i]).
        private byte[][] parts;
        private int[] lens;
        private int nparts;
        private int sealed; // total length of the sealed segments

        Bytes(int capacity) {
            buf = new byte[capacity];
        }

        @Override
        public void write(int b) {
            if (count == buf.length) buf = Arrays.copyOf(buf, grow(buf.length, count + 1));
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len > buf.length - count) buf = Arrays.copyOf(buf, grow(buf.length, count + len));
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        /** Appends all of {@code b}, which the caller hands over and never touches again. */
        void adopt(byte[] b) {
            if (parts == null) {
                parts = new byte[4][];
                lens = new int[4];
            } else if (nparts + 2 > parts.length) {
                parts = Arrays.copyOf(parts, parts.length * 2);
                lens = Arrays.copyOf(lens, lens.length * 2);
            }
            parts[nparts] = buf;
            lens[nparts++] = count;
            parts[nparts] = b;
            lens[nparts++] = b.length;
            sealed += count + b.length;
            if (sealed < 0) throw new OutOfMemoryError("encoded frame too large");
            buf = new byte[64];
            count = 0;
        }

        byte[] toByteArray() {
            if (nparts == 0) return Arrays.copyOf(buf, count);
            byte[] out = new byte[Math.addExact(sealed, count)];
            int o = 0;
            for (int i = 0; i < nparts; i++) {
                System.arraycopy(parts[i], 0, out, o, lens[i]);
                o += lens[i];
            }
            System.arraycopy(buf, 0, out, o, count);
            return out;
        }
    }

    /**
     * Text output kept as Latin-1 bytes while every char fits (JSON of a client message almost always does: the
     * base64 of media is ASCII), so the payload is copied as bytes and the final String needs no compression pass.
     * Switches to chars, once, at the first char above 0xFF.
     */
    static final class Chars extends Writer {
        private byte[] latin1;
        private char[] utf16; // non-null once a char above 0xFF was written
        private int count;

        Chars(int capacity) {
            latin1 = new byte[capacity];
        }

        private void ensure(int len) {
            if (utf16 == null) {
                if (len > latin1.length - count) latin1 = Arrays.copyOf(latin1, grow(latin1.length, count + len));
            } else if (len > utf16.length - count) {
                utf16 = Arrays.copyOf(utf16, grow(utf16.length, count + len));
            }
        }

        private void toUtf16(int extra) {
            char[] c = new char[grow(latin1.length, count + extra)];
            new String(latin1, 0, count, StandardCharsets.ISO_8859_1).getChars(0, count, c, 0);
            utf16 = c;
            latin1 = null;
        }

        @Override
        public void write(int c) {
            write(new char[] {(char) c}, 0, 1);
        }

        @Override
        public void write(char[] c, int off, int len) {
            ensure(len);
            if (utf16 == null) {
                byte[] b = latin1;
                int n = count;
                for (int i = 0; i < len; i++) {
                    char ch = c[off + i];
                    if (ch > 0xFF) {
                        count = n + i;
                        toUtf16(len - i);
                        write(c, off + i, len - i);
                        return;
                    }
                    b[n + i] = (byte) ch;
                }
                count = n + len;
            } else {
                System.arraycopy(c, off, utf16, count, len);
                count += len;
            }
        }

        @Override
        public void write(String s, int off, int len) {
            char[] c = new char[len];
            s.getChars(off, off + len, c, 0);
            write(c, 0, len);
        }

        /** Appends ASCII bytes (base64 text). */
        void writeAscii(byte[] ascii) {
            int len = ascii.length;
            ensure(len);
            if (utf16 == null) {
                System.arraycopy(ascii, 0, latin1, count, len);
            } else {
                new String(ascii, StandardCharsets.ISO_8859_1).getChars(0, len, utf16, count);
            }
            count += len;
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}

        @Override
        public String toString() {
            return utf16 == null ? new String(latin1, 0, count, StandardCharsets.ISO_8859_1) : new String(utf16, 0, count);
        }
    }
}
