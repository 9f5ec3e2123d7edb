package dev.habla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Strictness;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server joins client messages from their frames itself (not with Jetty's text assembly): fragments, a ping
 * between fragments, UTF-8 split across fragments, malformed UTF-8 and a fragmented message over the size limit, on a
 * raw socket so that each frame is exactly what the test writes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameAssemblyTest {
    static final int TEXT = 1;
    static final int BINARY = 2;
    static final int CONTINUATION = 0;
    static final int CLOSE = 8;
    static final int PING = 9;
    static final int PONG = 10;

    /** Every realtime text back as a model turn. */
    static final class Echo extends SetupFirstHandler {
        Echo(LiveConnection connection) {
            super(connection);
        }

        @Override
        protected void onSetup(ClientMessage.Setup setup) {
            connection.send(new ServerMessage.SetupComplete(null));
        }

        @Override
        protected void onInput(ClientMessage message) {
            if (message instanceof ClientMessage.RealtimeInput r && r.text() != null) {
                connection.send(ServerMessage.ServerContent.modelTurn(Content.text("model", r.text())));
            }
        }
    }

    record Received(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    /** A client on a plain socket: writes frames exactly as given (masked), reads the server's frames one by one. */
    static final class RawClient implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final DataInputStream in;

        RawClient(String wsUrl) throws IOException {
            URI u = URI.create(wsUrl);
            socket = new Socket(u.getHost(), u.getPort());
            socket.setSoTimeout(20_000); // a bound on every read: a missing answer fails the test instead of hanging it
            out = socket.getOutputStream();
            out.write(("GET " + u.getRawPath() + "?key=k HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            in = new DataInputStream(socket.getInputStream());
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101");
        }

        void frame(boolean fin, int opcode, byte[] payload) throws IOException {
            byte[] mask = {0x12, 0x34, 0x56, 0x78};
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write((fin ? 0x80 : 0) | opcode);
            if (payload.length < 126) {
                f.write(0x80 | payload.length);
            } else {
                f.write(0x80 | 126);
                f.write(payload.length >>> 8);
                f.write(payload.length & 0xff);
            }
            f.write(mask);
            for (int i = 0; i < payload.length; i++) {
                f.write(payload[i] ^ mask[i & 3]);
            }
            out.write(f.toByteArray());
            out.flush();
        }

        Received read() throws IOException {
            int b0 = in.readUnsignedByte();
            int len = in.readUnsignedByte() & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = Math.toIntExact(in.readLong());
            }
            byte[] p = new byte[len];
            in.readFully(p);
            return new Received(b0 & 0x0f, p);
        }

        void setup() throws IOException {
            frame(true, TEXT, "{\"setup\":{\"model\":\"models/echo\"}}".getBytes(StandardCharsets.UTF_8));
            assertThat(read().text()).contains("setupComplete");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    LiveServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String start(int maxMessageBytes) {
        server = LiveServer.create(b -> b.handlers(Echo::new).maxMessageBytes(maxMessageBytes));
        return server.wsUrl(new LiveEndpoint("v1beta", LiveEndpoint.Kind.API_KEY));
    }

    private static String echoed(Received r) {
        assertThat(r.opcode()).isEqualTo(BINARY);
        var sc = (ServerMessage.ServerContent) LiveCodec.decodeServer(r.payload(), Strictness.STRICT).message();
        return sc.modelTurn().parts().getFirst().text();
    }

    @Test
    void aMessageInFragmentsWithAPingBetweenIsJoinedAndThePingAnswered() throws Exception {
        try (RawClient c = new RawClient(start(1 << 20))) {
            c.setup();
            String text = "hola ".repeat(40);
            byte[] json = LiveCodec.encode(ClientMessage.RealtimeInput.ofText(text)).getBytes(StandardCharsets.UTF_8);
            int third = json.length / 3;
            c.frame(false, TEXT, Arrays.copyOfRange(json, 0, third));
            c.frame(true, PING, "are you there".getBytes(StandardCharsets.US_ASCII)); // control frames may interleave
            c.frame(false, CONTINUATION, Arrays.copyOfRange(json, third, 2 * third));
            c.frame(true, CONTINUATION, Arrays.copyOfRange(json, 2 * third, json.length));
            Received pong = c.read();
            assertThat(pong.opcode()).isEqualTo(PONG);
            assertThat(pong.text()).isEqualTo("are you there");
            assertThat(echoed(c.read())).isEqualTo(text);
        }
    }

    @Test
    void utf8SplitInsideACharacterAcrossFragmentsIsDecodedWhole() throws Exception {
        try (RawClient c = new RawClient(start(1 << 20))) {
            c.setup();
            String text = "¿Qué tal, señor? 😀 ñ";
            byte[] json = LiveCodec.encode(ClientMessage.RealtimeInput.ofText(text)).getBytes(StandardCharsets.UTF_8);
            int cut = byteIndexInside(json); // after the first 2 of the 4 bytes of 😀
            c.frame(false, TEXT, Arrays.copyOfRange(json, 0, cut));
            c.frame(true, CONTINUATION, Arrays.copyOfRange(json, cut, json.length));
            assertThat(echoed(c.read())).isEqualTo(text);
            // The same text in one frame, and as a binary frame, reads the same.
            c.frame(true, TEXT, json);
            assertThat(echoed(c.read())).isEqualTo(text);
            c.frame(true, BINARY, json);
            assertThat(echoed(c.read())).isEqualTo(text);
        }
    }

    /** The index of the second byte of the first 4-byte UTF-8 sequence in {@code b}. */
    private static int byteIndexInside(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if ((b[i] & 0xf8) == 0xf0) {
                return i + 2;
            }
        }
        throw new AssertionError("no 4-byte sequence");
    }

    @Test
    void malformedUtf8InATextFrameCloses1007() throws Exception {
        try (RawClient c = new RawClient(start(1 << 20))) {
            c.setup();
            byte[] json = "{\"realtimeInput\":{\"text\":\"xx\"}}".getBytes(StandardCharsets.US_ASCII);
            json[json.length - 5] = (byte) 0xc3; // a lead byte followed by an ASCII letter: not UTF-8
            c.frame(true, TEXT, json);
            Received r = c.read();
            assertThat(r.opcode()).isEqualTo(CLOSE);
            assertThat(r.closeCode()).isEqualTo(1007);
        }
    }

    @Test
    void aFragmentedMessageOverTheLimitCloses1009() throws Exception {
        try (RawClient c = new RawClient(start(4096))) {
            c.setup();
            byte[] part = "x".repeat(3000).getBytes(StandardCharsets.US_ASCII); // each frame under the limit
            c.frame(false, TEXT, "{\"realtimeInput\":{\"text\":\"".getBytes(StandardCharsets.US_ASCII));
            c.frame(false, CONTINUATION, part);
            c.frame(true, CONTINUATION, part);
            Received r = c.read();
            assertThat(r.opcode()).isEqualTo(CLOSE);
            assertThat(r.closeCode()).isEqualTo(1009);
        }
    }
}
