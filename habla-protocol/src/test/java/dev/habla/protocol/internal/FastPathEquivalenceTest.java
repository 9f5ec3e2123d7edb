package dev.habla.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ClientMessage.ClientContent;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import dev.habla.protocol.Content;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.Part;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage.ServerContent;
import dev.habla.protocol.Strictness;
import dev.habla.protocol.UsageMetadata;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The codec's fast paths (JDK base64, raw payload writes, lazy-string decoding, own sinks) give exactly what the plain
 * Jackson paths give: same text out, same values or the same error in.
 */
@Timeout(60)
class FastPathEquivalenceTest {
    private static final Random RANDOM = new Random(42);

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    @Test
    void jdkBase64IsJacksonsMimeNoLinefeeds() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (int n = 0; n <= 300; n++) sizes.add(n);
        sizes.addAll(List.of(3_200, 4_800, 65_537));
        for (int n : sizes) {
            byte[] b = bytes(n);
            StringWriter w = new StringWriter();
            try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
                g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, b, 0, b.length);
            }
            assertThat(w.toString()).as("n=%d", n).isEqualTo("\"" + new String(FastBase64.encode(b), StandardCharsets.US_ASCII) + "\"");
        }
    }

    @Test
    void encodingMatchesPlainJackson() {
        List<ClientMessage> clients = new ArrayList<>();
        for (int n : new int[] {0, 1, 47, 48, 49, 64, 3_200, 100_000}) {
            clients.add(RealtimeInput.ofAudio(bytes(n), 16_000));
        }
        clients.add(new RealtimeInput(List.of(new Blob("a", bytes(100)), new Blob("b", bytes(10)), new Blob("c", bytes(5_000))),
                null, null, null, null, null, null));
        // Text around and between payloads, including chars that force the text sink out of Latin-1.
        clients.add(new ClientContent(List.of(new Content(List.of(
                Part.ofText("héllo"), Part.ofInlineData("image/png", bytes(4_000)), Part.ofText("Łódź 😀 \u0000 \" \\"),
                Part.ofInlineData("audio/pcm", bytes(300)), Part.ofText("x\uD800y")), "user")), true));
        clients.add(new ClientContent(List.of(new Content(List.of(
                Part.ofInlineData("image/png", bytes(4_000)), Part.ofText("ünïcödé after the payload 中文")), "user")), false));
        for (ClientMessage m : clients) {
            assertThat(LiveCodec.encode(m)).isEqualTo(ReferenceCodec.encodeClient(m));
        }

        List<ServerFrame> servers = new ArrayList<>();
        for (int n : new int[] {0, 5, 48, 4_800, 200_000}) {
            servers.add(ServerFrame.of(ServerContent.modelTurn(new Content(List.of(Part.ofInlineData("audio/pcm;rate=24000", bytes(n))), null))));
        }
        servers.add(ServerFrame.of(ServerContent.modelTurn(new Content(List.of(
                Part.ofText("a 😀"), Part.ofInlineData("audio/pcm", bytes(4_800)), Part.ofInlineData("audio/pcm", bytes(4_800)),
                Part.ofText("Ł")), "model")), UsageMetadata.of(10, 20)));
        servers.add(new ServerFrame(null, UsageMetadata.of(1, 2), List.of()));
        for (ServerFrame f : servers) {
            assertThat(LiveCodec.encode(f)).isEqualTo(ReferenceCodec.encodeServer(f));
        }
    }

    @Test
    void decodingMatchesPlainJackson() {
        String b64 = Base64.getEncoder().encodeToString(bytes(3_000));
        String url = Base64.getUrlEncoder().encodeToString(bytes(3_000));
        String unpadded = Base64.getEncoder().withoutPadding().encodeToString(bytes(3_001));
        String mixed = b64.substring(0, 100) + url.substring(100);
        List<String> payloads = new ArrayList<>(List.of(b64, url, unpadded, mixed, "",
                b64.substring(0, 200) + "A=",                 // bad padding Jackson-side accepted by Base64Codec
                b64.substring(0, 200) + "AAAA=",              // one pad too many
                b64.substring(0, 200) + "A",                  // impossible length
                b64.substring(0, 100) + "\\u0041" + b64.substring(106), // an escape inside
                b64.substring(0, 100) + "\\/" + b64.substring(102),
                b64.substring(0, 100) + "\\\"" + b64.substring(102),
                b64.substring(0, 100) + " " + b64.substring(101), // whitespace
                b64.substring(0, 100) + "\r\n" + b64.substring(102),
                b64.substring(0, 100) + "é" + b64.substring(101),
                b64.substring(0, 100) + "Ł" + b64.substring(101),
                b64.substring(0, 100) + "!" + b64.substring(101),
                b64.substring(0, 100) + "=" + b64.substring(101),
                b64.substring(0, 100) + "\u007f" + b64.substring(101),
                b64.substring(0, 100) + "\u0001" + b64.substring(101)));
        List<String> frames = new ArrayList<>();
        for (String p : payloads) {
            frames.add("{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"" + p + "\"}}}");
            frames.add("{\"realtime_input\":{\"media_chunks\":[{\"data\":\"" + p + "\"},{\"data\":\"" + p + "\",\"mimeType\":\"x\"}]}}");
            frames.add("{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inlineData\":{\"data\":\"" + p + "\"}}]}},\"usageMetadata\":{}}");
        }
        // Unterminated payloads, truncated frames, a payload that is not a string.
        frames.add("{\"realtimeInput\":{\"audio\":{\"data\":\"" + b64);
        frames.add("{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inlineData\":{\"data\":\"" + b64 + "\"");
        frames.add("{\"realtimeInput\":{\"audio\":{\"data\":" + "1".repeat(100) + "}}}");
        frames.add("\uFEFF{\"realtimeInput\":{\"audio\":{\"data\":\"" + b64 + "\"}}}");
        for (String frame : frames) {
            byte[] utf8 = frame.getBytes(StandardCharsets.UTF_8);
            for (Strictness s : Strictness.values()) {
                assertSame(() -> ReferenceCodec.decodeClient(frame, s), () -> LiveCodec.decodeClient(frame, s));
                assertSame(() -> ReferenceCodec.decodeClient(utf8, s), () -> LiveCodec.decodeClient(utf8, s));
                assertSame(() -> ReferenceCodec.decodeServer(frame, s), () -> LiveCodec.decodeServer(frame, s));
                assertSame(() -> ReferenceCodec.decodeServer(utf8, s), () -> LiveCodec.decodeServer(utf8, s));
            }
        }
    }

    /** Same value, or the same ProtocolException (message and path). */
    static void assertSame(Supplier<Object> reference, Supplier<Object> actual) {
        Object want;
        try {
            want = reference.get();
        } catch (ProtocolException e) {
            want = "ProtocolException " + e.path() + ": " + e.getMessage();
        }
        Object got;
        try {
            got = actual.get();
        } catch (ProtocolException e) {
            got = "ProtocolException " + e.path() + ": " + e.getMessage();
        }
        assertThat(got).isEqualTo(want);
    }
}
