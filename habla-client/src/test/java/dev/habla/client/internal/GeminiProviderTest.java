package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ResponseModality;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Endpoint building, event mapping and close-code mapping of the Gemini wire. */
class GeminiProviderTest {
    private final GeminiProvider p = GeminiProvider.INSTANCE;
    private final SessionConfig session = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001"));

    @Test
    void apiKeyEndpoint() throws Exception {
        var r = p.connectRequest(ClientConfig.create(b -> b.apiKey("SECRET")), session);
        assertThat(r.uri()).hasToString("wss://generativelanguage.googleapis.com/ws/"
                + "google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent");
        assertThat(r.headers()).containsEntry("x-goog-api-key", "SECRET").doesNotContainKey("Authorization");
        assertThat(r.description()).doesNotContain("SECRET");
    }

    @Test
    void schemesAndPathPrefixes() throws Exception {
        assertThat(p.connectRequest(ClientConfig.create(b -> b.apiKey("k").baseUrl("http://h:1")), session).uri().toString())
                .startsWith("ws://h:1/ws/");
        assertThat(p.connectRequest(ClientConfig.create(b -> b.apiKey("k").baseUrl("https://h")), session).uri().toString())
                .startsWith("wss://h/ws/");
        assertThat(p.connectRequest(ClientConfig.create(b -> b.apiKey("k").baseUrl("ws://h/proxy/")), session).uri().toString())
                .startsWith("ws://h/proxy/ws/google.ai.generativelanguage.v1beta.");
        assertThat(p.connectRequest(ClientConfig.create(b -> b.apiKey("k").baseUrl("wss://h").apiVersion("v1")), session)
                .uri().toString()).isEqualTo("wss://h/ws/google.ai.generativelanguage.v1.GenerativeService.BidiGenerateContent");
    }

    @Test
    void ephemeralTokenEndpoint() throws Exception {
        var r = p.connectRequest(ClientConfig.create(b -> b.ephemeralToken("auth_tokens/T")), session);
        assertThat(r.uri().getPath()).isEqualTo(
                "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained");
        assertThat(r.headers()).containsEntry("Authorization", "Token auth_tokens/T").doesNotContainKey("x-goog-api-key");
        assertThat(r.description()).doesNotContain("auth_tokens/T");
    }

    @Test
    void vertexEndpointAndModelName() throws Exception {
        ClientConfig c = ClientConfig.create(b -> b.vertex("proj", "us-central1", () -> "ya29.TOKEN"));
        var r = p.connectRequest(c, session);
        assertThat(r.uri()).hasToString("wss://us-central1-aiplatform.googleapis.com/ws/"
                + "google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent");
        assertThat(r.headers()).containsEntry("Authorization", "Bearer ya29.TOKEN");
        assertThat(r.description()).doesNotContain("ya29");
        assertThat(GeminiProvider.modelResourceName(c, "gemini-live-2.5-flash"))
                .isEqualTo("projects/proj/locations/us-central1/publishers/google/models/gemini-live-2.5-flash");
        assertThat(GeminiProvider.modelResourceName(c, "projects/x/locations/y/publishers/google/models/z"))
                .isEqualTo("projects/x/locations/y/publishers/google/models/z");
        ClientConfig global = ClientConfig.create(b -> b.vertex("proj", "global", () -> "t"));
        assertThat(p.connectRequest(global, session).uri().getHost()).isEqualTo("aiplatform.googleapis.com");
        String setup = p.openingFrames(c, session).getFirst();
        assertThat(setup).contains("\"model\":\"projects/proj/locations/us-central1/publishers/google/models/gemini-2.0-flash-live-001\"");
    }

    @Test
    void failingTokenSupplierIsUnauthenticated() {
        ClientConfig c = ClientConfig.create(b -> b.vertex("proj", "l", () -> {
            throw new IllegalStateException("no gcloud");
        }));
        try {
            p.connectRequest(c, session);
            throw new AssertionError("expected failure");
        } catch (LiveException e) {
            assertThat(e.kind()).isEqualTo(Kind.UNAUTHENTICATED);
        }
    }

    @Test
    void geminiModelNames() {
        ClientConfig c = ClientConfig.create(b -> b.apiKey("k"));
        assertThat(GeminiProvider.modelResourceName(c, "gemini-x")).isEqualTo("models/gemini-x");
        assertThat(GeminiProvider.modelResourceName(c, "models/gemini-x")).isEqualTo("models/gemini-x");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1007|Request contains an invalid argument.|INVALID_ARGUMENT",
            "1007|Cannot extract voices from a non-audio request.|INVALID_ARGUMENT",
            "1007|API key expired. Please renew the API key.|UNAUTHENTICATED",
            "1007|User location is not supported for the API use.|INVALID_ARGUMENT",
            "1008|models/x is not found for API version v1beta, or is not supported for bidiGenerateContent. Call|NOT_FOUND",
            "1008|Requested entity was not found.|NOT_FOUND",
            "1008|API key not valid. Please pass a valid API key.|UNAUTHENTICATED",
            "1008|The caller does not have permission|UNAUTHENTICATED",
            "1011|Internal error occurred.|INTERNAL",
            "1011|Internal error encountered.|INTERNAL",
            "1011|You exceeded your current quota, please check your plan and billing details.|RESOURCE_EXHAUSTED",
            "1011|Your prepayment credits are depleted.|RESOURCE_EXHAUSTED",
            "1011|Deadline expired before operation could complete.|DEADLINE_EXCEEDED",
            "1000|''|UNAVAILABLE",
            "1001|''|UNAVAILABLE",
            "1006|''|UNAVAILABLE",
            "1013|Try again later|UNAVAILABLE",
            "1002|bad frame|PROTOCOL",
    })
    void closeCodesMapByCodeAndReason(int code, String reason, Kind kind) {
        LiveException e = p.mapClose(code, reason);
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.closeCode()).isEqualTo(code);
        assertThat(e.closeReason()).isEqualTo(reason);
    }

    /** Just enough of an HttpResponse to carry a handshake status. */
    private record Status(int statusCode) implements java.net.http.HttpResponse<String> {
        public java.net.http.HttpRequest request() { return null; }
        public java.util.Optional<java.net.http.HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true); }
        public String body() { return null; }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        public java.net.URI uri() { return java.net.URI.create("ws://h/ws/x"); }
        public java.net.http.HttpClient.Version version() { return java.net.http.HttpClient.Version.HTTP_1_1; }
    }

    @ParameterizedTest
    @CsvSource({"400,INVALID_ARGUMENT", "401,UNAUTHENTICATED", "403,UNAUTHENTICATED", "404,NOT_FOUND",
            "429,RESOURCE_EXHAUSTED", "500,INTERNAL", "502,UNAVAILABLE", "503,UNAVAILABLE"})
    void handshakeStatusesMap(int status, Kind kind) {
        var e = p.mapConnectFailure(new java.util.concurrent.CompletionException(
                new java.net.http.WebSocketHandshakeException(new Status(status))));
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(e.getMessage()).contains("HTTP 101").contains(String.valueOf(status));
    }

    @Test
    void networkFailuresMap() {
        assertThat(p.mapConnectFailure(new java.io.IOException("x", new java.net.ConnectException("Connection refused"))).kind())
                .isEqualTo(Kind.UNAVAILABLE);
        assertThat(p.mapConnectFailure(new java.net.UnknownHostException("nohost.example")).getMessage()).contains("host not found");
        assertThat(p.mapConnectFailure(new java.net.http.HttpConnectTimeoutException("slow")).kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(p.mapConnectFailure(new javax.net.ssl.SSLHandshakeException("bad cert")).getMessage()).contains("TLS");
    }

    private List<LiveEvent> decode(String json) {
        return p.decode(new Transport.InboundFrame(null, json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void oneFrameYieldsEventsInProtocolOrder() {
        List<LiveEvent> events = decode("""
                {"serverContent":{"modelTurn":{"parts":[{"text":"thinking","thought":true},{"text":"Hi"},
                  {"inlineData":{"mimeType":"audio/pcm;rate=24000","data":"AAAA"}}]},
                  "outputTranscription":{"text":"Hi"},"generationComplete":true,"turnComplete":true,
                  "turnCompleteReason":"NEED_MORE_INPUT"},
                 "usageMetadata":{"promptTokenCount":3,"responseTokenCount":2,"totalTokenCount":5}}""");
        assertThat(events).hasSize(6);
        assertThat(events.get(0)).isEqualTo(new LiveEvent.TextDelta("thinking", true));
        assertThat(events.get(1)).isEqualTo(new LiveEvent.TextDelta("Hi", false));
        assertThat(events.get(2)).isEqualTo(new LiveEvent.AudioChunk(new byte[3], 24_000));
        assertThat(events.get(3)).isEqualTo(new LiveEvent.OutputTranscription("Hi", false));
        assertThat(events.get(4)).isInstanceOf(LiveEvent.GenerationComplete.class);
        LiveEvent.TurnComplete tc = (LiveEvent.TurnComplete) events.get(5);
        assertThat(tc.usage().totalTokenCount()).isEqualTo(5);
        assertThat(tc.reason()).hasToString("NEED_MORE_INPUT");
    }

    @Test
    void otherMessagesAndUnknownFields() {
        assertThat(decode("{\"setupComplete\":{\"sessionId\":\"abc\"}}")).containsExactly(new LiveEvent.SetupCompleted("abc"));
        assertThat(decode("{\"setupComplete\":{}}")).containsExactly(new LiveEvent.SetupCompleted(null));
        assertThat(decode("{\"goAway\":{\"timeLeft\":\"9.5s\"}}"))
                .containsExactly(new LiveEvent.GoingAway(java.time.Duration.ofMillis(9_500)));
        assertThat(decode("{\"sessionResumptionUpdate\":{\"newHandle\":\"h\",\"resumable\":true}}"))
                .containsExactly(new LiveEvent.ResumptionUpdate("h", true));
        assertThat(decode("{\"sessionResumptionUpdate\":{\"resumable\":false}}"))
                .containsExactly(new LiveEvent.ResumptionUpdate(null, false));
        assertThat(decode("{\"toolCallCancellation\":{\"ids\":[\"a\",\"b\"]}}"))
                .containsExactly(new LiveEvent.ToolCallCancelled(List.of("a", "b")));
        assertThat(decode("{\"serverContent\":{\"interrupted\":true}}")).containsExactly(new LiveEvent.Interrupted());
        assertThat(decode("{\"serverContent\":{},\"usageMetadata\":{\"totalTokenCount\":9}}"))
                .singleElement().isInstanceOf(LiveEvent.Usage.class);
        assertThat(decode("{\"voiceActivity\":{\"type\":\"ACTIVITY_START\"}}")).singleElement()
                .isInstanceOf(LiveEvent.VoiceActivity.class);
        List<LiveEvent> unknown = decode("{\"serverContent\":{\"turnComplete\":true,\"brandNew\":1}}");
        assertThat(unknown).hasSize(2);
        assertThat(unknown.get(1)).isInstanceOfSatisfying(LiveEvent.Unrecognized.class,
                u -> assertThat(u.fields().getFirst().path()).contains("brandNew"));
        assertThat(decode("{\"brandNewMessage\":{}}")).singleElement().isInstanceOf(LiveEvent.Unrecognized.class);
        // Text frames decode too.
        assertThat(p.decode(new Transport.InboundFrame("{\"setupComplete\":{}}", null))).hasSize(1);
    }

    @Test
    void audioRateComesFromTheMimeType() throws InterruptedException {
        assertThat(GeminiProvider.sampleRate("audio/pcm;rate=16000")).isEqualTo(16_000);
        assertThat(GeminiProvider.sampleRate("audio/pcm")).isEqualTo(24_000);
        // The one-entry cache answers repeats and is replaced on a change, from any thread.
        for (int i = 0; i < 3; i++) {
            assertThat(GeminiProvider.sampleRate("audio/pcm;rate=24000")).isEqualTo(24_000);
            assertThat(GeminiProvider.sampleRate("audio/pcm;rate=24000")).isEqualTo(24_000);
            assertThat(GeminiProvider.sampleRate("audio/l16; rate = 8000")).isEqualTo(8_000);
            assertThat(GeminiProvider.sampleRate("audio/pcm;rate=99999999999")).isEqualTo(24_000);
            assertThat(GeminiProvider.sampleRate("")).isEqualTo(24_000);
        }
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 4; t++) {
            int rate = 8_000 * (t + 1);
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    if (GeminiProvider.sampleRate("audio/pcm;rate=" + rate) != rate) {
                        wrong.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            assertThat(t.join(java.time.Duration.ofSeconds(5))).isTrue();
        }
        assertThat(wrong.get()).isZero();
    }

    @Test
    void mediaIsTheOnlyDroppableLane() {
        assertThat(RealLiveSession.laneOf(ClientMessage.RealtimeInput.ofAudio(new byte[2], 16_000))).isEqualTo(OutboundQueue.Lane.MEDIA);
        assertThat(RealLiveSession.laneOf(ClientMessage.RealtimeInput.ofVideo("image/jpeg", new byte[2]))).isEqualTo(OutboundQueue.Lane.VIDEO);
        assertThat(RealLiveSession.laneOf(ClientMessage.RealtimeInput.ofActivityEnd())).isEqualTo(OutboundQueue.Lane.ORDERED);
        assertThat(RealLiveSession.laneOf(ClientMessage.RealtimeInput.ofAudioStreamEnd())).isEqualTo(OutboundQueue.Lane.ORDERED);
        assertThat(RealLiveSession.laneOf(ClientMessage.RealtimeInput.ofText("t"))).isEqualTo(OutboundQueue.Lane.ORDERED);
        assertThat(RealLiveSession.laneOf(ClientMessage.ClientContent.userText("t"))).isEqualTo(OutboundQueue.Lane.CONTROL);
    }

    @Test
    void redactionMasksSecretsAndAbbreviatesBase64() {
        assertThat(Redactor.redact("wss://h/ws/x?key=SECRET&alt=1")).isEqualTo("wss://h/ws/x?key=<redacted>&alt=1");
        assertThat(Redactor.redact("wss://h/ws/x?access_token=auth_tokens/abc")).doesNotContain("abc");
        assertThat(Redactor.redact("Authorization: Bearer ya29.abc, x-goog-api-key: K"))
                .isEqualTo("Authorization: Bearer <redacted>, x-goog-api-key: <redacted>");
        String frame = LiveCodec.encode(ClientMessage.RealtimeInput.ofAudio(new byte[300], 16_000));
        assertThat(Redactor.redact(frame)).isEqualTo(
                "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\"AAAAAAAAAAAAAAAA…(400 base64 chars)\"}}}");
        assertThat(Redactor.redact("{\"text\":\"short\"}")).isEqualTo("{\"text\":\"short\"}");
    }

    @Test
    void audioOnlyConfigEncodes() {
        SessionConfig a = SessionConfig.create(b -> b.model("m").responseModality(ResponseModality.AUDIO));
        assertThat(p.openingFrames(ClientConfig.create(b -> b.apiKey("k")), a).getFirst())
                .isEqualTo("{\"setup\":{\"model\":\"models/m\",\"generationConfig\":{\"responseModalities\":[\"AUDIO\"]}}}");
    }
}
