package dev.habla.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.emulator.Script;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.FunctionDeclaration.Behavior;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.FunctionResponse.Scheduling;
import dev.habla.protocol.ResponseModality;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ToolRunner against the emulator's default brain over loopback. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ToolRunnerTest {
    static final String KEY = "test-key";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final SessionConfig TEXT = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001")
            .responseModality(ResponseModality.TEXT));

    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x.emulator(b -> b.apiKey(KEY))
            .client(emulator -> LiveClient.create(b -> b.apiKey(KEY).baseUrl(emulator.baseUrl()))));
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

    /** The next client message the emulator received that matches, skipping others; bounded. */
    ClientMessage takeMatching(Predicate<ClientMessage> p) throws InterruptedException {
        return takeMatching(emulator, p);
    }

    /** The next client message {@code emulator} received that matches, skipping others; bounded ({@link #WAIT}). */
    static ClientMessage takeMatching(LiveEmulator emulator, Predicate<ClientMessage> p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ReceivedMessage m = emulator.takeClientMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m != null && m.message() != null && p.test(m.message())) {
                return m.message();
            }
        }
        throw new AssertionError("no matching client message within " + WAIT);
    }

    static boolean isToolResponse(ClientMessage m) {
        return m instanceof ClientMessage.ToolResponse;
    }

    @Test
    void singleCallRoundTrip() throws Exception {
        LiveSession s = open(BuiltinTools.calculator());
        ClientMessage.Setup setup = (ClientMessage.Setup) takeMatching(m -> m instanceof ClientMessage.Setup);
        assertThat(setup.tools().getFirst().functionDeclarations().getFirst().name()).isEqualTo("calculator");

        s.sendText("call calculator {\"expression\":\"6*7\"}");
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("Tool calculator returned {\"output\":{\"value\":42}}");

        LiveEvent.ToolCallRequested requested = (LiveEvent.ToolCallRequested) rec.seen().stream()
                .filter(e -> e instanceof LiveEvent.ToolCallRequested).findFirst().orElseThrow();
        String id = requested.calls().getFirst().id();
        ClientMessage.ToolResponse response = (ClientMessage.ToolResponse) takeMatching(ToolRunnerTest::isToolResponse);
        FunctionResponse fr = response.functionResponses().getFirst();
        assertThat(fr.id()).isEqualTo(id);
        assertThat(fr.name()).isEqualTo("calculator");
        assertThat(fr.scheduling()).isNull();

        assertThat(rec.nextActivity(WAIT)).isInstanceOf(ToolActivity.Started.class);
        ToolActivity.Completed done = (ToolActivity.Completed) rec.nextActivity(WAIT);
        assertThat(done.call().id()).isEqualTo(id);
        assertThat(done.output().toString()).isEqualTo("{\"value\":42}");
        assertThat(ToolEvents.describe(done)).matches("\\[tool calculator \\{\"expression\":\"6\\*7\"\\} → \\{\"value\":42\\} in \\d+ ms\\]");
    }

    @Test
    void parallelCallsRunConcurrentlyAndAreAnsweredTogether() throws Exception {
        // Each call waits for the other: this only finishes if both run at the same time.
        CyclicBarrier both = new CyclicBarrier(2);
        FunctionTool a = Tools.function("a", "A", () -> {
            both.await(30, TimeUnit.SECONDS);   // generous: the second call may start late on a loaded machine
            return "from a";
        });
        FunctionTool b = Tools.function("b", "B", () -> {
            both.await(30, TimeUnit.SECONDS);   // generous: the second call may start late on a loaded machine
            return "from b";
        });
        LiveSession s = open(a, b);
        s.sendText("call a {} ; call b {}");
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("Tool a returned {\"output\":\"from a\"}; Tool b returned {\"output\":\"from b\"}");

        ClientMessage.ToolResponse response = (ClientMessage.ToolResponse) takeMatching(ToolRunnerTest::isToolResponse);
        assertThat(response.functionResponses()).extracting(FunctionResponse::name).containsExactly("a", "b");
    }

    @Test
    void nonBlockingResultsCarryTheirSchedulingAndStartANewTurn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FunctionTool report = Tools.function("report", "Builds a report in the background", () -> {
            release.await();
            return "report ready";
        }).behavior(Behavior.NON_BLOCKING).scheduling(Scheduling.WHEN_IDLE);
        LiveSession s = open(report);
        s.sendText("call report {}");
        // The model keeps talking while the function is still blocked: the reader thread is free.
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("Calling report in the background.");
        release.countDown();
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("Tool report returned {\"output\":\"report ready\"}");
        FunctionResponse fr = ((ClientMessage.ToolResponse) takeMatching(ToolRunnerTest::isToolResponse)).functionResponses().getFirst();
        assertThat(fr.scheduling()).isEqualTo(Scheduling.WHEN_IDLE);
    }

    @Test
    void silentNonBlockingResultsAddNoTurn() throws Exception {
        FunctionTool note = Tools.function("note", "Saves a note", () -> "saved")
                .behavior(Behavior.NON_BLOCKING).scheduling(Scheduling.SILENT);
        LiveSession s = open(note);
        s.sendText("call note {}");
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("Calling note in the background.");
        FunctionResponse fr = ((ClientMessage.ToolResponse) takeMatching(ToolRunnerTest::isToolResponse)).functionResponses().getFirst();
        assertThat(fr.scheduling()).isEqualTo(Scheduling.SILENT);
        assertThat(fr.response().toString()).isEqualTo("{\"output\":\"saved\"}");
        // The emulator handles messages in order: a turn caused by the response would come before this reply.
        s.sendText("hello");
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("You said: hello");
    }

    @Test
    void cancelledCallIsInterruptedAndNeverAnswered() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        FunctionTool slow = Tools.function("slow", "Takes long", () -> {
            running.countDown();
            try {
                new CountDownLatch(1).await();
                return "never";
            } catch (InterruptedException e) {
                interrupted.countDown();
                return "a stale result that must not be sent"; // returning (not throwing) tries hard to leak it
            } finally {
                returned.countDown();
            }
        });
        LiveSession s = open(slow);
        s.sendText("call slow {}");
        LiveEvent.ToolCallRequested req = rec.await(LiveEvent.ToolCallRequested.class, WAIT);
        String id = req.calls().getFirst().id();
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

        s.sendText("never mind"); // barge-in: the emulator interrupts the turn and cancels the pending call
        LiveEvent.ToolCallCancelled cancelled = rec.await(LiveEvent.ToolCallCancelled.class, WAIT);
        assertThat(cancelled.ids()).containsExactly(id);
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the Java function sees the interrupt").isTrue();
        assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
        ToolActivity.Cancelled c = rec.awaitActivity(ToolActivity.Cancelled.class, WAIT);
        assertThat(c.call().id()).isEqualTo(id);
        assertThat(c.reason()).isEqualTo("cancelled by the server");
        assertThat(rec.nextTurnText(WAIT)).isEmpty(); // the interrupted turn's turnComplete
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("You said: never mind");

        // A sentinel after everything: no toolResponse for the cancelled id may arrive before it (nor after: the
        // function has returned and its result was discarded synchronously).
        s.sendText("sentinel");
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("You said: sentinel");
        List<ClientMessage> before = new ArrayList<>();
        takeMatching(m -> {
            before.add(m);
            return m instanceof ClientMessage.ClientContent cc && cc.toString().contains("sentinel");
        });
        assertThat(before).noneMatch(ToolRunnerTest::isToolResponse);
        assertThat(emulator.takeClientMessage(Duration.ofMillis(200))).isNull();
    }

    @Test
    void throwingToolAnswersAnErrorAndTheSessionCarriesOn() throws Exception {
        FunctionTool boom = Tools.function("boom", "Fails", () -> {
            throw new IllegalStateException("database unavailable");
        });
        LiveSession s = open(boom, BuiltinTools.calculator());
        s.sendText("call boom {}");
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("Tool boom returned {\"error\":\"database unavailable\"}");
        ToolActivity.Failed f = rec.awaitActivity(ToolActivity.Failed.class, WAIT);
        assertThat(f.kind()).isEqualTo(ToolOutcome.FailureKind.EXCEPTION);
        assertThat(ToolEvents.describe(f)).startsWith("[tool boom {} → error: database unavailable in ");

        s.sendText("call calculator {\"expression\":\"6*/7\"}");
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("Tool calculator returned {\"error\":\"unexpected '/' at position 3\"}");
        s.sendText("call calculator {\"expr\":\"1\"}");
        assertThat(rec.nextTurnText(WAIT)).contains("unknown argument 'expr'").contains("missing required argument 'expression'");
        s.sendText("still there?");
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("You said: still there?");
    }

    @Test
    void timedOutToolAnswersAnErrorAfterTheTimeout() throws Exception {
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        CountDownLatch ended = new CountDownLatch(1);
        FunctionTool stuck = Tools.function("stuck", "Hangs", () -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                sawInterrupt.set(true);
                throw e;
            } finally {
                ended.countDown();
            }
            return "never";
        }).timeout(Duration.ofMillis(300));
        LiveSession s = open(stuck);
        long start = System.nanoTime();
        s.sendText("call stuck {}");
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("Tool stuck returned {\"error\":\"timed out after 300 ms\"}");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sawInterrupt).isTrue();
        ToolActivity.TimedOut t = rec.awaitActivity(ToolActivity.TimedOut.class, WAIT);
        assertThat(ToolEvents.describe(t)).isEqualTo("[tool stuck {} → timed out after 300 ms]");
    }

    @Test
    void closingTheSessionCancelsRunningCalls() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        FunctionTool slow = Tools.function("slow", "Takes long", () -> {
            running.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return "late";
        });
        ToolRunner runner = ToolRunner.create(ToolRegistry.of(slow), rec);
        live.closeAfterwards(runner);
        LiveSession s = runner.connect(client, TEXT, rec);
        s.sendText("call slow {}");
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(runner.pendingCalls()).isEqualTo(1);
        s.close();
        rec.await(LiveEvent.Closed.class, WAIT);
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(rec.awaitActivity(ToolActivity.Cancelled.class, WAIT).reason()).isEqualTo("session closed");
        assertThat(runner.pendingCalls()).isZero();
    }


    @Test
    void callsArrivingBeforeAttachAreHeldThenAnswered() throws Exception {
        FunctionCall early = new FunctionCall("early-1", "calculator", new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"expression\":\"1+1\"}"));
        emulator.enqueue(Script.create(script -> script
                .expect(ClientMessage.Setup.class)
                .send(new ServerMessage.SetupComplete(null))
                .send(new ServerMessage.ToolCall(List.of(early)))       // right after setupComplete, before attach
                .expect("the held call's response", m -> m instanceof ClientMessage.ToolResponse t
                        && t.functionResponses().getFirst().id().equals("early-1")
                        && t.functionResponses().getFirst().response().toString().equals("{\"output\":{\"value\":2}}"))
                .send(ServerMessage.ServerContent.modelTurn(Content.text("model", "two")))
                .send(ServerMessage.ServerContent.turnCompleted())));
        ToolRunner runner = ToolRunner.create(ToolRegistry.of(BuiltinTools.calculator()), rec);
        live.closeAfterwards(runner);
        ToolRunner.Binding binding = runner.bind(rec);
        LiveSession s = client.connect(runner.withDeclarations(TEXT), binding);
        live.closeAfterwards(s);
        assertThat(runner.withDeclarations(s.config())).isSameAs(s.config());
        // The listener has passed the call on but nothing could run it yet: no session to answer on.
        rec.await(LiveEvent.ToolCallRequested.class, WAIT);
        assertThat(runner.pendingCalls()).isZero();
        binding.attach(s);
        assertThat(rec.nextTurnText(WAIT)).isEqualTo("two");
        assertThat(rec.awaitActivity(ToolActivity.Completed.class, WAIT).call().id()).isEqualTo("early-1");
    }

    @Test
    void closingTheRunnerCancelsRunningCallsAndSendsNothing() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        FunctionTool slow = Tools.function("slow", "Takes long", () -> {
            running.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                return "late";
            } finally {
                returned.countDown();
            }
            return "never";
        });
        ToolRunner runner = ToolRunner.create(ToolRegistry.of(slow), rec);
        LiveSession s = runner.connect(client, TEXT, rec);
        live.closeAfterwards(s);
        s.sendText("call slow {}");
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        runner.close();
        runner.close(); // idempotent
        assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(rec.awaitActivity(ToolActivity.Cancelled.class, WAIT).reason()).isEqualTo("tool runner closed");
        s.sendRealtimeText("sentinel");
        List<ClientMessage> before = new ArrayList<>();
        takeMatching(m -> {
            before.add(m);
            return m instanceof ClientMessage.RealtimeInput ri && "sentinel".equals(ri.text());
        });
        assertThat(before).noneMatch(ToolRunnerTest::isToolResponse);
    }
}
