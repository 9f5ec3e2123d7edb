package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official {@code @google/genai} 3.3.0 SDK in Node (js/sdk-node.mjs) through the gateway: a backend mints tokens
 * with the admin key ({@code ai.authTokens.create}), the client holds sessions with only the token.
 */
@Timeout(120)
class SdkNodeTest {
    static Fixture f;

    @BeforeAll
    static void start() throws Exception {
        Node.prepare();
        f = new Fixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static JsonNode run(String scenario) throws Exception {
        return Node.run(60, "sdk-node.mjs", scenario, f.gateway.baseUrl(), Fixture.ADMIN_KEY).result();
    }

    @Test
    void textTurnAndHistory() throws Exception {
        JsonNode r = run("text");
        assertThat(r.path("token").asText()).isEqualTo("auth_tokens/HEX");
        assertThat(r.path("first").asText()).isEqualTo("You said: Hello from the JS SDK");
        assertThat(r.path("second").asText()).isEqualTo("You said: what is up");
        assertThat(r.path("history").asText()).isEqualTo("History: 1. Hello from the JS SDK | 2. what is up");
        assertThat(r.path("usage").asInt()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void audioRoundTripWithTranscriptions() throws Exception {
        JsonNode r = run("audio");
        assertThat(r.path("audioChunks").asInt()).isGreaterThan(5);
        assertThat(r.path("mimeTypes").get(0).asText()).isEqualTo("audio/pcm;rate=24000");
        assertThat(r.path("inputTranscription").asText()).matches("\\[speech \\d\\.\\d\\ds\\]");
        assertThat(r.path("outputTranscription").asText()).startsWith("I heard ");
        assertThat(f.gateway.usage("shop").audioSecondsIn()).isGreaterThan(2.0);
        assertThat(f.gateway.usage("shop").audioSecondsOut()).isPositive();
    }

    @Test
    void toolRoundTrip() throws Exception {
        JsonNode r = run("tool");
        assertThat(r.path("call").path("name").asText()).isEqualTo("get_weather");
        assertThat(r.path("call").path("args").path("city").asText()).isEqualTo("Paris");
        assertThat(r.path("reply").asText()).isEqualTo("Tool get_weather returned {\"sky\":\"clear\"}");
    }

    @Test
    void usedUpWrongAndExpiredTokensRefused() throws Exception {
        JsonNode r = run("refusals");
        assertThat(r.path("first").asText()).isEqualTo("connected");
        assertThat(r.path("second").asText())
                .isEqualTo("Live connection closed before setup completed (code 1008): Ephemeral token has no uses left.");
        assertThat(r.path("wrong").asText())
                .isEqualTo("Live connection closed before setup completed (code 1008): API key not valid. Please pass a valid API key.");
        assertThat(r.path("newSessionExpired").asText()).contains("(code 1008): Ephemeral token can no longer start new sessions");
        assertThat(r.path("expired").asText()).isEqualTo("Live connection closed before setup completed (code 1008): Ephemeral token expired.");
        assertThat(r.path("badAdmin").path("status").asInt()).isEqualTo(400);
        assertThat(r.path("badAdmin").path("message").asText()).contains("API key not valid. Please pass a valid API key.");
    }

    @Test
    void lockedFieldsEnforced() throws Exception {
        while (f.emulator.takeClientMessage(Duration.ofMillis(50)) != null) { }
        JsonNode r = run("locked");
        assertThat(r.path("reply").asText()).isEqualTo("You said: locked-all");
        assertThat(r.path("reply2").asText()).isEqualTo("You said: locked-some");
        ClientMessage.Setup all = nextSetup();
        assertThat(all.generationConfig().temperature()).isEqualTo(0.5);
        assertThat(all.systemInstruction().parts().getFirst().text()).isEqualTo("Always answer in English.");
        ClientMessage.Setup some = nextSetup();
        assertThat(some.generationConfig().temperature()).as("locked to the token's: unset").isNull();
        assertThat(some.systemInstruction().parts().getFirst().text()).as("not locked: the client's").isEqualTo("Réponds en français.");
    }

    @Test
    void clientDropResumedWithHistory() throws Exception {
        JsonNode r = run("resume");
        assertThat(r.path("hello").asText()).isEqualTo("You said: hello before the drop");
        assertThat(r.path("handlePrefix").asText()).isEqualTo("gw-");
        assertThat(r.path("dropCode").asInt()).isEqualTo(1006);
        assertThat(r.path("history").asText()).isEqualTo("History: 1. hello before the drop");
    }

    static ClientMessage.Setup nextSetup() throws InterruptedException {
        while (true) {
            ReceivedMessage m = f.emulator.takeClientMessage(Duration.ofSeconds(10));
            assertThat(m).isNotNull();
            if (m.message() instanceof ClientMessage.Setup s) {
                return s;
            }
        }
    }
}
