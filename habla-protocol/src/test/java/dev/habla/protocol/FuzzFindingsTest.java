package dev.habla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.protocol.ServerMessage.GoAway;
import dev.habla.protocol.ServerMessage.ServerContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What fuzzing LiveCodec found, as plain tests (the inputs are also in the fuzz regression corpus). See FUZZING.md. */
@Timeout(30)
class FuzzFindingsTest {

    @Test
    void undetectableEncodingIsAProtocolException() {
        // Jackson's encoding detection reads this as UCS-4 with an unsupported byte order and throws while the parser
        // is being created; that used to escape as UncheckedIOException.
        byte[] frame = {0, 0, 0x0b, 0, 0, 0, 0, 0, 0x0b, '{', '}'};
        for (Strictness s : Strictness.values()) {
            assertThatThrownBy(() -> LiveCodec.decodeClient(frame, s)).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("Malformed JSON").hasMessageContaining("UCS-4");
            assertThatThrownBy(() -> LiveCodec.decodeServer(frame, s)).isInstanceOf(ProtocolException.class);
        }
    }

    @Test
    void emptyRepeatedFieldsDecodeAsUnset() {
        // The encoder omits empty lists (proto3), so [] must decode like an absent field or the round trip changes
        // the value: confidenceScores [] came back as null.
        String json = "{\"serverContent\":{\"groundingMetadata\":{\"groundingSupports\":[{\"segment\":{\"endIndex\":5},"
                + "\"groundingChunkIndices\":[0],\"confidenceScores\":[]}],\"webSearchQueries\":[]}},\"usageMetadata\":"
                + "{\"promptTokensDetails\":[]}}";
        ServerFrame f = LiveCodec.decodeServer(json, Strictness.STRICT);
        ServerContent c = (ServerContent) f.message();
        assertThat(c.groundingMetadata().groundingSupports().get(0).confidenceScores()).isNull();
        assertThat(c.groundingMetadata().webSearchQueries()).isNull();
        assertThat(f.usageMetadata().promptTokensDetails()).isNull();
        assertThat(LiveCodec.decodeServer(LiveCodec.encode(f), Strictness.STRICT)).isEqualTo(f);
        // Maps too (Schema.properties).
        String setup = "{\"setup\":{\"model\":\"m\",\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\",\"parameters\":"
                + "{\"type\":\"OBJECT\",\"properties\":{}}}]}]}}";
        ClientMessage m = LiveCodec.decodeClient(setup, Strictness.STRICT).message();
        assertThat(LiveCodec.decodeClient(LiveCodec.encode(m), Strictness.STRICT).message()).isEqualTo(m);
    }

    @Test
    void durationsOutsideTheProtoRangeAreRejected() {
        assertThat(((GoAway) LiveCodec.decodeServer("{\"goAway\":{\"timeLeft\":\"-315576000000.999999999s\"}}", Strictness.STRICT)
                .message()).timeLeft()).isEqualTo(Duration.ofSeconds(-315_576_000_000L, -999_999_999));
        for (String d : new String[] {"315576000001s", "999999999999s", "-315576000001s"}) {
            byte[] frame = ("{\"goAway\":{\"timeLeft\":\"" + d + "\"}}").getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> LiveCodec.decodeServer(frame, Strictness.STRICT)).as(d).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("Invalid duration string");
        }
    }
}
