package dev.habla.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LiveCodec#recogniseAudioOutput}: a model turn of exactly one audio part is recognised and its blob equals the
 * one the full decoder finds; anything more or different is left to the full decoder (null).
 */
class AudioOutputRecogniserTest {
    private static final String PART = "{\"inlineData\":{\"mimeType\":\"audio/pcm;rate=24000\",\"data\":\"AAECAwQF\"}}";

    private static Blob recognise(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[b.length + 5];
        System.arraycopy(b, 0, padded, 2, b.length);
        return LiveCodec.recogniseAudioOutput(padded, 2, b.length);
    }

    private static Blob fullDecode(String json) {
        ServerFrame f = LiveCodec.decodeServer(json, Strictness.STRICT);
        return ((ServerMessage.ServerContent) f.message()).modelTurn().parts().getFirst().inlineData();
    }

    @Test
    void theServiceShapeAndTheEmulatorsCanonicalOne() {
        Random random = new Random(11);
        for (int len : new int[] {2, 7, 4800}) {
            byte[] pcm = new byte[len];
            random.nextBytes(pcm);
            ServerFrame frame = ServerFrame.of(ServerMessage.ServerContent.modelTurn(
                    new Content(List.of(Part.ofInlineData("audio/pcm;rate=24000", pcm)), "model")));
            String json = LiveCodec.encodeToString(frame);
            assertThat(recognise(json)).as(json).isEqualTo(new Blob("audio/pcm;rate=24000", pcm)).isEqualTo(fullDecode(json));
        }
        for (String json : List.of(
                "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "]}}}",
                "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "],\"role\":\"model\"}}}",
                " { \"serverContent\" : { \"modelTurn\" : { \"role\" : \"model\" ,\n \"parts\" : [ "
                        + "{ \"inlineData\" : { \"data\" : \"AAECAwQF\" , \"mimeType\" : \"audio/pcm;rate=24000\" } } ] } } }\n")) {
            assertThat(recognise(json)).as(json).isNotNull().isEqualTo(fullDecode(json));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "," + PART + "]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[]}}}",
            "{\"serverContent\":{\"modelTurn\":{}}}",
            "{\"serverContent\":{\"modelTurn\":{\"role\":\"model\"}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "]},\"turnComplete\":true}}",
            "{\"serverContent\":{\"turnComplete\":true,\"modelTurn\":{\"parts\":[" + PART + "]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "]},\"interrupted\":true}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "]},\"outputTranscription\":{\"text\":\"hi\"}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "]}},\"usageMetadata\":{\"totalTokenCount\":3}}",
            "{\"usageMetadata\":{\"totalTokenCount\":3},\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "],\"role\":\"model\",\"role\":\"model\"}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "],\"parts\":[" + PART + "]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"text\":\"hi\"}]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"},\"thought\":true}]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"AAEC\"}}]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"audio/pcm\",\"data\":\"AA-_\"}}]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAE\"}}]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inline_data\":{\"mimeType\":\"audio/pcm\",\"data\":\"AAEC\"}}]}}}",
            "{\"server_content\":{\"modelTurn\":{\"parts\":[" + PART + "]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "],\"role\":\"mod\\u0065l\"}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "],\"role\":null}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "]}}}x",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "]}}",
            "{\"setupComplete\":{}}",
            "",
    })
    void everythingElseTakesTheFullDecoder(String json) {
        assertThat(recognise(json)).as(json).isNull();
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] b = ("{\"serverContent\":{\"modelTurn\":{\"parts\":[" + PART + "],\"role\":\"model\"}}}").getBytes(StandardCharsets.US_ASCII);
        for (int n = 0; n < b.length; n++) {
            assertThat(LiveCodec.recogniseAudioOutput(b, 0, n)).as("first %d bytes", n).isNull();
        }
        assertThat(LiveCodec.recogniseAudioOutput(b, 0, b.length)).isNotNull();
    }
}
