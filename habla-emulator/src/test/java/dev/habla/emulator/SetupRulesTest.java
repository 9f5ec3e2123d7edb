package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.ServerMessage;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SetupRulesTest {
    @RegisterExtension
    final EmulatorExtension emulator = new EmulatorExtension();

    private String path(String version) {
        return "/ws/google.ai.generativelanguage." + version + ".GenerativeService.BidiGenerateContent";
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v1beta", "v1alpha"})
    void everyVersionWithSingleOrDoubleSlash(String version, LiveEmulator emu) throws Exception {
        for (String prefix : new String[] {"", "/"}) {
            URI uri = URI.create("ws://127.0.0.1:" + emu.port() + prefix + path(version) + "?key=k");
            try (RawClient c = RawClient.connect(uri)) {
                c.sendText(Fixtures.text().json());
                assertThat(c.next().message()).isInstanceOf(ServerMessage.SetupComplete.class);
            }
        }
        assertThat(emu.wsUrl(version)).isEqualTo("ws://127.0.0.1:" + emu.port() + path(version));
    }

    @Test
    void apiKeyInHeaderWorks(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.connect(URI.create(emu.wsUrl("v1")), Map.of("x-goog-api-key", "k"))) {
            c.sendText(Fixtures.text().json());
            assertThat(c.next().message()).isInstanceOf(ServerMessage.SetupComplete.class);
        }
    }

    @Test
    void ephemeralTokenOnConstrainedMethodInQueryOrHeader(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.connect(URI.create(emu.constrainedWsUrl("v1alpha") + "?access_token=auth_tokens/abc"))) {
            c.sendText(Fixtures.text().json());
            assertThat(c.next().message()).isInstanceOf(ServerMessage.SetupComplete.class);
        }
        try (RawClient c = RawClient.connect(URI.create(emu.constrainedWsUrl("v1alpha")), Map.of("Authorization", "Token auth_tokens/abc"))) {
            c.sendText(Fixtures.text().json());
            assertThat(c.next().message()).isInstanceOf(ServerMessage.SetupComplete.class);
        }
        try (RawClient c = RawClient.connect(URI.create(emu.constrainedWsUrl("v1alpha") + "?key=plain-key"))) {
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1008, CloseCodes.REASON_BAD_KEY));
        }
    }

    @Test
    void missingKeyIsAcceptedThenClosed1008(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.connect(URI.create(emu.wsUrl("v1beta")))) {
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1008, "API key not valid. Please pass a valid API key."));
        }
        assertThat(emu.sessions()).isEmpty();
    }

    @Test
    void configuredKeyRejectsOthersAcceptsItself() throws Exception {
        try (LiveEmulator strict = LiveEmulator.create(b -> b.apiKey("right"))) {
            try (RawClient c = RawClient.connect(URI.create(strict.wsUrl("v1beta") + "?key=wrong"))) {
                assertThat(c.awaitClose().code()).isEqualTo(1008);
            }
            try (RawClient c = RawClient.connect(URI.create(strict.wsUrl("v1beta")), Map.of("x-goog-api-key", "right"))) {
                c.sendText(Fixtures.text().json());
                assertThat(c.next().message()).isInstanceOf(ServerMessage.SetupComplete.class);
            }
        }
    }

    @Test
    void otherPathsAre404(LiveEmulator emu) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String p : new String[] {"/", "/ws/other", path("v2"), "/v1beta/models"}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(emu.baseUrl() + p)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(p).isEqualTo(404);
        }
    }

    @Test
    void unknownModelCloses1008WithGoogleReason(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.setup("models/gemini-9-ultra", "TEXT").json());
            RawClient.Closed closed = c.awaitClose();
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).isEqualTo(CloseCodes.modelNotFound("models/gemini-9-ultra", "v1beta"))
                    .startsWith("models/gemini-9-ultra is not found for API version v1beta");
        }
    }

    @Test
    void bareModelNameIsAccepted(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.setup("gemini-live-2.5-flash-preview", null).json());
            assertThat(c.next().message()).isInstanceOf(ServerMessage.SetupComplete.class);
            c.send(ClientMessage.ClientContent.userText("x"));
            assertThat(Fixtures.text(c.untilTurnComplete())).as("no modality = TEXT on half-cascade").isEqualTo("You said: x");
        }
    }

    @Test
    void textOnNativeAudioCloses1007(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.setup(Fixtures.NATIVE, "TEXT").json());
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1007, "Cannot extract voices from a non-audio request."));
        }
    }

    @Test
    void textOnGemini31Closes1011(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.setup("models/gemini-3.1-flash-live-preview", "TEXT").json());
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1011, "Internal error encountered."));
        }
    }

    @Test
    void secondSetupCloses1007(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.sendText(Fixtures.text().json());
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1007, "Request contains an invalid argument."));
        }
    }

    @Test
    void nonSetupFirstCloses1007(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.connect(emu)) {
            c.send(ClientMessage.ClientContent.userText("hello"));
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1007, "Request contains an invalid argument."));
        }
    }

    @Test
    void strictDecodeFailureNamesTheField(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.sendText("{\"clientContent\":{\"turnCompleet\":true}}");
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1007,
                    "Invalid JSON payload received. Unknown name \"turnCompleet\" at 'client_content': Cannot find field."));
        }
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText("{\"setup\":{\"model\":\"" + Fixtures.HALF + "\",\"generationConfig\":{\"responseModalities\":[\"TEXTY\"]}}}");
            RawClient.Closed closed = c.awaitClose();
            assertThat(closed.code()).isEqualTo(1007);
            assertThat(closed.reason()).contains("setup.generation_config.response_modalities[0]").contains("TEXTY");
        }
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText("not json");
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1007, "Invalid JSON payload received. Unexpected token."));
        }
    }

    @Test
    void longReasonsAreTruncatedTo123Bytes(LiveEmulator emu) throws Exception {
        String model = "models/" + "x".repeat(200);
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.setup(model, "TEXT").json());
            RawClient.Closed closed = c.awaitClose();
            assertThat(closed.reason().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
        }
    }

    @Test
    void misbehavingSessionDoesNotAffectAnother(LiveEmulator emu) throws Exception {
        try (RawClient good = RawClient.setUp(emu, Fixtures.text()); RawClient bad = RawClient.connect(emu)) {
            bad.sendText("{\"bogus\":1}");
            assertThat(bad.awaitClose().code()).isEqualTo(1007);
            good.send(ClientMessage.ClientContent.userText("still here"));
            assertThat(Fixtures.text(good.untilTurnComplete())).isEqualTo("You said: still here");
        }
    }

    /** A client that never answers our close frame (like the Java SDK) loses TCP shortly after. */
    @Test
    void tcpIsDroppedWhenTheClientIgnoresTheCloseFrame(LiveEmulator emu) throws Exception {
        try (Socket s = new Socket("127.0.0.1", emu.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path("v1beta") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            // Read everything (101 response, close frame) until the server closes TCP; never answer the close.
            byte[] buf = new byte[4096];
            StringBuilder seen = new StringBuilder();
            int n;
            while ((n = in.read(buf)) != -1) {
                seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat(seen.toString()).startsWith("HTTP/1.1 101").contains("API key not valid");
            assertThat(ms).isLessThan(3000);
        }
    }
}
