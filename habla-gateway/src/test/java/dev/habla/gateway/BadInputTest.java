package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.testing.RawWs;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each kind of bad input gets its close code and reason after the upgrade (a browser can read them), and a bystander
 * session on the same gateway keeps working through all of them.
 */
@org.junit.jupiter.api.Timeout(60)
class BadInputTest {
    static final Duration T = Duration.ofSeconds(10);
    static final String SETUP = "{\"setup\":{\"model\":\"models/" + Fixture.MODEL + "\",\"generationConfig\":{\"responseModalities\":[\"TEXT\"]}}}";
    static Fixture f;
    static LiveClient bystanderClient;
    static LiveSession bystander;
    static Events bystanderEvents = new Events();
    static int turn;

    @BeforeAll
    static void start() throws Exception {
        f = new Fixture(e -> { }, g -> g.maxMessageBytes(64 * 1024)
                .app(new GatewayApp("narrow", "admin-key-narrow-0123456789", java.util.Set.of(Fixture.MODEL), 0, 0)));
        bystanderClient = f.tokenClient(f.mint("{}"));
        bystander = bystanderClient.connect(SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT)),
                bystanderEvents);
    }

    @AfterAll
    static void stop() {
        bystander.close();
        bystanderClient.close();
        f.close();
    }

    @BeforeEach
    @AfterEach
    void bystanderUnaffected() throws Exception {
        String text = "bystander " + (++turn);
        bystander.sendText(text);
        assertThat(bystanderEvents.reply(T)).isEqualTo("You said: " + text);
        assertThat(bystanderEvents.all).noneMatch(e -> e instanceof LiveEvent.Closed);
    }

    static String adminUrl(String key) {
        return f.gateway.baseUrl().replace("http://", "ws://")
                + "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=" + key;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            malformed JSON first              | {"setup": {"model":                                        | 1007 | Invalid JSON payload received.
            unknown field in setup            | {"setup":{"model":"models/gemini-2.0-flash-live-001","generationConfg":{}}} | 1007 | Unknown name "generationConfg"
            first message not setup           | {"clientContent":{"turns":[],"turnComplete":true}}          | 1007 | Request contains an invalid argument.
            two top-level messages            | {"setup":{"model":"models/x"},"clientContent":{}}           | 1007 | Invalid JSON payload received.
            setup without a model             | {"setup":{}}                                                | 1007 | Request contains an invalid argument.
            disallowed model (admin key path) | {"setup":{"model":"models/gemini-live-2.5-flash-preview"}}  | 1008 | models/gemini-live-2.5-flash-preview is not allowed for this app.
            """)
    void refusedFirstFrames(String name, String frame, int code, String reason) throws Exception {
        try (RawWs ws = RawWs.open(adminUrl("admin-key-narrow-0123456789"), Map.of())) {
            ws.send(frame.strip());
            RawWs.Closed c = ws.awaitClose(T);
            assertThat(c.code()).as(name).isEqualTo(code);
            assertThat(c.reason()).as(name).contains(reason);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            binary garbage after setup  | garbage   | 1007
            frame over the size limit   | oversize  | 1009
            unknown field mid-session   | unknown   | 1007
            second setup                | setup     | 1007
            """)
    void refusedLaterFrames(String name, String what, int code) throws Exception {
        int before = f.gateway.openSessions();
        try (RawWs ws = RawWs.open(adminUrl(Fixture.ADMIN_KEY), Map.of())) {
            ws.send(SETUP);
            ws.framesUntil(j -> j.contains("setupComplete"), T);
            // trySend: the server may close (e.g. 1009 on a frame's header) before the client has finished sending it.
            switch (what) {
                case "garbage" -> ws.sendBytes(new byte[] {(byte) 0xff, 0x00, (byte) 0xfe, 0x13, 0x37});
                case "oversize" -> ws.trySend("{\"realtimeInput\":{\"text\":\"" + "x".repeat(100 * 1024) + "\"}}");
                case "unknown" -> ws.trySend("{\"clientContent\":{\"turnz\":[]}}");
                default -> ws.trySend(SETUP);
            }
            RawWs.Closed c = ws.awaitClose(T);
            assertThat(c.code()).as(name).isEqualTo(code);
        }
        // Its upstream session ends with it.
        long deadline = System.nanoTime() + T.toNanos();
        while (f.gateway.openSessions() > before && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // polling, bounded by the deadline
        }
        assertThat(f.gateway.openSessions()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            wrong token      | token   | 1008 | API key not valid. Please pass a valid API key.
            wrong admin key  | key     | 1008 | API key not valid. Please pass a valid API key.
            page from a disallowed origin | origin | 1008 | Origin not allowed by this gateway.
            """)
    void refusedCredentials(String name, String what, int code, String reason) throws Exception {
        String url = switch (what) {
            case "token" -> f.tokenUrl("auth_tokens/" + "ab".repeat(32));
            case "key" -> adminUrl("nope");
            default -> f.tokenUrl(f.mint("{}"));
        };
        try (RawWs ws = RawWs.open(url, what.equals("origin") ? Map.of("Origin", "https://evil.example") : Map.of())) {
            ws.trySend(SETUP);
            RawWs.Closed c = ws.awaitClose(T);
            assertThat(c.code()).as(name).isEqualTo(code);
            assertThat(c.reason()).as(name).isEqualTo(reason);
        }
    }
}
