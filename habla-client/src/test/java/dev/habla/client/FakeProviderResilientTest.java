package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A second provider ({@link FakeProvider}: its own wire, no resumption handles, no handover, continuity by re-seeding
 * from the transcript) drives a {@link ResilientSession} end to end, with no change to the resilient session: a
 * connection cut right after a line was typed is replaced by a re-seeded one, and the line is answered exactly once.
 */
@Timeout(30)
class FakeProviderResilientTest {
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

    /** The next event of one of {@code kinds} (others are collected in {@code skipped}), within 10 s. */
    private LiveEvent next(List<LiveEvent> skipped, Class<?>... kinds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            LiveEvent e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(e).as("an event of %s within 10 s", List.of(kinds)).isNotNull();
            for (Class<?> k : kinds) {
                if (k.isInstance(e)) {
                    return e;
                }
            }
            skipped.add(e);
        }
    }

    @RepeatedTest(5)
    void aDropRightAfterALineIsReSeededAndTheLineAnsweredOnce() throws Exception {
        List<LiveEvent> skipped = new ArrayList<>();
        try (ResilientSession s = client.connectResilient(SessionConfig.create(b -> b.model("fake-1")), events::add)) {
            assertThat(next(skipped, LiveEvent.SetupCompleted.class)).isEqualTo(new LiveEvent.SetupCompleted("fake-session"));
            assertThat(s.capabilities().provider()).isEqualTo("fake");
            s.sendText("my name is Ada");
            assertThat(next(skipped, LiveEvent.TextDelta.class)).isEqualTo(new LiveEvent.TextDelta("You said: my name is Ada", false));
            next(skipped, LiveEvent.TurnComplete.class);

            server.dropNextSay();
            assertThat(s.sendText("what is my name")).isEqualTo(SendResult.QUEUED);
            assertThat(next(skipped, LiveEvent.Reconnecting.class)).isInstanceOf(LiveEvent.Reconnecting.class);
            assertThat(next(skipped, LiveEvent.Reconnected.class)).isInstanceOfSatisfying(LiveEvent.Reconnected.class,
                    r -> assertThat(r.resumed()).as("no handles on this provider: re-seeded").isFalse());
            assertThat(next(skipped, LiveEvent.TextDelta.class))
                    .isEqualTo(new LiveEvent.TextDelta("You said: what is my name", false));
            next(skipped, LiveEvent.TurnComplete.class);

            // Anything answered twice would come before the answer to the next line.
            s.sendText("bye");
            assertThat(next(skipped, LiveEvent.TextDelta.class)).isEqualTo(new LiveEvent.TextDelta("You said: bye", false));
            next(skipped, LiveEvent.TurnComplete.class);
        }
        assertThat(next(skipped, LiveEvent.Closed.class)).isInstanceOfSatisfying(LiveEvent.Closed.class,
                c -> assertThat(c.failed()).isFalse());
        assertThat(skipped).noneMatch(e -> e instanceof LiveEvent.TextDelta);
        assertThat(server.connections()).isEqualTo(2);
        assertThat(server.received()).containsExactly(
                "{\"op\":\"hello\",\"model\":\"fake-1\"}",
                "{\"op\":\"say\",\"text\":\"my name is Ada\"}",
                "{\"op\":\"say\",\"text\":\"what is my name\"}",
                // The second connection: a new conversation seeded with the transcript, then the lost line, once.
                "{\"op\":\"hello\",\"model\":\"fake-1\"}",
                "{\"op\":\"history\",\"role\":\"user\",\"text\":\"my name is Ada\"}",
                "{\"op\":\"history\",\"role\":\"model\",\"text\":\"You said: my name is Ada\"}",
                "{\"op\":\"say\",\"text\":\"what is my name\"}",
                "{\"op\":\"say\",\"text\":\"bye\"}");
    }

    @Test
    void beforeTheProvidersHardLifetimeTheConversationMovesToAReSeededConnection() throws Exception {
        FakeClock clock = new FakeClock();
        List<LiveEvent> skipped = new ArrayList<>();
        try (ResilientSession s = client.connectResilient(SessionConfig.create(b -> b.model("fake-1")), events::add,
                // No turnComplete hold (a timer on the fake clock that nobody advances during an answer).
                ResiliencePolicy.defaults().with(b -> b.scheduler(clock).prematureTurnCompleteHold(Duration.ZERO)))) {
            next(skipped, LiveEvent.SetupCompleted.class);
            s.sendText("my name is Ada");
            assertThat(next(skipped, LiveEvent.TextDelta.class)).isEqualTo(new LiveEvent.TextDelta("You said: my name is Ada", false));
            next(skipped, LiveEvent.TurnComplete.class);

            // The fake provider's connections live 60 minutes and give no warning: the switch starts 5 minutes before.
            clock.advance(Duration.ofMinutes(55).minusSeconds(1));
            s.sendText("still here");
            assertThat(next(skipped, LiveEvent.TextDelta.class)).isEqualTo(new LiveEvent.TextDelta("You said: still here", false));
            next(skipped, LiveEvent.TurnComplete.class);
            assertThat(skipped).noneMatch(e -> e instanceof LiveEvent.HandoverStarted);
            clock.advance(Duration.ofSeconds(1));
            assertThat(next(skipped, LiveEvent.HandoverStarted.class)).isEqualTo(
                    new LiveEvent.HandoverStarted(LiveEvent.HandoverCause.PROACTIVE, Duration.ofMinutes(5)));
            assertThat(next(skipped, LiveEvent.HandoverCompleted.class)).isInstanceOfSatisfying(
                    LiveEvent.HandoverCompleted.class, h -> assertThat(h.connection()).isEqualTo(2));
            s.sendText("bye");
            assertThat(next(skipped, LiveEvent.TextDelta.class)).isEqualTo(new LiveEvent.TextDelta("You said: bye", false));
            next(skipped, LiveEvent.TurnComplete.class);
        }
        assertThat(next(skipped, LiveEvent.Closed.class)).isInstanceOfSatisfying(LiveEvent.Closed.class,
                c -> assertThat(c.failed()).isFalse());
        assertThat(server.connections()).isEqualTo(2);
        assertThat(server.received()).containsExactly(
                "{\"op\":\"hello\",\"model\":\"fake-1\"}",
                "{\"op\":\"say\",\"text\":\"my name is Ada\"}",
                "{\"op\":\"say\",\"text\":\"still here\"}",
                "{\"op\":\"hello\",\"model\":\"fake-1\"}",
                "{\"op\":\"history\",\"role\":\"user\",\"text\":\"my name is Ada\"}",
                "{\"op\":\"history\",\"role\":\"model\",\"text\":\"You said: my name is Ada\"}",
                "{\"op\":\"history\",\"role\":\"user\",\"text\":\"still here\"}",
                "{\"op\":\"history\",\"role\":\"model\",\"text\":\"You said: still here\"}",
                "{\"op\":\"say\",\"text\":\"bye\"}");
    }
}
