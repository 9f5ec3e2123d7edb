package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.testing.RawWs;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /{version}/auth_tokens} as the official SDK drives it, and its Google-shaped errors (gateway.md §1, §3). */
@Timeout(60)
class TokenEndpointTest {
    static Fixture f;

    @BeforeAll
    static void start() {
        f = new Fixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v1alpha", "v1beta", "v1"})
    void mintsUnderEveryApiVersion(String version) throws Exception {
        Fixture.Http h = f.post("/" + version + "/auth_tokens", Fixture.ADMIN_KEY, "{}");
        assertThat(h.status()).isEqualTo(200);
        assertThat(h.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        JsonNode j = h.json();
        assertThat(j.path("name").asText()).matches("auth_tokens/[0-9a-f]{64}");
        Instant expire = Instant.parse(j.path("expireTime").asText());
        Instant newSession = Instant.parse(j.path("newSessionExpireTime").asText());
        // Google's defaults: 30 minutes to use, 60 seconds to start a session.
        assertThat(expire).isBetween(Instant.now().plus(29, ChronoUnit.MINUTES), Instant.now().plus(31, ChronoUnit.MINUTES));
        assertThat(newSession).isBetween(Instant.now().plusSeconds(50), Instant.now().plusSeconds(70));
    }

    @Test
    void tokensAreUniqueAndBasePathsWork() throws Exception {
        String a = f.mint("{}");
        String b = f.mint("{}");
        assertThat(a).isNotEqualTo(b);
        // A base URL with a path keeps it: the SDK posts to /prefix/v1alpha/auth_tokens.
        assertThat(f.post("/prefix/v1alpha/auth_tokens", Fixture.ADMIN_KEY, "{}").status()).isEqualTo(200);
    }

    @Test
    void acceptsTheBodiesTheSdkSends() throws Exception {
        String future = Instant.now().plus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
        String futureMs = Instant.now().plus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MILLIS).toString();
        assertThat(f.post("/v1alpha/auth_tokens", Fixture.ADMIN_KEY,
                "{\"expireTime\":\"" + future + "\",\"newSessionExpireTime\":\"" + futureMs + "\",\"uses\":1}").status()).isEqualTo(200);
        assertThat(f.post("/v1alpha/auth_tokens", Fixture.ADMIN_KEY, "{\"uses\":0}").status()).isEqualTo(200);
        assertThat(f.post("/v1alpha/auth_tokens", Fixture.ADMIN_KEY, "{\"uses\":2,\"bidiGenerateContentSetup\":{\"model\":"
                + "\"models/gemini-2.0-flash-live-001\",\"generationConfig\":{\"responseModalities\":[\"AUDIO\"],\"temperature\":0.5},"
                + "\"systemInstruction\":{\"parts\":[{\"text\":\"Always answer in English.\"}],\"role\":\"user\"},\"sessionResumption\":{}},"
                + "\"fieldMask\":\"model,generationConfig.responseModalities,generationConfig.temperature,systemInstruction.parts,"
                + "systemInstruction.role\"}").status()).isEqualTo(200);
        assertThat(f.post("/v1alpha/auth_tokens", Fixture.ADMIN_KEY, "{\"fieldMask\":\"temperature\"}").status()).isEqualTo(200);
    }

    @Test
    void wrongAndMissingKeysGetGooglesErrors() throws Exception {
        Fixture.Http wrong = f.post("/v1alpha/auth_tokens", "not-an-admin-key", "{}");
        assertThat(wrong.status()).isEqualTo(400);
        JsonNode e = wrong.json().path("error");
        assertThat(e.path("code").asInt()).isEqualTo(400);
        assertThat(e.path("status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(e.path("message").asText()).isEqualTo("API key not valid. Please pass a valid API key.");
        assertThat(e.path("details").get(0).path("reason").asText()).isEqualTo("API_KEY_INVALID");

        Fixture.Http none = f.post("/v1alpha/auth_tokens", null, "{}");
        assertThat(none.status()).isEqualTo(403);
        assertThat(none.json().path("error").path("status").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(none.json().path("error").path("message").asText()).startsWith("Method doesn't allow unregistered callers");
    }

    @Test
    void badBodiesAre400() throws Exception {
        for (String body : new String[] {"{not json", "[]", "{\"usez\":1}", "{\"uses\":-1}", "{\"uses\":\"many\"}",
                "{\"expireTime\":\"tomorrow\"}", "{\"expireTime\":\"2001-01-01T00:00:00Z\"}", "{\"expireTime\":\"2999-01-01T00:00:00Z\"}",
                "{\"bidiGenerateContentSetup\":{\"model\":\"models/x\",\"generationConfg\":{}}}", "{\"bidiGenerateContentSetup\":3}"}) {
            Fixture.Http h = f.post("/v1alpha/auth_tokens", Fixture.ADMIN_KEY, body);
            assertThat(h.status()).as(body).isEqualTo(400);
            assertThat(h.json().path("error").path("status").asText()).as(body).isEqualTo("INVALID_ARGUMENT");
            assertThat(h.json().path("error").path("code").asInt()).as(body).isEqualTo(400);
        }
        Fixture.Http unknown = f.post("/v1alpha/auth_tokens", Fixture.ADMIN_KEY, "{\"usez\":1}");
        assertThat(unknown.json().path("error").path("message").asText()).contains("Unknown name \"usez\"");
    }

    @Test
    void aModelTheAppMayNotUseIsRefusedAtMint() throws Exception {
        Fixture.Http h = f.post("/v1alpha/auth_tokens", Fixture.OTHER_ADMIN_KEY,
                "{\"bidiGenerateContentSetup\":{\"model\":\"models/gemini-2.5-flash-native-audio-preview-09-2025\"}}");
        assertThat(h.status()).isEqualTo(403);
        assertThat(h.json().path("error").path("status").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(f.post("/v1alpha/auth_tokens", Fixture.OTHER_ADMIN_KEY,
                "{\"bidiGenerateContentSetup\":{\"model\":\"models/" + Fixture.MODEL + "\"}}").status()).isEqualTo(200);
    }

    @Test
    void corsOnlyForAllowedOrigins() throws Exception {
        Fixture.Http pre = f.request("OPTIONS", "/v1alpha/auth_tokens", null, "http://127.0.0.1:5173");
        assertThat(pre.status()).isEqualTo(204);
        assertThat(pre.headers().firstValue("access-control-allow-origin")).contains("http://127.0.0.1:5173");
        assertThat(pre.headers().firstValue("access-control-allow-headers").orElse("")).contains("x-goog-api-key");
        Fixture.Http evil = f.request("OPTIONS", "/v1alpha/auth_tokens", null, "https://evil.example");
        assertThat(evil.status()).isEqualTo(403);
        assertThat(evil.headers().firstValue("access-control-allow-origin")).isEmpty();
    }

    @Test
    void revokedTokensCannotConnect() throws Exception {
        String token = f.mint("{\"uses\":0}");
        String id = token.substring("auth_tokens/".length());
        assertThat(f.request("DELETE", "/v1alpha/auth_tokens/" + id, Fixture.OTHER_ADMIN_KEY, null).status())
                .as("another app cannot revoke it").isEqualTo(404);
        assertThat(f.request("DELETE", "/v1alpha/auth_tokens/" + id, Fixture.ADMIN_KEY, null).status()).isEqualTo(200);
        try (RawWs ws = RawWs.open(f.tokenUrl(token), Map.of())) {
            ws.trySend("{\"setup\":{\"model\":\"models/" + Fixture.MODEL + "\"}}");
            RawWs.Closed c = ws.awaitClose(java.time.Duration.ofSeconds(10));
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).isEqualTo("Ephemeral token was revoked.");
        }
    }

    @Test
    void healthAndUnknownPaths() throws Exception {
        Fixture.Http h = f.request("GET", "/healthz", null, null);
        assertThat(h.status()).isEqualTo(200);
        assertThat(h.body()).isEqualTo("ok\n");
        Fixture.Http missing = f.request("GET", "/nope", null, null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("error").path("status").asText()).isEqualTo("NOT_FOUND");
    }
}
