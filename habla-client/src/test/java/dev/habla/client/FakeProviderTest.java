package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.protocol.Content;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A second provider ({@link FakeProvider}, its own JSON wire served by {@link FakeProviderServer}) drives a plain
 * {@link LiveSession} end to end through the public API, with no change to the session machinery: the seam of issue 9.
 */
@Timeout(30)
class FakeProviderTest {
    private FakeProviderServer server;
    private LiveClient client;
    private final LinkedBlockingQueue<LiveEvent> events = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        server = new FakeProviderServer();
        client = LiveClient.create(c -> c.apiKey("fake-key").baseUrl(server.baseUrl())
                .provider(Provider.custom(new FakeProvider())));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    private LiveEvent next() throws InterruptedException {
        LiveEvent e = events.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("an event within 10 s").isNotNull();
        return e;
    }

    @Test
    void connectsSendsTextGetsEventsAndClosesCleanly() throws Exception {
        SessionConfig config = SessionConfig.create(b -> b.model("fake-1").voice("marin")
                .initialHistory(List.of(Content.text("user", "my name is Ada"), Content.text("model", "Hi Ada"))));
        assertThat(client.capabilities(config).inputSampleRate()).isEqualTo(24_000);
        try (LiveSession s = client.connect(config, events::add)) {
            assertThat(next()).isEqualTo(new LiveEvent.SetupCompleted("fake-session"));
            assertThat(s.capabilities().provider()).isEqualTo("fake");
            assertThat(s.capabilities().knowsVoice("Marin")).isTrue();

            assertThat(s.sendText("hello there")).isEqualTo(SendResult.QUEUED);
            assertThat(next()).isEqualTo(new LiveEvent.TextDelta("You said: hello there", false));
            assertThat(next()).isInstanceOfSatisfying(LiveEvent.TurnComplete.class,
                    t -> assertThat(t.usage().promptTokenCount()).isEqualTo(11));

            // Per-connection state: the codec names the answer it saw when playback is reported.
            s.reportPlayback(Duration.ofMillis(1200));
            // A command spelled as two frames; they arrive as one unit, after the playback report.
            s.sendAudio(new byte[480], 24_000);
            s.sendAudio(new byte[480], 24_000);
            s.audioStreamEnd();
            assertThat(next()).isEqualTo(new LiveEvent.TextDelta("I got 2 audio frames.", false));
            assertThat(next()).isInstanceOf(LiveEvent.TurnComplete.class);
        }
        assertThat(next()).isInstanceOfSatisfying(LiveEvent.Closed.class, c -> {
            assertThat(c.code()).isEqualTo(1000);
            assertThat(c.failed()).isFalse();
        });
        assertThat(server.received()).containsExactly(
                "{\"op\":\"hello\",\"model\":\"fake-1\",\"voice\":\"marin\"}",
                "{\"op\":\"history\",\"role\":\"user\",\"text\":\"my name is Ada\"}",
                "{\"op\":\"history\",\"role\":\"model\",\"text\":\"Hi Ada\"}",
                "{\"op\":\"say\",\"text\":\"hello there\"}",
                "{\"op\":\"truncate\",\"rid\":\"r1\",\"ms\":1200}",
                "{\"op\":\"audio\",\"pcm\":\"" + java.util.Base64.getEncoder().encodeToString(new byte[480]) + "\"}",
                "{\"op\":\"audio\",\"pcm\":\"" + java.util.Base64.getEncoder().encodeToString(new byte[480]) + "\"}",
                "{\"op\":\"commit\"}",
                "{\"op\":\"respond\"}");
    }

    @Test
    void theProvidersCloseCodesBecomeTypedErrors() throws Exception {
        LiveSession s = client.connect(SessionConfig.create(b -> b.model("fake-1")), events::add);
        assertThat(next()).isInstanceOf(LiveEvent.SetupCompleted.class);
        s.sendText("quota");
        assertThat(next()).isInstanceOfSatisfying(LiveEvent.Closed.class, c -> {
            assertThat(c.code()).isEqualTo(4001);
            assertThat(c.error().kind()).isEqualTo(LiveException.Kind.RESOURCE_EXHAUSTED);
            assertThat(c.error().closeReason()).isEqualTo("quota exhausted");
        });
        assertThat(s.state()).isEqualTo(SessionState.FAILED);

        LiveSession t = client.connect(SessionConfig.create(b -> b.model("fake-1")), events::add);
        assertThat(next()).isInstanceOf(LiveEvent.SetupCompleted.class);
        t.sendText("nonsense");
        assertThat(next()).isInstanceOfSatisfying(LiveEvent.Closed.class,
                c -> assertThat(c.error().kind()).isEqualTo(LiveException.Kind.INVALID_ARGUMENT));
    }

    @Test
    void theProviderRefusesWhatItCannotExpressBeforeTheWire() throws Exception {
        try (LiveSession s = client.connect(SessionConfig.create(b -> b.model("fake-1")), events::add)) {
            assertThat(next()).isInstanceOf(LiveEvent.SetupCompleted.class);
            assertThatThrownBy(() -> s.sendVideo("image/png", new byte[] {1}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot express");
            assertThat(s.state()).isEqualTo(SessionState.OPEN);
        }
        // An option the provider cannot honour fails the connect with a typed error, before anything is sent.
        assertThatThrownBy(() -> client.connect(SessionConfig.create(b -> b.model("fake-1").resumptionHandle("h")),
                events::add)).isInstanceOfSatisfying(LiveException.class,
                        e -> assertThat(e.kind()).isEqualTo(LiveException.Kind.INVALID_ARGUMENT));
    }

    @Test
    void aFailedHandshakeIsMappedByTheProvider() {
        LiveClient wrong = LiveClient.create(c -> c.apiKey("k").baseUrl(server.baseUrl() + "/nowhere")
                .provider(Provider.custom(new FakeProvider())));
        try (wrong) {
            assertThatThrownBy(() -> wrong.connect(SessionConfig.create(b -> b.model("fake-1")), events::add))
                    .isInstanceOfSatisfying(LiveException.class,
                            e -> assertThat(e.kind()).isEqualTo(LiveException.Kind.NOT_FOUND));
        }
    }
}
