package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Tool;
import dev.habla.tools.ToolRegistry;
import dev.habla.tools.Tools;
import dev.habla.testing.FakeClock;
import dev.habla.testing.RawWs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Live sessions through the gateway with ephemeral tokens and admin keys, against the emulator upstream. */
@Timeout(60)
class GatewaySessionTest {
    static final Duration T = Duration.ofSeconds(15);
    static final FakeClock CLOCK = new FakeClock(java.time.Instant.now());
    static Fixture f;

    record Sum(int a, int b) {}

    @BeforeAll
    static void start() {
        ToolRegistry tools = ToolRegistry.create(b -> b.add(Tools.function("add", "Adds two numbers", Sum.class, s -> s.a() + s.b())));
        f = new Fixture(e -> { }, g -> g.clock(CLOCK).tools(tools)
                .app(new GatewayApp("solo", "admin-key-solo-0123456789", java.util.Set.of(), 1, 0)));
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static SessionConfig text() {
        return SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT));
    }

    @Test
    void tokenSessionTextTurnAndHistory() throws Exception {
        String token = f.mint("{}");
        Events ev = new Events();
        try (LiveClient client = f.tokenClient(token); LiveSession s = client.connect(text(), ev)) {
            s.sendText("hello");
            assertThat(ev.reply(T)).isEqualTo("You said: hello");
            s.sendText("what is up");
            assertThat(ev.reply(T)).isEqualTo("You said: what is up");
            s.sendText("history");
            assertThat(ev.reply(T)).isEqualTo("History: 1. hello | 2. what is up");
        }
        AppUsage u = f.gateway.usage("shop");
        assertThat(u.promptTokens().get("TOTAL")).isPositive();
        assertThat(u.responseTokens().get("TOTAL")).isPositive();
        assertThat(u.sessionsStarted()).isPositive();
        Fixture.Http metrics = f.request("GET", "/metrics", null, null);
        assertThat(metrics.body()).contains("habla_gateway_tokens_total{app=\"shop\",direction=\"prompt\",modality=\"TOTAL\"}");
        JsonNode usage = f.request("GET", "/admin/usage", Fixture.ADMIN_KEY, null).json();
        assertThat(usage.path("app").asText()).isEqualTo("shop");
        assertThat(usage.path("promptTokens").path("TOTAL").asLong()).isPositive();
        assertThat(f.request("GET", "/admin/usage", "wrong", null).status()).isEqualTo(400);
    }

    @Test
    void usesAreCountedAndUsedUpTokensRefused() throws Exception {
        String token = f.mint("{\"uses\":1}");
        try (LiveClient client = f.tokenClient(token)) {
            Events ev = new Events();
            try (LiveSession s = client.connect(text(), ev)) {
                s.sendText("one");
                assertThat(ev.reply(T)).isEqualTo("You said: one");
            }
            assertThatThrownBy(() -> client.connect(text(), new Events()))
                    .isInstanceOfSatisfying(LiveException.class, e -> {
                        assertThat(e.closeCode()).isEqualTo(1008);
                        assertThat(e.closeReason()).isEqualTo("Ephemeral token has no uses left.");
                    });
        }
    }

    @Test
    void tokenInAuthorizationHeaderAsPythonAndJavaSdksSendIt() throws Exception {
        String token = f.mint("{}");
        String url = f.gateway.baseUrl().replace("http://", "ws://")
                + "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained";
        try (RawWs ws = RawWs.open(url, Map.of("Authorization", "Token " + token))) {
            ws.send("{\"setup\":{\"model\":\"models/" + Fixture.MODEL + "\"}}");
            assertThat(ws.poll(Duration.ofSeconds(10))).isEqualTo(new RawWs.Frame("{\"setupComplete\":{}}", true));
        }
    }

    @Test
    void wrongTokenAndProviderKeyRefused() throws Exception {
        try (LiveClient client = f.tokenClient("auth_tokens/" + "0".repeat(64))) {
            assertThatThrownBy(() -> client.connect(text(), new Events())).isInstanceOfSatisfying(LiveException.class, e -> {
                assertThat(e.closeCode()).isEqualTo(1008);
                assertThat(e.closeReason()).isEqualTo("API key not valid. Please pass a valid API key.");
            });
        }
        // The provider's key means nothing to the gateway.
        try (LiveClient client = LiveClient.create(c -> c.apiKey(Fixture.PROVIDER_KEY).baseUrl(f.gateway.baseUrl()))) {
            assertThatThrownBy(() -> client.connect(text(), new Events())).isInstanceOfSatisfying(LiveException.class,
                    e -> assertThat(e.closeCode()).isEqualTo(1008));
        }
    }

    @Test
    void expiredTokensRefused() throws Exception {
        String token = f.mint("{\"uses\":0}");
        CLOCK.advance(Duration.ofSeconds(61)); // past newSessionExpireTime (60 s), before expireTime (30 min)
        try (LiveClient client = f.tokenClient(token)) {
            assertThatThrownBy(() -> client.connect(text(), new Events())).isInstanceOfSatisfying(LiveException.class, e -> {
                assertThat(e.closeCode()).isEqualTo(1008);
                assertThat(e.closeReason()).contains("can no longer start new sessions");
            });
            CLOCK.advance(Duration.ofMinutes(30));
            assertThatThrownBy(() -> client.connect(text(), new Events())).isInstanceOfSatisfying(LiveException.class, e -> {
                assertThat(e.closeCode()).isEqualTo(1008);
                assertThat(e.closeReason()).isEqualTo("Ephemeral token expired.");
            });
        }
    }

    /** The emulator's view: the setup the gateway sent upstream for the next session. */
    static ClientMessage.Setup nextUpstreamSetup() throws InterruptedException {
        while (true) {
            ReceivedMessage m = f.emulator.takeClientMessage(T);
            assertThat(m).as("an upstream setup").isNotNull();
            if (m.message() instanceof ClientMessage.Setup s) {
                return s;
            }
        }
    }

    static void drainUpstream() throws InterruptedException {
        while (f.emulator.takeClientMessage(Duration.ofMillis(50)) != null) { }
    }

    @Test
    void constraintsWithoutFieldMaskLockEverything() throws Exception {
        String token = f.mint("{\"bidiGenerateContentSetup\":{\"model\":\"models/" + Fixture.MODEL + "\",\"generationConfig\":"
                + "{\"responseModalities\":[\"TEXT\"],\"temperature\":0.5},\"systemInstruction\":{\"parts\":[{\"text\":\"Always answer in English.\"}],"
                + "\"role\":\"user\"}}}");
        drainUpstream();
        SessionConfig mine = SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT)
                .temperature(1.5).systemInstruction("Answer in French.").outputTranscription(true));
        Events ev = new Events();
        try (LiveClient client = f.tokenClient(token); LiveSession s = client.connect(mine, ev)) {
            ClientMessage.Setup up = nextUpstreamSetup();
            assertThat(up.generationConfig().temperature()).isEqualTo(0.5);
            assertThat(up.systemInstruction().parts().getFirst().text()).isEqualTo("Always answer in English.");
            assertThat(up.outputAudioTranscription()).as("locked to unset").isNull();
            assertThat(up.contextWindowCompression()).as("compression on by default upstream").isNotNull();
            s.sendText("hi");
            assertThat(ev.reply(T)).isEqualTo("You said: hi");
        }
    }

    @Test
    void fieldMaskLocksOnlyItsPaths() throws Exception {
        // lockAdditionalFields: ['temperature'] with constraints {model, responseModalities}: the SDK's mask.
        String token = f.mint("{\"bidiGenerateContentSetup\":{\"model\":\"models/" + Fixture.MODEL + "\",\"generationConfig\":"
                + "{\"responseModalities\":[\"TEXT\"]}},\"fieldMask\":\"model,generationConfig.responseModalities,generationConfig.temperature\"}");
        drainUpstream();
        SessionConfig mine = SessionConfig.create(b -> b.model("gemini-live-2.5-flash-preview").responseModality(ResponseModality.TEXT)
                .temperature(1.5).systemInstruction("Answer in French."));
        try (LiveClient client = f.tokenClient(token); LiveSession s = client.connect(mine, new Events())) {
            ClientMessage.Setup up = nextUpstreamSetup();
            assertThat(up.model()).isEqualTo("models/" + Fixture.MODEL);
            assertThat(up.generationConfig().temperature()).as("locked to the token's (unset)").isNull();
            assertThat(up.systemInstruction().parts().getFirst().text()).as("not locked").isEqualTo("Answer in French.");
        }
    }

    @Test
    void disallowedModelRefusedAfterUpgrade() throws Exception {
        try (LiveClient client = LiveClient.create(c -> c.apiKey(Fixture.OTHER_ADMIN_KEY).baseUrl(f.gateway.baseUrl()))) {
            assertThatThrownBy(() -> client.connect(SessionConfig.create(b -> b.model("gemini-live-2.5-flash-preview")
                    .responseModality(ResponseModality.TEXT)), new Events())).isInstanceOfSatisfying(LiveException.class, e -> {
                assertThat(e.closeCode()).isEqualTo(1008);
                assertThat(e.closeReason()).isEqualTo("models/gemini-live-2.5-flash-preview is not allowed for this app.");
            });
            Events ev = new Events();
            try (LiveSession s = client.connect(text(), ev)) { // the allowed one works, with the admin key (app backends)
                s.sendText("ok");
                assertThat(ev.reply(T)).isEqualTo("You said: ok");
            }
        }
    }

    @Test
    void serverToolsAnsweredInTheGatewayClientToolsPassThrough() throws Exception {
        Tool lights = Tool.ofFunctions(List.of(FunctionDeclaration.of("lights", "Turns the lights on", null)));
        SessionConfig withTool = SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT)
                .tools(List.of(lights)));
        Events ev = new Events();
        try (LiveClient client = f.tokenClient(f.mint("{}")); LiveSession s = client.connect(withTool, ev)) {
            s.sendText("call add {\"a\":2,\"b\":3}");
            String reply = ev.reply(T);
            assertThat(reply).startsWith("Tool add returned").contains("5");
            assertThat(ev.all).noneMatch(e -> e instanceof LiveEvent.ToolCallRequested);

            s.sendText("call lights {}");
            List<LiveEvent> got = ev.until(e -> e instanceof LiveEvent.ToolCallRequested, T);
            LiveEvent.ToolCallRequested call = (LiveEvent.ToolCallRequested) got.getLast();
            assertThat(call.calls()).singleElement().satisfies(c -> assertThat(c.name()).isEqualTo("lights"));
            s.sendToolResponse(List.of(new FunctionResponse(call.calls().getFirst().id(), "lights",
                    Fixture.JSON.valueToTree(Map.of("on", true)), null, false, null)));
            assertThat(ev.reply(T)).isEqualTo("Tool lights returned {\"on\":true}");
        }
    }

    @Test
    void concurrentSessionLimit() throws Exception {
        String key = "admin-key-solo-0123456789";
        try (LiveClient client = LiveClient.create(c -> c.apiKey(key).baseUrl(f.gateway.baseUrl()))) {
            Events first = new Events();
            try (LiveSession s = client.connect(text(), first)) {
                assertThatThrownBy(() -> client.connect(text(), new Events())).isInstanceOfSatisfying(LiveException.class, e -> {
                    assertThat(e.closeCode()).isEqualTo(1011);
                    assertThat(e.closeReason()).contains("too many concurrent sessions");
                });
                s.sendText("still here");
                assertThat(first.reply(T)).isEqualTo("You said: still here");
            }
            long deadline = System.nanoTime() + T.toNanos();
            while (f.gateway.usage("solo").activeSessions() > 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // polling, bounded by the deadline
            }
            Events again = new Events();
            try (LiveSession s = client.connect(text(), again)) {
                s.sendText("my turn");
                assertThat(again.reply(T)).isEqualTo("You said: my turn");
            }
        }
    }

    @Test
    void droppedClientResumesWithTheGatewaysHandle() throws Exception {
        String token = f.mint("{\"uses\":1}"); // resuming is not a use
        SessionConfig resumable = SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT).resumption(true));
        String handle;
        try (LiveClient client = f.tokenClient(token)) {
            Events ev = new Events();
            LiveSession s = client.connect(resumable, ev);
            s.sendText("hello");
            assertThat(ev.reply(T)).isEqualTo("You said: hello");
            LiveEvent.ResumptionUpdate u = (LiveEvent.ResumptionUpdate) ev.until(e -> e instanceof LiveEvent.ResumptionUpdate, T).getLast();
            handle = u.handle();
            assertThat(handle).startsWith("gw-");
            assertThat(u.resumable()).isTrue();
            s.abort(); // the phone lost its network: TCP gone, no close frame
            Events ev2 = new Events();
            SessionConfig resume = SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT)
                    .resumption(true).resumptionHandle(handle));
            try (LiveSession s2 = client.connect(resume, ev2)) {
                s2.sendText("history");
                assertThat(ev2.reply(T)).isEqualTo("History: 1. hello");
            }
        }
        // A handle is not a key to someone else's conversation: another app cannot use it.
        try (LiveClient other = LiveClient.create(c -> c.apiKey(Fixture.OTHER_ADMIN_KEY).baseUrl(f.gateway.baseUrl()))) {
            SessionConfig resume = SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT)
                    .resumption(true).resumptionHandle(handle));
            assertThatThrownBy(() -> other.connect(resume, new Events())).isInstanceOf(LiveException.class);
        }
    }
}
