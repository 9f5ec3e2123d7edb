package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.emulator.Fault;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.ResponseModality;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults where time matters, on one fake clock shared by the emulator and the session (goAway deadlines, stalls,
 * the proactive timer, backoff): the test moves time, nothing sleeps.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FakeTimeResilienceTest extends ResilienceTestBase {
    static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void noReplyStallIsReportedAndTheUnansweredTurnIsAskedAgainOnANewConnection() throws Exception {
        fakeTime(b -> { });
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec,
                policy(p -> p.replyTimeout(Duration.ofSeconds(10)).reconnectOnStall(true)))) {
            awaitHandle(s); // the server's first handle (sent just after setupComplete) is what the reconnect resumes
            emulator.inject(new Fault.Stall(Duration.ofMinutes(5))); // the server goes silent, silently
            s.sendText("are you there");
            LiveEvent.Stalled stall = advanceUntil(rec, LiveEvent.Stalled.class, x -> true, SECOND, 30);
            assertThat(stall.kind()).isEqualTo(LiveEvent.StallKind.NO_REPLY);
            assertThat(stall.duration()).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
            LiveEvent.Reconnecting r = rec.await(LiveEvent.Reconnecting.class, WAIT);
            assertThat(r.cause().getMessage()).contains("stalled (no_reply");
            assertThat(rec.await(LiveEvent.Reconnected.class, WAIT).resumed()).isTrue();
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.textSince(e -> e instanceof LiveEvent.Reconnected)).isEqualTo("You said: are you there");
            s.sendText("history");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).endsWith("History: 1. are you there");
        }
        rec.assertTerminatedOnce();
        assertThat(timerCount(SessionMetrics.STALLS, "kind", "no_reply")).isEqualTo(1);
        assertThat(counter(SessionMetrics.RECONNECTS, "cause", "stall")).isEqualTo(1);
    }

    @Test
    void handoverWaitsForTheReplyToASpokenTurnTheServerHasNotAnsweredYet() throws Exception {
        fakeTime(b -> { });
        SessionConfig audio = SessionConfig.create(b -> b.model(NATIVE_AUDIO).responseModality(ResponseModality.AUDIO));
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(audio, rec, policy(p -> { }))) {
            awaitHandle(s);
            // The server is slow to answer: it holds the user's speech unprocessed for 10 s (its VAD, and so the end
            // of the user's turn and the reply, come only then). The client sees nothing but its own quiet audio.
            emulator.inject(new Fault.Stall(Duration.ofSeconds(10)));
            speak(s); // 300 ms of speech, then 900 ms of silence: quiet for longer than the 700 ms a switch needs
            s.handoverNow();
            rec.await(LiveEvent.HandoverStarted.class, WAIT);
            // Closing the connection now would drop the reply the server owes to the speech it received on it.
            assertThat(rec.poll(LiveEvent.HandoverCompleted.class, x -> true, Duration.ofMillis(500)))
                    .as("no switch while a spoken turn awaits its reply").isNull();
            fake.advance(Duration.ofSeconds(10)); // the server comes back: end of speech, then the reply
            rec.await(LiveEvent.AudioChunk.class, WAIT);
            LiveEvent.TurnComplete answered = advanceUntil(rec, LiveEvent.TurnComplete.class, x -> true, SECOND, 10);
            assertThat(answered.usage()).as("a complete reply, not a turn cut by a switch").isNotNull();
            rec.await(LiveEvent.HandoverCompleted.class, WAIT); // then the switch, at the boundary after the reply
            List<LiveEvent> events = rec.events();
            assertThat(events.indexOf(answered)).isLessThan(events.indexOf(rec.all(LiveEvent.HandoverCompleted.class).getFirst()));
            assertThat(rec.all(LiveEvent.Reconnecting.class)).isEmpty();
            assertThat(emulator.sessions().getLast().history()).as("the server's user turns").hasSize(1);
        }
        rec.assertTerminatedOnce();
    }

    @Test
    void handoverDoesNotWaitForeverForTheReplyToSpeechTheServerIgnored() throws Exception {
        fakeTime(b -> { });
        SessionConfig audio = SessionConfig.create(b -> b.model(NATIVE_AUDIO).responseModality(ResponseModality.AUDIO));
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(audio, rec, policy(p -> p.replyTimeout(Duration.ofSeconds(10))))) {
            awaitHandle(s);
            emulator.inject(new Fault.Stall(Duration.ofMinutes(5))); // no reply will come in time
            speak(s);
            s.handoverNow();
            rec.await(LiveEvent.HandoverStarted.class, WAIT);
            assertThat(rec.poll(LiveEvent.HandoverCompleted.class, x -> true, Duration.ofMillis(300))).isNull();
            // After the reply timeout since the speech the client stops waiting for a reply and switches.
            advanceUntil(rec, LiveEvent.HandoverCompleted.class, x -> true, SECOND, 15);
        }
        rec.assertTerminatedOnce();
    }

    @Test
    void midTurnStallIsReportedAndTheTurnFinishesWhenTheServerComesBack() throws Exception {
        fakeTime(b -> b.textChunkDelay(SECOND));
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec,
                policy(p -> p.midTurnStallTimeout(Duration.ofSeconds(5))))) {
            s.sendText("one two three four five six seven eight");
            rec.await(LiveEvent.TextDelta.class, WAIT); // the first chunk comes at once, the rest one per second
            emulator.inject(new Fault.Stall(Duration.ofSeconds(30)));
            LiveEvent.Stalled stall = advanceUntil(rec, LiveEvent.Stalled.class, x -> true, SECOND, 30);
            assertThat(stall.kind()).isEqualTo(LiveEvent.StallKind.MID_TURN);
            assertThat(stall.duration()).isGreaterThanOrEqualTo(Duration.ofSeconds(5)).isLessThan(Duration.ofSeconds(7));
            advanceUntil(rec, LiveEvent.TurnComplete.class, x -> true, SECOND, 60);
            assertThat(rec.text()).isEqualTo("You said: one two three four five six seven eight");
            assertThat(rec.all(LiveEvent.Stalled.class)).hasSize(1);
            assertThat(rec.all(LiveEvent.Reconnecting.class)).as("reporting only, by default").isEmpty();
        }
        rec.assertTerminatedOnce();
        assertThat(timerCount(SessionMetrics.STALLS, "kind", "mid_turn")).isEqualTo(1);
    }

    @Test
    void prematureTurnCompleteIsDroppedAndTheTurnEndsOnce() throws Exception {
        // On the fake clock the 300-ms hold never runs out by itself: only the model's next chunk can decide that the
        // held turnComplete was premature, however late a loaded machine delivers it.
        fakeTime(b -> { });
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec, policy(p -> { }))) {
            emulator.inject(new Fault.PrematureTurnComplete()); // armed for the next reply
            s.sendText("alpha beta gamma delta epsilon");
            rec.await(LiveEvent.GenerationComplete.class, WAIT);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.poll(LiveEvent.TurnComplete.class, t -> true, Duration.ofMillis(500)))
                    .as("a second turnComplete").isNull();
            assertThat(rec.text()).isEqualTo("You said: alpha beta gamma delta epsilon");
            List<LiveEvent> events = rec.events();
            int tc = events.indexOf(rec.all(LiveEvent.TurnComplete.class).getFirst());
            assertThat(events.subList(tc + 1, events.size())).noneMatch(e -> e instanceof LiveEvent.TextDelta);
            s.sendText("next");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.textSince(e -> e == events.get(tc))).isEqualTo("You said: next");
        }
        rec.assertTerminatedOnce();
        assertThat(counter(SessionMetrics.ANOMALIES, "kind", "premature_turn_complete")).isEqualTo(1);
    }

    @Test
    void phantomInterruptionEndsTheTurnWithoutWedgingTheSession() throws Exception {
        fakeTime(b -> b.textChunkDelay(SECOND));
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec, policy(p -> { }))) {
            s.sendText("one two three four five six seven eight");
            rec.await(LiveEvent.TextDelta.class, WAIT);
            emulator.inject(new Fault.PhantomInterrupted());
            rec.await(LiveEvent.Interrupted.class, WAIT);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            s.sendText("next");
            advanceUntil(rec, LiveEvent.TurnComplete.class, x -> true, SECOND, 10);
            assertThat(rec.textSince(e -> e instanceof LiveEvent.Interrupted)).isEqualTo("You said: next");
            s.handoverNow(); // the session is between turns again: a handover goes through at once
            assertThat(rec.await(LiveEvent.HandoverStarted.class, WAIT).cause()).isEqualTo(LiveEvent.HandoverCause.PROACTIVE);
            rec.await(LiveEvent.HandoverCompleted.class, WAIT);
        }
        rec.assertTerminatedOnce();
        assertThat(counter(SessionMetrics.ANOMALIES, "kind", "phantom_interrupted")).isEqualTo(1);
    }

    @Test
    void goAwayDeadlineForcesTheSwitchMidTurnAndClosesTheCutTurn() throws Exception {
        fakeTime(b -> { });
        SessionConfig audio = SessionConfig.create(b -> b.model(NATIVE_AUDIO).responseModality(ResponseModality.AUDIO)
                .outputTranscription(true));
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(audio, rec, policy(p -> { }))) {
            s.sendText("a long story " + "la ".repeat(40)); // ~10 s of speech, paced on the fake clock
            rec.await(LiveEvent.AudioChunk.class, WAIT);
            emulator.inject(new Fault.GoAway(Duration.ofSeconds(5)));
            assertThat(rec.await(LiveEvent.HandoverStarted.class, WAIT).timeLeft()).isEqualTo(Duration.ofSeconds(5));
            fake.advance(Duration.ofMillis(2_500));
            assertThat(rec.poll(LiveEvent.HandoverCompleted.class, x -> true, Duration.ofMillis(200)))
                    .as("no switch mid-turn before the deadline").isNull();
            fake.advance(Duration.ofMillis(500)); // timeLeft 5 s - margin 2 s: switch now, turn or not
            LiveEvent.HandoverCompleted done = rec.await(LiveEvent.HandoverCompleted.class, WAIT);
            List<LiveEvent> events = rec.events();
            int doneAt = events.indexOf(done);
            assertThat(events.subList(0, doneAt)).as("the cut turn is closed for the listener")
                    .anyMatch(e -> e instanceof LiveEvent.TurnComplete t && t.usage() == null);
            s.sendText("after");
            rec.await(LiveEvent.AudioChunk.class, WAIT);
            advanceUntil(rec, LiveEvent.TurnComplete.class, t -> t.usage() != null, SECOND, 20);
        }
        rec.assertTerminatedOnce();
        ReceivedMessage setup;
        do {
            setup = emulator.takeClientMessage(WAIT);
        } while (setup != null && !(setup.message() instanceof ClientMessage.Setup));
        assertThat(setup).isNotNull();
        ClientMessage.Setup wire = (ClientMessage.Setup) setup.message();
        assertThat(wire.contextWindowCompression()).as("compression on by default for audio").isNotNull();
        assertThat(wire.sessionResumption()).isNotNull();
    }

    @Test
    void toolCallPendingAtAForcedSwitchIsAnsweredOnTheNewConnection() throws Exception {
        fakeTime(b -> { });
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(textWithTool("get_time"), rec, policy(p -> { }))) {
            s.sendText("call get_time {}");
            FunctionCall call = rec.await(LiveEvent.ToolCallRequested.class, WAIT).calls().getFirst();
            emulator.inject(new Fault.GoAway(Duration.ofSeconds(5)));
            rec.await(LiveEvent.HandoverStarted.class, WAIT);
            fake.advance(Duration.ofSeconds(1));
            assertThat(rec.poll(LiveEvent.HandoverCompleted.class, x -> true, Duration.ofMillis(200)))
                    .as("a pending tool call holds the switch back").isNull();
            fake.advance(Duration.ofSeconds(2));
            rec.await(LiveEvent.HandoverCompleted.class, WAIT);
            s.sendToolResponse(List.of(FunctionResponse.of(call.id(), "get_time", new ObjectMapper().readTree("{\"time\":\"09:30\"}"))));
            rec.await(LiveEvent.TurnComplete.class, t -> t.usage() != null, WAIT);
            assertThat(rec.textSince(e -> e instanceof LiveEvent.HandoverCompleted))
                    .isEqualTo("Tool get_time returned {\"time\":\"09:30\"}");
        }
        rec.assertTerminatedOnce();
    }

    @Test
    void proactiveTimerHandsOverWithoutAGoAway() throws Exception {
        fakeTime(b -> { });
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(text(), rec,
                policy(p -> p.proactiveHandoverAfter(Duration.ofMinutes(2))))) {
            for (int i = 2; i <= 3; i++) {
                LiveEvent.HandoverStarted h = advanceUntil(rec, LiveEvent.HandoverStarted.class, x -> true,
                        Duration.ofSeconds(30), 10);
                assertThat(h.cause()).isEqualTo(LiveEvent.HandoverCause.PROACTIVE);
                assertThat(h.timeLeft()).isNull();
                int n = i;
                rec.await(LiveEvent.HandoverCompleted.class, x -> x.connection() == n, WAIT);
            }
            assertThat(s.handovers()).isEqualTo(2);
        }
        rec.assertTerminatedOnce();
        assertThat(counter(SessionMetrics.HANDOVERS, "cause", "proactive")).isEqualTo(2);
    }

    @Test
    void backoffGrowsOnTheSchedulerAndCloseStopsTheReconnect() throws Exception {
        fakeTime(b -> { });
        RecordingListener rec = new RecordingListener();
        // A server shutting down may accept a socket and never answer: a short connect timeout bounds that attempt.
        LiveClient impatient = LiveClient.create(c -> c.apiKey(KEY).baseUrl(emulator.baseUrl()).connectTimeout(Duration.ofMillis(500)));
        ResilientSession s = impatient.connectResilient(text(), rec,
                policy(p -> p.initialBackoff(Duration.ofMinutes(1)).maxBackoff(Duration.ofMinutes(10)).maxReconnectAttempts(5)));
        emulator.close();
        assertThat(rec.await(LiveEvent.Reconnecting.class, WAIT).delay()).isZero();
        assertThat(rec.await(LiveEvent.Reconnecting.class, WAIT).delay()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.phase()).isEqualTo(ResilientSession.Phase.RECONNECTING);
        assertThat(s.sendText("buffered meanwhile")).isEqualTo(SendResult.QUEUED);
        fake.advance(Duration.ofMinutes(1));
        assertThat(rec.await(LiveEvent.Reconnecting.class, WAIT).delay()).isEqualTo(Duration.ofMinutes(2));
        long t0 = System.nanoTime();
        s.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error()).as("closed by the user: clean").isNull();
        impatient.close();
        rec.assertTerminatedOnce();
    }

    /** Sends 300 ms of speech and 900 ms of silence (16 kHz) in 100-ms chunks, at once. */
    static void speak(ResilientSession s) {
        int rate = 16_000;
        byte[] pcm = new byte[rate * 12 / 10 * 2];
        for (int i = 0; i < rate * 3 / 10; i++) {
            int v = (int) (8000 * Math.sin(2 * Math.PI * 150 * i / (double) rate));
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        int chunk = rate / 10 * 2;
        for (int off = 0; off < pcm.length; off += chunk) {
            assertThat(s.sendAudio(java.util.Arrays.copyOfRange(pcm, off, off + chunk), rate)).isEqualTo(SendResult.QUEUED);
        }
    }
}
