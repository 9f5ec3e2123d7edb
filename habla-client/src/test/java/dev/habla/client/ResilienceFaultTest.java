package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.emulator.EmulatorSession;
import dev.habla.emulator.Fault;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults on real time, each against the emulator over loopback: every one either recovers (and the conversation's
 * history proves nothing was lost) or ends in exactly one typed {@link LiveEvent.Closed}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResilienceFaultTest extends ResilienceTestBase {

    @BeforeEach
    void start() {
        realTime(b -> { });
    }

    private static void turn(ResilientSession s, RecordingListener rec, String text) {
        assertThat(s.sendText(text)).isEqualTo(SendResult.QUEUED);
        rec.await(LiveEvent.TurnComplete.class, WAIT);
    }

    @Test
    void dropConnection1006ResumesAndKeepsInputSentMeanwhile() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec, policy(p -> { }))) {
            turn(s, rec, "one");
            emulator.inject(new Fault.DropConnection());
            LiveEvent.Reconnecting r = rec.await(LiveEvent.Reconnecting.class, WAIT);
            assertThat(r.cause().kind()).isEqualTo(LiveException.Kind.UNAVAILABLE);
            assertThat(r.cause().closeCode()).isEqualTo(1006);
            assertThat(r.attempt()).isEqualTo(1);
            assertThat(s.sendText("two")).as("accepted while reconnecting").isEqualTo(SendResult.QUEUED);
            byte[] marker = new byte[3200];
            for (int i = 0; i < marker.length; i += 2) {
                marker[i] = (byte) (i / 2 % 13); // quiet, but recognisable
            }
            assertThat(s.sendAudio(marker, 16000)).isEqualTo(SendResult.QUEUED);
            LiveEvent.Reconnected back = rec.await(LiveEvent.Reconnected.class, WAIT);
            assertThat(back.resumed()).isTrue();
            assertThat(back.connection()).isEqualTo(2);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).contains("You said: two");
            turn(s, rec, "history");
            assertThat(rec.text()).endsWith("History: 1. one | 2. two");
            // The audio may still be on its way (control such as the turns above goes ahead of queued audio): wait
            // for it, bounded; once it is there it must be the marker exactly.
            EmulatorTest.eventually(() -> emulator.sessions().getLast().receivedAudio().length >= marker.length);
            byte[] got = emulator.sessions().getLast().receivedAudio();
            assertThat(java.util.Arrays.copyOfRange(got, Math.max(0, got.length - marker.length), got.length))
                    .as("audio sent while reconnecting reached the new connection").isEqualTo(marker);
            assertThat(s.reconnects()).isEqualTo(1);
            assertThat(s.state()).isEqualTo(SessionState.OPEN);
        }
        assertThat(rec.awaitClosed(WAIT).error()).isNull();
        rec.assertTerminatedOnce();
        assertThat(counter(SessionMetrics.RECONNECTS, "cause", "unavailable", "code", "1006")).isEqualTo(1);
        assertThat(timerCount(SessionMetrics.RECONNECT_GAP, "resumed", "true")).isEqualTo(1);
    }

    @Test
    void deadlineExpired1011Resumes() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec, policy(p -> { }))) {
            turn(s, rec, "before the deadline");
            emulator.inject(new Fault.DeadlineExpired());
            LiveEvent.Reconnecting r = rec.await(LiveEvent.Reconnecting.class, WAIT);
            assertThat(r.cause().kind()).isEqualTo(LiveException.Kind.DEADLINE_EXCEEDED);
            assertThat(r.cause().closeCode()).isEqualTo(1011);
            assertThat(rec.await(LiveEvent.Reconnected.class, WAIT).resumed()).isTrue();
            turn(s, rec, "history");
            assertThat(rec.text()).endsWith("History: 1. before the deadline");
        }
        rec.assertTerminatedOnce();
        assertThat(counter(SessionMetrics.RECONNECTS, "cause", "deadline_exceeded", "code", "1011")).isEqualTo(1);
    }

    @Test
    void unaskedNormalCloseResumes() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec, policy(p -> { }))) {
            turn(s, rec, "hello");
            emulator.inject(new Fault.Close(1000, ""));
            assertThat(rec.await(LiveEvent.Reconnected.class, WAIT).resumed()).isTrue();
            turn(s, rec, "history");
            assertThat(rec.text()).endsWith("History: 1. hello");
        }
        rec.assertTerminatedOnce();
    }

    @Test
    void refusedHandleReseedsANewSessionWithTheTranscript() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec, policy(p -> { }))) {
            turn(s, rec, "alpha");
            turn(s, rec, "beta");
            String firstLogical = emulator.sessions().getLast().logicalSessionId();
            emulator.inject(new Fault.RefuseResumption());
            emulator.inject(new Fault.DropConnection());
            LiveEvent.Reconnected back = rec.await(LiveEvent.Reconnected.class, WAIT);
            assertThat(back.resumed()).as("the handle was refused: a new, re-seeded session").isFalse();
            assertThat(back.attempts()).isEqualTo(2);
            assertThat(s.transcript()).extracting(c -> c.role() + ":" + c.parts().getFirst().text())
                    .containsExactly("user:alpha", "model:You said: alpha", "user:beta", "model:You said: beta");
            // Realtime text: the emulator would join clientContent text left pending by turnComplete:false.
            s.sendRealtimeText("history");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).endsWith("History: 1. alpha | 2. beta");
            EmulatorSession now = emulator.sessions().getLast();
            assertThat(now.logicalSessionId()).isNotEqualTo(firstLogical);
            assertThat(now.conversation()).extracting(c -> c.role()).startsWith("user", "model", "user", "model");
        }
        rec.assertTerminatedOnce();
        assertThat(counter(SessionMetrics.ANOMALIES, "kind", "resumption_refused")).isEqualTo(1);
        assertThat(timerCount(SessionMetrics.RECONNECT_GAP, "resumed", "false")).isEqualTo(1);
    }

    @Test
    void toolResultForACallOfALostConnectionIsDeliveredOnTheNewOne() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(textWithTool("get_time"), rec, policy(p -> { }))) {
            s.sendText("call get_time {}");
            FunctionCall call = rec.await(LiveEvent.ToolCallRequested.class, WAIT).calls().getFirst();
            emulator.inject(new Fault.DropConnection());
            rec.await(LiveEvent.Reconnecting.class, WAIT);
            // The tool finishes while (or just after) the session reconnects.
            assertThat(s.sendToolResponse(List.of(FunctionResponse.of(call.id(), "get_time",
                    new ObjectMapper().readTree("{\"time\":\"12:00\"}"))))).isEqualTo(SendResult.QUEUED);
            rec.await(LiveEvent.Reconnected.class, WAIT);
            rec.await(LiveEvent.TextDelta.class, t -> t.text().startsWith("Tool"), WAIT);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.textSince(e -> e instanceof LiveEvent.Reconnected)).isEqualTo("Tool get_time returned {\"time\":\"12:00\"}");
            assertThat(s.state()).isEqualTo(SessionState.OPEN);
        }
        rec.assertTerminatedOnce();
        assertThat(timerCount(SessionMetrics.TOOL_ROUND_TRIP, "tool", "get_time")).isEqualTo(1);
    }

    @Test
    void breakBeforeMakeHandoverKeepsHistory() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec, policy(p -> p.makeBeforeBreak(false)))) {
            turn(s, rec, "first");
            emulator.inject(new Fault.GoAway(Duration.ofSeconds(10)));
            rec.await(LiveEvent.HandoverStarted.class, WAIT);
            LiveEvent.HandoverCompleted done = rec.await(LiveEvent.HandoverCompleted.class, WAIT);
            assertThat(done.connection()).isEqualTo(2);
            turn(s, rec, "history");
            assertThat(rec.text()).endsWith("History: 1. first");
            assertThat(rec.all(LiveEvent.Reconnecting.class)).isEmpty();
        }
        rec.assertTerminatedOnce();
        assertThat(counter(SessionMetrics.HANDOVERS, "cause", "go_away")).isEqualTo(1);
    }

    @Test
    void anUnencodableMessageIsRefusedToTheCallerAndTheSessionGoesOn() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec, policy(p -> { }))) {
            // Jackson has no serializer for a bare Object: the message cannot be put on the wire.
            var unencodable = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.pojoNode(new Object());
            ClientMessage.ToolResponse bad = new ClientMessage.ToolResponse(List.of(FunctionResponse.of("call-1", "f", unencodable)));
            assertThatThrownBy(() -> s.send(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot encode toolResponse");
            turn(s, rec, "still here");
            assertThat(rec.text()).isEqualTo("You said: still here");
            assertThat(s.droppedMessages()).isZero();
        }
        rec.assertTerminatedOnce();
        assertThat(rec.awaitClosed(WAIT).error()).isNull();
    }

    @Test
    void nonRetryableCloseEndsWithItsTypedError() throws Exception {
        RecordingListener rec = new RecordingListener();
        ResilientSession s = client.connectResilient(text(), rec, policy(p -> { }));
        emulator.inject(new Fault.Close(1008, "API key not valid. Please pass a valid API key."));
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error()).isNotNull();
        assertThat(closed.error().kind()).isEqualTo(LiveException.Kind.UNAUTHENTICATED);
        assertThat(closed.code()).isEqualTo(1008);
        assertThat(rec.all(LiveEvent.Reconnecting.class)).isEmpty();
        assertThat(s.state()).isEqualTo(SessionState.FAILED);
        assertThat(s.sendText("too late")).isEqualTo(SendResult.CLOSED);
        s.close();
        rec.assertTerminatedOnce();
    }

    @Test
    void whenNothingWorksTheSessionEndsWithUnavailableNamingTheAttempts() throws Exception {
        RecordingListener rec = new RecordingListener();
        // A server shutting down may accept a socket and never answer: a short connect timeout bounds that attempt.
        LiveClient impatient = LiveClient.create(c -> c.apiKey(KEY).baseUrl(emulator.baseUrl()).connectTimeout(Duration.ofMillis(500)));
        ResilientSession s = impatient.connectResilient(text(), rec, policy(p -> p.maxReconnectAttempts(3)));
        emulator.close(); // the server goes away for good: every reconnect fails
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error()).isNotNull();
        assertThat(closed.error().kind()).isEqualTo(LiveException.Kind.UNAVAILABLE);
        assertThat(closed.error().getMessage()).contains("could not reconnect after 3 attempt(s)");
        assertThat(rec.all(LiveEvent.Reconnecting.class)).extracting(LiveEvent.Reconnecting::attempt).containsExactly(1, 2, 3);
        assertThat(rec.all(LiveEvent.Reconnecting.class)).extracting(LiveEvent.Reconnecting::delay)
                .containsExactly(Duration.ZERO, Duration.ofMillis(10), Duration.ofMillis(20));
        assertThat(s.phase()).isEqualTo(ResilientSession.Phase.CLOSED);
        s.close();
        impatient.close();
        rec.assertTerminatedOnce();
    }

    @Test
    void aBadModelFailsTheFirstConnectWithoutRetrying() throws Exception {
        RecordingListener rec = new RecordingListener();
        SessionConfig bad = SessionConfig.create(b -> b.model("gemini-no-such-model"));
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(LiveException.class,
                () -> client.connectResilient(bad, rec, policy(p -> { })))).satisfies(e -> {
                    assertThat(e.kind()).isEqualTo(LiveException.Kind.NOT_FOUND);
                    assertThat(e.getMessage()).contains("could not connect after 1 attempt(s)");
                });
        assertThat(rec.awaitClosed(WAIT).error().kind()).isEqualTo(LiveException.Kind.NOT_FOUND);
        rec.assertTerminatedOnce();
    }

    @Test
    void metricsCoverFirstAudioTokensAndTheHooks() throws Exception {
        SessionConfig audio = SessionConfig.create(b -> b.model(NATIVE_AUDIO).responseModality(dev.habla.protocol.ResponseModality.AUDIO));
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(audio, rec, policy(p -> p.metricTags("tenant", "t1")))) {
            s.sendText("hi");
            rec.await(LiveEvent.AudioChunk.class, WAIT);
            rec.await(LiveEvent.TurnComplete.class, Duration.ofSeconds(20)); // the emulator paces audio in real time
            s.metrics().recordBargeIn(Duration.ofMillis(80));
            s.metrics().recordToolRoundTrip("lookup", Duration.ofMillis(120));
        }
        assertThat(timerCount(SessionMetrics.FIRST_AUDIO, "tenant", "t1")).isEqualTo(1);
        assertThat(registry.get(SessionMetrics.FIRST_AUDIO).timer().totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(timerCount(SessionMetrics.BARGE_IN)).isEqualTo(1);
        assertThat(timerCount(SessionMetrics.TOOL_ROUND_TRIP, "tool", "lookup")).isEqualTo(1);
        assertThat(counter(SessionMetrics.TOKENS, "direction", "prompt", "modality", "TEXT")).isPositive();
        assertThat(counter(SessionMetrics.TOKENS, "direction", "response", "modality", "AUDIO")).isPositive();
    }

    @Test
    void cancellingTheConnectFutureEndsTheSession() throws Exception {
        RecordingListener rec = new RecordingListener();
        java.util.concurrent.CompletableFuture<ResilientSession> f = client.connectResilientAsync(text(), rec, policy(p -> { }));
        if (!f.cancel(false)) {
            f.join().close(); // it was quicker than us
        }
        rec.awaitClosed(WAIT);
        rec.assertTerminatedOnce();
    }

    @Test
    void aThrowingListenerFailsTheSessionOnce() throws Exception {
        RecordingListener rec = new RecordingListener().throwOn(e -> e instanceof LiveEvent.TurnComplete);
        ResilientSession s = client.connectResilient(text(), rec, policy(p -> { }));
        s.sendText("boom");
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error().kind()).isEqualTo(LiveException.Kind.LISTENER_FAILED);
        s.close();
        rec.assertTerminatedOnce();
    }

    @Test
    void closeFromTheListenerDoesNotDeadlock() throws Exception {
        RecordingListener rec = new RecordingListener();
        ResilientSession[] self = new ResilientSession[1];
        ResilientSession s = client.connectResilient(text(), e -> {
            rec.onEvent(e);
            if (e instanceof LiveEvent.TurnComplete) {
                self[0].close();
            }
        }, policy(p -> { }));
        self[0] = s;
        s.sendText("bye");
        assertThat(rec.awaitClosed(WAIT).error()).isNull();
        rec.assertTerminatedOnce();
    }
}
