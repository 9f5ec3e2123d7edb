package dev.habla.gateway;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * The benchmark's own minimal RFC 6455 framing over blocking sockets, for the load generator and the echo upstream:
 * pre-built frames, no per-message JSON or base64 beyond the 24 characters that carry a message's sequence number and
 * send time, so that the baseline spends its CPU in the process under test, not in the harness. Client frames are
 * masked with the all-zero key (valid on the wire, and XOR with it is a no-op). Not a general WebSocket library:
 * no extensions, no UTF-8 validation.
 */
final class BenchWire {
    static final int TEXT = 1;
    static final int BINARY = 2;
    static final int CLOSE = 8;
    static final int PING = 9;
    static final int PONG = 10;
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private BenchWire() {}

    /** One whole message as read: opcode of its first frame, payload in {@code buf[0..length)}. */
    static final class Message {
        int opcode;
        byte[] buf = new byte[8192];
        int length;
    }

    /** Client side of the opening handshake; returns a buffered input stream positioned after the response headers. */
    static InputStream connect(Socket s, String host, int port, String pathAndQuery) throws IOException {
        String req = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
        InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
        }
        return in;
    }

    /** Server side of the opening handshake. */
    static InputStream accept(Socket s) throws IOException {
        InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
        String head = readHead(in);
        String key = head.lines().filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst()
                .orElseThrow(() -> new IOException("no Sec-WebSocket-Key"));
        String acceptKey;
        try {
            acceptKey = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + acceptKey + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return in;
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (b.length() < 4 || !b.substring(b.length() - 4).equals("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("closed during the handshake");
            }
            b.append((char) c);
        }
        return b.toString();
    }

    /**
     * Reads one whole message (joining continuation frames; answering nothing: pings are returned to the caller as
     * messages of their own). Returns false at end of stream.
     */
    static boolean read(InputStream in, Message m) throws IOException {
        m.length = 0;
        m.opcode = -1;
        while (true) {
            int b0 = in.read();
            if (b0 < 0) {
                return false;
            }
            int b1 = readByte(in);
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0f;
            long len = b1 & 0x7f;
            if (len == 126) {
                len = (readByte(in) << 8) | readByte(in);
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | readByte(in);
                }
            }
            byte[] mask = null;
            if ((b1 & 0x80) != 0) {
                mask = new byte[4];
                readFully(in, mask, 0, 4);
            }
            if (opcode >= 8 && m.length > 0) {
                // A control frame between the parts of a message: hand it over alone is not possible here; the
                // benchmark's peers never interleave, so treat it as an error rather than lose data silently.
                throw new IOException("control frame inside a fragmented message");
            }
            int start = m.length;
            int n = Math.toIntExact(len);
            if (start + n > m.buf.length) {
                m.buf = Arrays.copyOf(m.buf, Math.max(m.buf.length * 2, start + n));
            }
            readFully(in, m.buf, start, n);
            if (mask != null && (mask[0] | mask[1] | mask[2] | mask[3]) != 0) {
                for (int i = 0; i < n; i++) {
                    m.buf[start + i] ^= mask[i & 3];
                }
            }
            m.length = start + n;
            if (m.opcode < 0) {
                m.opcode = opcode;
            }
            if (fin) {
                return true;
            }
        }
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = in.read(b, off, len);
            if (n < 0) {
                throw new EOFException();
            }
            off += n;
            len -= n;
        }
    }

    /** Header plus payload as one array, so a frame is one write; {@code masked}: client frame, all-zero key. */
    static byte[] frame(int opcode, byte[] payload, boolean masked) {
        int n = payload.length;
        int head = 2 + (n < 126 ? 0 : n < 65536 ? 2 : 8) + (masked ? 4 : 0);
        byte[] f = new byte[head + n];
        f[0] = (byte) (0x80 | opcode);
        int maskBit = masked ? 0x80 : 0;
        int p;
        if (n < 126) {
            f[1] = (byte) (maskBit | n);
            p = 2;
        } else if (n < 65536) {
            f[1] = (byte) (maskBit | 126);
            f[2] = (byte) (n >>> 8);
            f[3] = (byte) n;
            p = 4;
        } else {
            f[1] = (byte) (maskBit | 127);
            for (int i = 0; i < 8; i++) {
                f[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
            p = 10;
        }
        p += masked ? 4 : 0; // the all-zero key
        System.arraycopy(payload, 0, f, p, n);
        return f;
    }

    static void write(OutputStream out, byte[] frame) throws IOException {
        out.write(frame);
        out.flush();
    }

    /** Index of {@code needle} in {@code hay[0..length)}, or -1. */
    static int indexOf(byte[] hay, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Index of byte {@code b} in {@code hay[from..length)}, or -1. */
    static int indexOf(byte[] hay, int from, int length, byte b) {
        for (int i = from; i < length; i++) {
            if (hay[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
