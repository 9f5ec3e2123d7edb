package dev.habla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cassette format: lines written, parsed back, credentials redacted wherever they appear, audio placeholders. */
class CassetteTest {
    // A made-up key in the real format, joined at run time so that no key-shaped literal is committed.
    static final String KEY = "AIza" + "SyB1234567890abcdefghijklmnopqrstuv";

    @Test
    void linesRoundTrip() {
        List<String> lines = List.of(
                Cassette.header(Cassette.Audio.KEEP, Instant.parse("2026-12-06T12:00:00Z")),
                Cassette.open(0, 1, "ws://h/ws/x?key=" + KEY, Map.of("x-goog-api-key", KEY, "x-goog-api-client", "habla"), List.of()),
                Cassette.frame(3, 1, Cassette.Side.CLIENT, LiveCodec.encode(ClientMessage.ClientContent.userText("hi")),
                        Cassette.Audio.KEEP, List.of()),
                Cassette.frame(5, 1, Cassette.Side.SERVER, "{\"setupComplete\":{}}", Cassette.Audio.KEEP, List.of()),
                Cassette.close(9, 1, Cassette.Side.SERVER, 1000, "", List.of()),
                Cassette.broken(12, 2, "reset", List.of()));
        assertThat(lines.get(0)).isEqualTo("{\"habla-cassette\":1,\"audio\":\"keep\",\"recorded\":\"2026-12-06T12:00:00Z\"}");
        assertThat(lines.get(1)).isEqualTo("{\"t\":0,\"c\":1,\"open\":\"ws://h/ws/x?key=REDACTED\",\"headers\":{\"x-goog-api-key\":\"REDACTED\"}}");
        Cassette.Recording r = Cassette.parse(lines);
        assertThat(r.header().audio()).isEqualTo(Cassette.Audio.KEEP);
        assertThat(r.entries()).hasSize(5);
        assertThat(r.entries().get(1)).isEqualTo(new Cassette.Frame(3, 3, 1, Cassette.Side.CLIENT,
                "{\"clientContent\":{\"turns\":[{\"parts\":[{\"text\":\"hi\"}],\"role\":\"user\"}],\"turnComplete\":true}}"));
        assertThat(r.entries().get(3)).isEqualTo(new Cassette.Close(5, 9, 1, Cassette.Side.SERVER, 1000, ""));
        assertThat(r.entries().get(4)).isEqualTo(new Cassette.Broken(6, 12, 2, "reset"));
        assertThat(r.connections()).isEqualTo(1);
        assertThat(r.connection(2)).hasSize(1);
    }

    @Test
    void credentialsAreRedactedWhereverTheyAppear() {
        String frame = "{\"setup\":{\"model\":\"m\",\"note\":\"my key is " + KEY + "\",\"apiKey\":\"plain-secret\","
                + "\"token\":\"auth_tokens/abc123\",\"url\":\"https://x/?access_token=ya29.tok&b=1\",\"deep\":[{\"x\":\"secret-literal\"}]}}";
        String line = Cassette.frame(1, 1, Cassette.Side.CLIENT, frame, Cassette.Audio.KEEP, List.of("secret-literal"));
        assertThat(line).doesNotContain(KEY).doesNotContain("plain-secret").doesNotContain("abc123")
                .doesNotContain("ya29.tok").doesNotContain("secret-literal").contains("\"model\":\"m\"").contains("&b=1");
        assertThat(Cassette.open(0, 1, "wss://h/ws/x?access_token=auth_tokens/zz&alt=1",
                Map.of("Authorization", "Bearer ya29.abc"), List.of())).doesNotContain("zz").doesNotContain("ya29")
                .contains("alt=1").contains("\"authorization\":\"REDACTED\"");
        assertThat(Cassette.close(0, 1, Cassette.Side.SERVER, 1008, "bad key " + KEY, List.of())).doesNotContain(KEY);
        assertThat(Cassette.frame(0, 1, Cassette.Side.SERVER, "not json " + KEY, Cassette.Audio.KEEP, List.of()))
                .contains("\"recv\":\"not json REDACTED\"");
    }

    @Test
    void placeholderAudioKeepsTheLength() {
        byte[] pcm = {1, 2, 3, 4, 5, 6, 7};
        String frame = LiveCodec.encode(ClientMessage.RealtimeInput.ofAudio(pcm, 16000));
        String line = Cassette.frame(0, 1, Cassette.Side.CLIENT, frame, Cassette.Audio.PLACEHOLDER, List.of());
        Cassette.Frame f = (Cassette.Frame) Cassette.parse(List.of(Cassette.header(Cassette.Audio.PLACEHOLDER, Instant.EPOCH), line))
                .entries().getFirst();
        ClientMessage.RealtimeInput r = (ClientMessage.RealtimeInput) LiveCodec.decodeClient(f.json(), Strictness.STRICT).message();
        assertThat(r.audio().data()).isEqualTo(new byte[7]);
        assertThat(line).contains(Base64.getEncoder().encodeToString(new byte[7]));
    }

    @Test
    void badCassettesNameTheLine() {
        assertThatThrownBy(() -> Cassette.parse(List.of())).hasMessageContaining("no header");
        assertThatThrownBy(() -> Cassette.parse(List.of("{\"habla-cassette\":2}")))
                .hasMessage("cassette line 1: cassette version 2 is not supported (this Habla reads 1)");
        assertThatThrownBy(() -> Cassette.parse(List.of("{\"habla-cassette\":1}", "", "{\"t\":1}")))
                .hasMessageStartingWith("cassette line 3: needs \"t\"");
        assertThatThrownBy(() -> Cassette.parse(List.of("{\"habla-cassette\":1}", "{\"t\":1,\"c\":1,\"what\":0}")))
                .hasMessage("cassette line 2: expected one of open, send, recv, close, error");
        assertThatThrownBy(() -> Cassette.parse(List.of("{\"habla-cassette\":1}", "nope")))
                .hasMessageStartingWith("cassette line 2: not JSON");
    }
}
