package dev.habla.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.Provider;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedRealtimeEvent;
import dev.habla.protocol.ResponseModality;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.Item;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same {@link ToolRunner} on OpenAI Realtime (the emulator's {@code /v1/realtime}): a call answered with a
 * {@code function_call_output} item and the {@code response.create} that makes the model go on; a call the user moves
 * on from is cancelled (the Java function interrupted) and its output never sent.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OpenAiToolRunnerTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final SessionConfig TEXT = SessionConfig.create(b -> b.model("gpt-realtime")
            .responseModality(ResponseModality.TEXT));

    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x.emulator(b -> b.apiKey("sk-test"))
            .client(emulator -> LiveClient.create(b -> b.apiKey("sk-test").baseUrl(emulator.baseUrl())
                    .provider(Provider.OPENAI))));
    LiveEmulator emulator;
    LiveClient client;
    final Recorder rec = new Recorder();

    @BeforeEach
    void bind() {
        emulator = live.emulator();
        client = live.client(LiveClient.class);
    }

    LiveSession open(FunctionTool... tools) throws Exception {
        ToolRunner runner = ToolRunner.create(ToolRegistry.of(tools), rec);
        live.closeAfterwards(runner);
        LiveSession s = runner.connect(client, TEXT, rec);
        live.closeAfterwards(s);
        return s;
    }

    /** Every client event the emulator got until one matching {@code last} (inclusive); bounded. */
    List<ClientEvent> eventsUntil(java.util.function.Predicate<ClientEvent> last) throws InterruptedException {
        List<ClientEvent> seen = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ReceivedRealtimeEvent e = emulator.takeRealtimeEvent(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (e != null) {
                seen.add(e.event());
                if (last.test(e.event())) {
                    return seen;
                }
            }
        }
        throw new AssertionError("no matching client event within " + WAIT + "; saw " + seen);
    }

    static boolean isOutput(ClientEvent e) {
        return e instanceof ClientEvent.ConversationItemCreate c && c.item() instanceof Item.FunctionCallOutput;
    }

    @Test
    void aCallIsAnsweredWithItsOutputAndTheModelGoesOn() throws Exception {
        LiveSession s = open(BuiltinTools.calculator());
        s.sendText("call calculator {\"expression\":\"6*7\"}");
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("Tool calculator returned {\"output\":{\"value\":42}}");
        String id = rec.seen().stream().filter(e -> e instanceof LiveEvent.ToolCallRequested)
                .map(e -> ((LiveEvent.ToolCallRequested) e).calls().getFirst().id()).findFirst().orElseThrow();
        List<ClientEvent> sent = eventsUntil(OpenAiToolRunnerTest::isOutput);
        Item.FunctionCallOutput output = (Item.FunctionCallOutput) ((ClientEvent.ConversationItemCreate) sent.getLast()).item();
        assertThat(output.callId()).isEqualTo(id);
        assertThat(output.output()).isEqualTo("{\"output\":{\"value\":42}}");
        assertThat(eventsUntil(e -> true).getFirst()).isInstanceOf(ClientEvent.ResponseCreate.class);
    }

    @Test
    void aCallTheUserMovesOnFromIsCancelledAndNeverAnswered() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        FunctionTool slow = Tools.function("slow", "Takes long", () -> {
            running.countDown();
            try {
                new CountDownLatch(1).await();
                return "never";
            } catch (InterruptedException e) {
                interrupted.countDown();
                return "a stale result that must not be sent";
            }
        });
        LiveSession s = open(slow);
        s.sendText("call slow {}");
        String id = rec.await(LiveEvent.ToolCallRequested.class, WAIT).calls().getFirst().id();
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

        s.sendText("never mind");
        assertThat(rec.await(LiveEvent.ToolCallCancelled.class, WAIT).ids()).containsExactly(id);
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the Java function sees the interrupt").isTrue();
        assertThat(rec.awaitActivity(ToolActivity.Cancelled.class, WAIT).call().id()).isEqualTo(id);
        assertThat(rec.nextTurnText(WAIT)).isEmpty(); // the turn that asked for the call ends
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("You said: never mind");

        s.sendText("sentinel");
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("You said: sentinel");
        List<ClientEvent> before = eventsUntil(e -> e instanceof ClientEvent.ConversationItemCreate c
                && c.item() instanceof Item.Message m && m.toString().contains("sentinel"));
        assertThat(before).noneMatch(OpenAiToolRunnerTest::isOutput);
    }
}
