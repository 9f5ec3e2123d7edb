package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedRealtimeEvent;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Tool;
import dev.habla.realtime.ClientEvent;
import dev.habla.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What only OpenAI Realtime has, against the emulator's {@code /v1/realtime}: the truncation of a cut answer at the
 * position played, in-band errors that leave the session open, refusals at connect as typed errors, and the session
 * cap (a resilient conversation re-seeded on a new connection). The scenarios both providers share are
 * {@link ProviderConformanceTest}'s.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenAiEmulatorTest {
    static final String KEY = "sk-test-key";
    static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final EmulatorExtension extension = EmulatorExtension.create(x -> x.emulator(b -> b.apiKey(KEY)));
    LiveEmulator emulator;

    @BeforeEach
    void bind() {
        emulator = extension.emulator();
    }

    private LiveClient client(String key) {
        return extension.closeAfterwards(LiveClient.create(c -> c.apiKey(key).baseUrl(emulator.baseUrl())
                .provider(Provider.OPENAI)));
    }

    static SessionConfig audio() {
        return SessionConfig.create(b -> b.model("gpt-realtime").responseModality(ResponseModality.AUDIO));
    }

    /** The next client event at the emulator matching {@code p}, skipping others; fails after {@link #WAIT}. */
    private ClientEvent takeEvent(Predicate<ClientEvent> p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ReceivedRealtimeEvent e = emulator.takeRealtimeEvent(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (e != null && p.test(e.event())) {
                return e.event();
            }
        }
        throw new AssertionError("no matching client event within " + WAIT);
    }

    @Test
    void aCutAnswerIsTruncatedWhereThePlayerStopped() throws Exception {
        RecordingListener rec = new RecordingListener();
        // A player: it stops on Interrupted, in the listener (as the voice loop does), and says where it stopped.
        java.util.concurrent.atomic.AtomicReference<LiveSession> session = new java.util.concurrent.atomic.AtomicReference<>();
        SessionListener player = e -> {
            rec.onEvent(e);
            if (e instanceof LiveEvent.Interrupted && session.get() != null) {
                session.get().reportPlayback(Duration.ofMillis(250));
            }
        };
        try (LiveSession s = client(KEY).connect(audio(), player)) {
            session.set(s);
            s.sendText("please tell me everything about the sea, the ships on it, and the people who sail them");
            LiveEvent.AudioChunk first = rec.await(LiveEvent.AudioChunk.class, WAIT);
            s.reportPlayback(first.duration()); // what the player has played so far
            int rate = s.capabilities().inputSampleRate();
            ProviderConformanceTest.speak(s, ProviderConformanceTest.tone(rate, 0.4), rate);
            ProviderConformanceTest.speak(s, new byte[rate * 2], rate);
            rec.await(LiveEvent.Interrupted.class, WAIT);
            ClientEvent truncate = takeEvent(e -> e instanceof ClientEvent.ConversationItemTruncate);
            assertThat(((ClientEvent.ConversationItemTruncate) truncate).audioEndMs()).isEqualTo(250);
            assertThat(((ClientEvent.ConversationItemTruncate) truncate).contentIndex()).isZero();
            rec.await(LiveEvent.TurnComplete.class, WAIT); // the cut answer
            rec.await(LiveEvent.TurnComplete.class, WAIT); // the answer to the spoken turn
        }
        assertThat(rec.events()).noneMatch(e -> e instanceof LiveEvent.ServiceError); // the service accepted it
        assertThat(rec.awaitClosed(WAIT).error()).isNull();
    }

    @Test
    void anInBandErrorIsATypedEventAndTheSessionGoesOn() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client(KEY).connect(SessionConfig.create(b -> b.model("gpt-realtime")
                .responseModality(ResponseModality.TEXT)), rec)) {
            // A tool without a name: the service refuses the whole update in band.
            s.send(new ClientMessage.ContextUpdate(null, new ClientMessage.ContextUpdate.ToolsUpdate(List.of(
                    Tool.ofFunctions(List.of(FunctionDeclaration.of("", "nameless", null)))))));
            LiveEvent.ServiceError error = rec.await(LiveEvent.ServiceError.class, WAIT);
            assertThat(error.error().kind()).isEqualTo(LiveException.Kind.INVALID_ARGUMENT);
            assertThat(error.error().getMessage()).contains("missing_required_parameter").contains("session.tools[0].name");
            assertThat(s.state()).isEqualTo(SessionState.OPEN);
            s.sendText("still here");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).isEqualTo("You said: still here");
        }
        assertThat(rec.awaitClosed(WAIT).error()).isNull();
    }

    @Test
    void aNewTurnDuringAnAnswerCutsItAsOnGemini() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client(KEY).connect(audio(), rec)) {
            s.sendText("please tell me everything about the sea, the ships on it, and the people who sail them");
            rec.await(LiveEvent.AudioChunk.class, WAIT);
            s.sendText("stop, a new question");
            rec.await(LiveEvent.Interrupted.class, WAIT);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            StringBuilder t = new StringBuilder();
            rec.all(LiveEvent.OutputTranscription.class).forEach(o -> t.append(o.text()));
            assertThat(t.toString()).endsWith("You said: stop, a new question");
        }
        assertThat(rec.events()).noneMatch(e -> e instanceof LiveEvent.ServiceError);
    }

    @Test
    void aRejectedKeyOrAnUnknownModelFailsTheConnectWithATypedError() {
        assertThatThrownBy(() -> client("sk-wrong").connect(audio(), e -> { }))
                .isInstanceOfSatisfying(LiveException.class, e -> {
                    assertThat(e.kind()).isEqualTo(LiveException.Kind.UNAUTHENTICATED);
                    assertThat(e.getMessage()).doesNotContain("sk-wrong");
                });
        assertThatThrownBy(() -> client(KEY).connect(SessionConfig.create(b -> b.model("gpt-nope")), e -> { }))
                .isInstanceOfSatisfying(LiveException.class, e -> assertThat(e.kind()).isEqualTo(LiveException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> client(KEY).connect(SessionConfig.create(b -> b.model("gpt-realtime").temperature(0.8)), e -> { }))
                .isInstanceOfSatisfying(LiveException.class, e -> {
                    assertThat(e.kind()).isEqualTo(LiveException.Kind.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("OpenAI Realtime cannot honour: temperature");
                });
    }

    @Test
    void anEphemeralClientSecretConnectsLikeAKey() throws Exception {
        // What a browser's backend does: mint a client secret with the real key, hand the ek_… value to the page.
        java.net.http.HttpResponse<String> minted = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(emulator.openAiBaseUrl() + "/realtime/client_secrets"))
                        .header("Authorization", "Bearer " + KEY).header("content-type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "{\"session\":{\"type\":\"realtime\",\"model\":\"gpt-realtime\"}}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(200);
        String secret = new com.fasterxml.jackson.databind.ObjectMapper().readTree(minted.body()).path("value").asText();
        assertThat(secret).startsWith("ek_");
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client(secret).connect(SessionConfig.create(b -> b.model("gpt-realtime")
                .responseModality(ResponseModality.TEXT)), rec)) {
            s.sendText("hello from a browser");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).isEqualTo("You said: hello from a browser");
        }
    }

    @Test
    void theSessionCapEndsTheConnectionAndAResilientConversationGoesOnReSeeded() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client(KEY).connectResilient(SessionConfig.create(b -> b.model("gpt-realtime")
                .responseModality(ResponseModality.TEXT)), rec)) {
            s.sendText("my name is Ada");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            emulator.inject(new Fault.DeadlineExpired()); // close 1001 "maximum duration of 60 minutes"
            LiveEvent.Reconnecting r = rec.await(LiveEvent.Reconnecting.class, WAIT);
            assertThat(r.cause().closeCode()).isEqualTo(1001);
            assertThat(r.cause().kind()).isEqualTo(LiveException.Kind.UNAVAILABLE);
            assertThat(rec.await(LiveEvent.Reconnected.class, WAIT).resumed()).isFalse();
            s.sendText("history");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).endsWith("History: 1. my name is Ada");
        }
    }

    @Test
    void beforeTheSixtyMinutesRunOutTheConversationMovesToAReSeededConnection() throws Exception {
        FakeClock clock = new FakeClock();
        try (LiveEmulator emu = LiveEmulator.create(b -> b.apiKey(KEY).clock(clock));
             LiveClient client = LiveClient.create(c -> c.apiKey(KEY).baseUrl(emu.baseUrl()).provider(Provider.OPENAI))) {
            RecordingListener rec = new RecordingListener();
            try (ResilientSession s = client.connectResilient(SessionConfig.create(b -> b.model("gpt-realtime")
                    .responseModality(ResponseModality.TEXT)), rec,
                    ResiliencePolicy.defaults().with(b -> b.scheduler(clock).prematureTurnCompleteHold(Duration.ZERO)))) {
                s.sendText("my name is Ada");
                rec.await(LiveEvent.TurnComplete.class, WAIT);
                clock.advance(Duration.ofMinutes(55));
                rec.await(LiveEvent.HandoverStarted.class, WAIT);
                rec.await(LiveEvent.HandoverCompleted.class, WAIT);
                s.sendText("history");
                rec.await(LiveEvent.TurnComplete.class, WAIT);
                assertThat(rec.text()).endsWith("History: 1. my name is Ada");
            }
            assertThat(rec.events()).noneMatch(e -> e instanceof LiveEvent.Reconnecting);
        }
    }
}
