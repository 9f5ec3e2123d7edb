package dev.habla.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.ResilientSession;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ResponseModality;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ToolRunner#connectResilient}: one call gives a resilient session whose tool calls the runner answers, on
 * every connection, through a goAway handover and a dropped connection (emulator over loopback).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResilientToolRunnerTest {
    static final String KEY = "test-key";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final SessionConfig TEXT = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001")
            .responseModality(ResponseModality.TEXT));
    /** Fast and deterministic: short backoff, no jitter, no proactive timer. */
    static final ResiliencePolicy POLICY = ResiliencePolicy.create(p -> p.proactiveHandoverAfter(null)
            .initialBackoff(Duration.ofMillis(10)).jitter(0));

    LiveEmulator emulator;
    LiveClient client;
    final Recorder rec = new Recorder();

    // Short connect timeout and frequent pings: a loaded machine must not hide a dead socket for long.
    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x
            .emulator(b -> b.apiKey(KEY))
            .client(emulator -> LiveClient.create(b -> b.apiKey(KEY).baseUrl(emulator.baseUrl())
                    .connectTimeout(Duration.ofSeconds(3)).pingInterval(Duration.ofSeconds(2)))));

    @BeforeEach
    void bind() {
        emulator = live.emulator();
        client = live.client(LiveClient.class);
    }

    @Test
    void declaresTheToolsOnEveryConnectionAndAnswersAfterAHandover() throws Exception {
        try (ToolRunner tools = ToolRunner.create(ToolRegistry.of(BuiltinTools.calculator()), rec);
             ResilientSession s = tools.connectResilient(client, TEXT, rec, POLICY)) {
            ClientMessage.Setup first =
                    (ClientMessage.Setup) ToolRunnerTest.takeMatching(emulator, ClientMessage.Setup.class::isInstance);
            assertThat(first.tools().getFirst().functionDeclarations().getFirst().name()).isEqualTo("calculator");

            s.sendText("call calculator {\"expression\":\"6*7\"}");
            assertThat(rec.nextTurnText(WAIT)).isEqualTo("Tool calculator returned {\"output\":{\"value\":42}}");

            emulator.inject(new Fault.GoAway(Duration.ofSeconds(10)));
            rec.await(LiveEvent.HandoverCompleted.class, WAIT);
            ClientMessage.Setup second =
                    (ClientMessage.Setup) ToolRunnerTest.takeMatching(emulator, ClientMessage.Setup.class::isInstance);
            assertThat(second.tools()).isEqualTo(first.tools());

            s.sendText("call calculator {\"expression\":\"2+3\"}");
            assertThat(rec.nextTurnText(WAIT)).isEqualTo("Tool calculator returned {\"output\":{\"value\":5}}");
            assertThat(s.handovers()).isEqualTo(1);
        }
    }

    @Test
    void aResultForACallWhoseConnectionDroppedReachesTheModelOnTheNextOne() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FunctionTool slow = Tools.function("get_time", "The time", () -> {
            release.await();
            return "12:00";
        });
        try (ToolRunner tools = ToolRunner.create(ToolRegistry.of(slow), rec);
             ResilientSession s = tools.connectResilient(client, TEXT, rec, POLICY)) {
            awaitHandle(s);
            s.sendText("call get_time {}");
            rec.awaitActivity(ToolActivity.Started.class, WAIT);
            emulator.inject(new Fault.DropConnection());
            rec.await(LiveEvent.Reconnecting.class, WAIT);
            release.countDown();   // the tool finishes while (or just after) the session reconnects
            rec.await(LiveEvent.Reconnected.class, WAIT);

            assertThat(rec.nextTurnText(WAIT)).endsWith("Tool get_time returned {\"output\":\"12:00\"}");
            ToolActivity.Completed done = rec.awaitActivity(ToolActivity.Completed.class, WAIT);
            assertThat(done.call().name()).isEqualTo("get_time");
            assertThat(tools.pendingCalls()).isZero();
            assertThat(s.reconnects()).isEqualTo(1);
        }
    }

    /** The session absorbs resumption updates: poll (bounded) until the first handle is there. */
    private static void awaitHandle(ResilientSession s) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (s.resumptionHandle() == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no resumption handle within " + WAIT);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
