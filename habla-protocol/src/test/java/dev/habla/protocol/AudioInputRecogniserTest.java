package dev.habla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LiveCodec#recogniseAudioInput}: the exact shapes of plain audio input are recognised and decode to what the
 * strict decoder builds; every near-miss is left to the strict decoder (null), which then gives its usual answer.
 */
class AudioInputRecogniserTest {
    private static final String B64 = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, -8, 9, 10});

    private static ClientMessage.Raw recognise(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        // At an offset inside a larger buffer, as a socket's reassembly buffer hands it over.
        byte[] padded = new byte[b.length + 7];
        System.arraycopy(b, 0, padded, 3, b.length);
        padded[b.length + 3] = '}';
        return LiveCodec.recogniseAudioInput(padded, 3, b.length);
    }

    private static void assertSameAsStrict(String json) {
        ClientMessage.Raw raw = recognise(json);
        assertThat(raw).as("recognised: %s", json).isNotNull();
        ClientMessage strict = LiveCodec.decodeClient(json, Strictness.STRICT).message();
        assertThat(raw.message()).isEqualTo(strict);
        assertThat(raw.plain()).isSameAs(raw.message());
        assertThat(raw.wireKey()).isEqualTo("realtimeInput");
        assertThat(raw.json()).isEqualTo(json);
        assertThat(LiveCodec.encode(raw)).as("written as received").isEqualTo(json);
    }

    @Test
    void canonicalAudioAsTheLibraryEncodesIt() {
        Random random = new Random(7);
        for (int len : new int[] {2, 3, 4, 5, 100, 3200, 4801}) {
            byte[] pcm = new byte[len];
            random.nextBytes(pcm);
            String json = LiveCodec.encode(ClientMessage.RealtimeInput.ofAudio(pcm, 16_000));
            assertSameAsStrict(json);
            assertThat(recognise(json).message().audio().data()).isEqualTo(pcm);
        }
    }

    @Test
    void eitherKeyOrderWhitespaceAndTheDeprecatedMediaChunks() {
        assertSameAsStrict("{\"realtimeInput\":{\"audio\":{\"data\":\"" + B64 + "\",\"mimeType\":\"audio/pcm;rate=16000\"}}}");
        assertSameAsStrict(" {\n\t\"realtimeInput\" : { \"audio\" :\r\n{ \"mimeType\" : \"audio/pcm\" , \"data\" : \"" + B64 + "\" } } }\n");
        assertSameAsStrict("{\"realtimeInput\":{\"mediaChunks\":[{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\"" + B64 + "\"}]}}");
        assertSameAsStrict("{\"realtimeInput\":{\"mediaChunks\": [ {\"data\":\"" + B64 + "\",\"mimeType\":\"audio/pcm;rate=24000\"} ] }}");
        assertSameAsStrict("{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAE=\"}}}");
        assertSameAsStrict("{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AA==\"}}}");
        assertSameAsStrict("{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"}}}");
    }

    /** Each of these is not the plain shape: the strict decoder must see it (and decides whether it is an error). */
    @ParameterizedTest
    @ValueSource(strings = {
            // other members, other keys, extra fields
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"},\"audioStreamEnd\":true}}",
            "{\"realtimeInput\":{\"audioStreamEnd\":true,\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\",\"extra\":1}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"}},\"setup\":{}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"}}}{}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"data\":\"AAEC\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"mimeType\":\"audio/pcm\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"data\":\"AAEC\",\"data\":\"AAEC\"}}}",
            "{\"realtimeInput\":{\"audio\":null}}",
            "{\"realtimeInput\":{\"video\":{\"mimeType\":\"image/jpeg\",\"data\":\"AAEC\"}}}",
            "{\"realtimeInput\":{\"mediaChunks\":[{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"},{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"}]}}",
            "{\"realtimeInput\":{\"mediaChunks\":[]}}",
            // names in another spelling
            "{\"realtime_input\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mime_type\":\"audio/pcm\",\"data\":\"AAEC\"}}}",
            "{\"realtimeInput\":{\"media_chunks\":[{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"}]}}",
            // escapes and non-ASCII
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio\\/pcm\",\"data\":\"AAEC\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"\\u0041AEC\"}}}",
            "{\"realtime\\u0049nput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm;x=é\",\"data\":\"AAEC\"}}}",
            // other mime types and value types
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"image/jpeg\",\"data\":\"AAEC\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/wav\",\"data\":\"AAEC\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":5,\"data\":\"AAEC\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":5}}}",
            // base64 that is not canonical standard base64
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAE\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AA-_\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"A===\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AA=A\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AB==\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAF=\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AA EC\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AA!C\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAA\\\"\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"A\\\"AAAAA\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AA\\\\AAAA\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAé=\"}}}",
            "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAAA=AAA\"}}}",
            // not even JSON
            "", " ", "{", "realtimeInput", "\uFEFF{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"}}}",
    })
    void nearMissesGoToTheStrictDecoder(String json) {
        assertThat(recognise(json)).as("not recognised: %s", json).isNull();
        // The strict path still answers it (decoded or refused with a ProtocolException), as before the fast path.
        Throwable t = catchThrowable(() -> LiveCodec.decodeClient(json, Strictness.STRICT));
        assertThat(t == null || t instanceof ProtocolException).as("strict outcome of %s: %s", json, t).isTrue();
    }

    @Test
    void everyTruncationOfAnAcceptedMessageIsRefused() {
        String json = "{\"realtimeInput\":{\"mediaChunks\":[{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\"" + B64 + "\"}]}}";
        byte[] b = json.getBytes(StandardCharsets.US_ASCII);
        for (int n = 0; n < b.length; n++) {
            assertThat(LiveCodec.recogniseAudioInput(b, 0, n)).as("first %d bytes", n).isNull();
        }
        assertThat(LiveCodec.recogniseAudioInput(b, 0, b.length)).isNotNull();
        assertThat(LiveCodec.recogniseAudioInput(b, 0, b.length).message().mediaChunks())
                .containsExactly(new Blob("audio/pcm;rate=16000", Base64.getDecoder().decode(B64)));
    }

    @Test
    void theRawMessageReadsAsItsDecodedMessage() {
        ClientMessage.Raw raw = recognise("{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\"AAEC\"}}}");
        ClientMessage m = raw;
        assertThat(m.plain()).isInstanceOf(ClientMessage.RealtimeInput.class);
        assertThat(raw.toString()).contains("Raw[").contains("chars");
        assertThat(List.of(ClientMessage.class.getPermittedSubclasses())).contains(ClientMessage.Raw.class);
    }
}
