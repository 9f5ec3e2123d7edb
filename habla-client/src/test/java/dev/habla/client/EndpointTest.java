package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.EmulatorSession;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** URL schemes, API versions, ephemeral tokens, the wire log. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EndpointTest extends EmulatorTest {

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v1beta", "v1alpha"})
    void everyApiVersionReachesItsEndpoint(String version) throws Exception {
        LiveClient c = newClient(b -> b.apiVersion(version));
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = c.connect(text(), rec)) {
            EmulatorSession server = emulator.sessions().getLast();
            assertThat(server.apiVersion()).isEqualTo(version);
            s.sendText("hi");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
        }
    }

    @Test
    void wsSchemeIsKept() throws Exception {
        LiveClient c = newClient(b -> b.baseUrl("ws://127.0.0.1:" + emulator.port()));
        try (LiveSession s = c.connect(text(), new RecordingListener())) {
            assertThat(s.state()).isEqualTo(SessionState.OPEN);
        }
    }

    @Test
    void ephemeralTokenUsesTheConstrainedMethodAndTokenHeader() throws Exception {
        // The emulator only takes "auth_tokens/…" on BidiGenerateContentConstrained with "Authorization: Token";
        // on the plain method it would be checked against the API key and refused.
        LiveClient c = LiveClient.create(b -> b.ephemeralToken("auth_tokens/abc123").baseUrl(emulator.baseUrl()));
        extension.closeAfterwards(c);
        assertThat(c.config().apiVersion()).isEqualTo("v1alpha");
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = c.connect(text(), rec)) {
            assertThat(emulator.sessions().getLast().apiVersion()).isEqualTo("v1alpha");
            s.sendText("token works");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).isEqualTo("You said: token works");
        }
        // An API key that looks like a token is treated as one (as the official SDKs do).
        LiveClient viaKey = LiveClient.create(b -> b.apiKey("auth_tokens/xyz").baseUrl(emulator.baseUrl()).apiVersion("v1beta"));
        extension.closeAfterwards(viaKey);
        assertThat(viaKey.config().ephemeralToken()).isEqualTo("auth_tokens/xyz");
        try (LiveSession s = viaKey.connect(text(), new RecordingListener())) {
            assertThat(emulator.sessions().getLast().apiVersion()).isEqualTo("v1beta");
        }
    }

    @Test
    void wireLogShowsFramesWithoutSecretsOrBulk() throws Exception {
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        LiveClient c = newClient(b -> b.wireLog(lines::add));
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = c.connect(text(), rec)) {
            s.sendAudio(new byte[6400], 16_000);
            s.sendText("logged");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            takeMatching(m -> m instanceof ClientMessage.RealtimeInput);
        }
        rec.awaitClosed(WAIT);
        List<String> all = List.copyOf(lines);
        String joined = String.join("\n", all);
        assertThat(joined).doesNotContain(KEY);
        assertThat(all.getFirst()).contains("CONNECT ws://127.0.0.1:" + emulator.port()
                + "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent")
                .contains("x-goog-api-key: <redacted>");
        assertThat(joined).contains("> {\"setup\":{\"model\":\"models/" + HALF_CASCADE + "\"");
        assertThat(joined).contains("< {\"setupComplete\":{}}");
        assertThat(joined).contains("\"text\":\"logged\"");
        assertThat(joined).containsPattern("\"data\":\"AAAAAAAAAAAAAAAA…\\(8536 base64 chars\\)\"");
        assertThat(joined).contains("CLOSE > 1000");
    }

    @Test
    void setupOnTheWireMatchesTheConfig() throws Exception {
        SessionConfig config = SessionConfig.create(b -> b.model(HALF_CASCADE)
                .responseModality(dev.habla.protocol.ResponseModality.AUDIO).voice("puck").languageCode("en-US")
                .systemInstruction("Be brief.").temperature(0.7).inputTranscription(true).outputTranscription(true)
                .resumption(true).contextWindowCompression(20_000L, 10_000L));
        try (LiveSession s = client.connect(config, new RecordingListener())) {
            ReceivedMessage m = takeMatching(x -> x instanceof ClientMessage.Setup);
            assertThat(m.message()).isEqualTo(config.toSetup("models/" + HALF_CASCADE));
            assertThat(m.rawJson()).contains("\"voiceName\":\"Puck\"").contains("\"triggerTokens\":\"20000\"");
        }
    }
}
