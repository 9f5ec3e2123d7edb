package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.client.AnswerCollector.Answer;
import dev.habla.emulator.Fault;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ResponseModality;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link AnswerCollector} and {@link LiveSession#interrupt()} against the emulator over loopback: answers matched to
 * asks, text vs transcript by modality, stopping an answer mid-stream (the rest dropped, the server told), unasked-for
 * answers through {@code next}, the end of the session, and the same on a resilient session across a dropped
 * connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AnswerCollectorTest extends ResilienceTestBase {

    private static final String LONG = "one two three four five six seven eight nine ten eleven twelve thirteen "
            + "fourteen fifteen sixteen seventeen eighteen nineteen twenty twentyone twentytwo twentythree twentyfour";

    @Test
    void answersAreMatchedToAsksWithUsage() throws Exception {
        realTime(b -> { });
        RecordingListener rec = new RecordingListener();
        AnswerCollector answers = AnswerCollector.create(c -> c.downstream(rec));
        try (LiveSession s = client.connect(text(), answers)) {
            CompletableFuture<Answer> first = answers.ask(s, "hello there");
            CompletableFuture<Answer> second = answers.ask(s, "the sky is blue");
            Answer a1 = first.get(10, TimeUnit.SECONDS);
            Answer a2 = second.get(10, TimeUnit.SECONDS);
            assertThat(a1.reply()).isEqualTo("You said: hello there");
            assertThat(a1.text()).isEqualTo(a1.reply());
            assertThat(a1.ending()).isEqualTo(Answer.Ending.COMPLETED);
            assertThat(a1.usage()).isNotNull();
            assertThat(a1.usage().totalTokenCount()).isPositive();
            assertThat(a2.reply()).isEqualTo("You said: the sky is blue");
            // The downstream listener saw each answer's last event before the answer was handed out.
            assertThat(rec.events().stream().filter(e -> e instanceof LiveEvent.TurnComplete)).hasSize(2);
            assertThat(answers.answering()).isFalse();
        }
        rec.awaitClosed(WAIT);
        assertThatThrownBy(() -> answers.next(Duration.ofMillis(10))).isInstanceOf(LiveException.class)
                .satisfies(e -> assertThat(((LiveException) e).kind()).isEqualTo(LiveException.Kind.CLOSED));
        assertThat(answers.ask(null, "after the end")).isCompletedExceptionally();
    }

    @Test
    void audioAnswersReplyWithTheirTranscriptAndKeepTheAudioWhenAsked() throws Exception {
        realTime(b -> { });
        AnswerCollector answers = AnswerCollector.create(c -> c.keepAudio(true));
        SessionConfig config = SessionConfig.create(b -> b.model(NATIVE_AUDIO).responseModality(ResponseModality.AUDIO)
                .outputTranscription(true));
        try (LiveSession s = client.connect(config, answers)) {
            Answer a = answers.ask(s, "speak to me").get(20, TimeUnit.SECONDS);
            assertThat(a.text()).isEmpty();
            assertThat(a.reply()).isEqualTo(a.transcript()).isEqualTo("You said: speak to me");
            assertThat(a.sampleRate()).isEqualTo(24_000);
            assertThat(a.audio()).isNotEmpty();
            assertThat(a.audioDuration()).isPositive();
        }
    }

    @Test
    void stopEndsTheAnswerAtOnceTellsTheServerAndDropsItsRest() throws Exception {
        realTime(b -> b.textChunkDelay(Duration.ofMillis(100)));
        RecordingListener rec = new RecordingListener();
        AnswerCollector answers = AnswerCollector.create(c -> c.downstream(rec));
        try (LiveSession s = client.connect(text(), answers)) {
            CompletableFuture<Answer> answer = answers.ask(s, LONG);
            rec.await(LiveEvent.TextDelta.class, WAIT);
            assertThat(answers.answering()).isTrue();

            assertThat(answers.stop(s)).isTrue();
            Answer stopped = answer.getNow(null);   // completed by stop itself, before it returned
            assertThat(stopped).isNotNull();
            assertThat(stopped.ending()).isEqualTo(Answer.Ending.STOPPED);
            assertThat("You said: " + LONG).startsWith(stopped.text());
            assertThat(stopped.text()).isNotEqualTo("You said: " + LONG);
            // The server was asked to stop with an empty clientContent that adds nothing (LiveSession.interrupt).
            ClientMessage stop = takeAt(AnswerCollectorTest::emptyClientContent);
            assertThat(((ClientMessage.ClientContent) stop).turnComplete()).isFalse();
            assertThat(answers.stop(s)).isFalse();   // nothing under way any more

            Answer next = answers.ask(s, "again").get(10, TimeUnit.SECONDS);
            assertThat(next.reply()).isEqualTo("You said: again");
            assertThat(next.ending()).isEqualTo(Answer.Ending.COMPLETED);
            // Downstream saw the stopped answer only up to the stop: no rest, no interrupted, one turnComplete.
            assertThat(rec.text()).isEqualTo(stopped.text() + "You said: again");
            assertThat(rec.events().stream().filter(e -> e instanceof LiveEvent.TurnComplete)).hasSize(1);
            assertThat(rec.events()).noneMatch(e -> e instanceof LiveEvent.Interrupted);
        }
    }

    @Test
    void stoppingAnAnswerThatHasNotBegunDropsItWhenItComes() throws Exception {
        realTime(b -> b.textChunkDelay(Duration.ofMillis(20)));
        RecordingListener rec = new RecordingListener();
        AnswerCollector answers = AnswerCollector.create(c -> c.downstream(rec));
        try (LiveSession s = client.connect(text(), answers)) {
            // The server holds the question (and the stop after it) for a while: the answer cannot begin first.
            emulator.inject(new Fault.Stall(Duration.ofMillis(500)));
            CompletableFuture<Answer> answer = answers.ask(s, "never mind");
            assertThat(answers.stop(s)).isTrue();
            Answer stopped = answer.get(1, TimeUnit.SECONDS);
            assertThat(stopped.ending()).isEqualTo(Answer.Ending.STOPPED);
            assertThat(stopped.text()).isEmpty();
            assertThat(answers.ask(s, "next").get(10, TimeUnit.SECONDS).reply()).isEqualTo("You said: next");
            assertThat(rec.text()).isEqualTo("You said: next");
        }
    }

    @Test
    void answersNobodyAskedForGoToNext() throws Exception {
        realTime(b -> { });
        AnswerCollector answers = AnswerCollector.create();
        try (LiveSession s = client.connect(text(), answers)) {
            assertThatThrownBy(() -> answers.next(Duration.ofMillis(50))).isInstanceOf(TimeoutException.class);
            s.sendText("direct");
            Answer a = answers.next(WAIT);
            assertThat(a.reply()).isEqualTo("You said: direct");
            assertThat(a.ending()).isEqualTo(Answer.Ending.COMPLETED);
        }
    }

    @Test
    void interruptIsANoOpWhereTheModelHasNoStopMessage() throws Exception {
        realTime(b -> { });
        SessionConfig gemini3 = SessionConfig.create(b -> b.model("gemini-3.1-flash-live-preview")
                .responseModality(ResponseModality.AUDIO).outputTranscription(true));
        try (LiveSession s = client.connect(gemini3, AnswerCollector.create())) {
            assertThat(s.interrupt()).isFalse();
        }
        try (LiveSession s = client.connect(text(), AnswerCollector.create())) {
            assertThat(s.interrupt()).isTrue();
            ClientMessage stop = takeAt(m -> m instanceof ClientMessage.ClientContent);
            assertThat(emptyClientContent(stop)).as("%s", stop).isTrue();
            s.close();
            assertThat(s.interrupt()).isFalse();
        }
    }

    @Test
    void aResilientSessionAnswersAcrossADroppedConnection() throws Exception {
        realTime(b -> { });
        RecordingListener rec = new RecordingListener();
        AnswerCollector answers = AnswerCollector.create(c -> c.downstream(rec));
        try (ResilientSession s = client.connectResilient(text(), answers, policy(p -> { }))) {
            assertThat(answers.ask(s, "before").get(10, TimeUnit.SECONDS).reply()).isEqualTo("You said: before");
            awaitHandle(s);
            emulator.inject(new Fault.DropConnection());
            rec.await(LiveEvent.Reconnected.class, WAIT);
            Answer after = answers.ask(s, "after").get(10, TimeUnit.SECONDS);
            assertThat(after.reply()).isEqualTo("You said: after");
            assertThat(after.ending()).isEqualTo(Answer.Ending.COMPLETED);
            assertThat(s.reconnects()).isEqualTo(1);
        }
    }

    @Test
    void theSessionEndingEndsTheAnswerUnderWayAndFailsTheOnesAsked() throws Exception {
        realTime(b -> b.textChunkDelay(Duration.ofMillis(200)));
        RecordingListener rec = new RecordingListener();
        AnswerCollector answers = AnswerCollector.create(c -> c.downstream(rec));
        // NO_INTERRUPTION: the second turn waits in the emulator behind the first, so it is asked and not begun when
        // the session ends. Without it the emulator cuts the first answer as the second turn arrives, and whether
        // that or the injected close comes first is a race (the first then ends INTERRUPTED, not CLOSED).
        SessionConfig queueing = text().toBuilder().realtimeInputConfig(new dev.habla.protocol.RealtimeInputConfig(
                null, dev.habla.protocol.RealtimeInputConfig.ActivityHandling.NO_INTERRUPTION, null)).build();
        try (LiveSession s = client.connect(queueing, answers)) {
            CompletableFuture<Answer> first = answers.ask(s, LONG);
            rec.await(LiveEvent.TextDelta.class, WAIT);
            CompletableFuture<Answer> second = answers.ask(s, "queued behind");
            takeAt(m -> m instanceof ClientMessage.ClientContent c && c.turns() != null && !c.turns().isEmpty()
                    && "queued behind".equals(c.turns().get(0).parts().get(0).text()));
            emulator.inject(new Fault.Close(1011, "Internal error occurred."));

            Answer cut = first.get(10, TimeUnit.SECONDS);
            assertThat(cut.ending()).isEqualTo(Answer.Ending.CLOSED);
            assertThat(cut.text()).startsWith("You said: one");
            assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(LiveException.class)
                    .satisfies(e -> assertThat(((LiveException) e).closeCode()).isEqualTo(1011));
            assertThatThrownBy(() -> answers.next(Duration.ofMillis(10))).isInstanceOf(LiveException.class);
        }
    }

    /** An empty {@code clientContent} (no turns: the wire omits the empty list). */
    private static boolean emptyClientContent(ClientMessage m) {
        return m instanceof ClientMessage.ClientContent c && (c.turns() == null || c.turns().isEmpty());
    }

    private ClientMessage takeAt(java.util.function.Predicate<ClientMessage> p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            var m = emulator.takeClientMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m != null && m.message() != null && p.test(m.message())) {
                return m.message();
            }
        }
        throw new AssertionError("no matching client message within " + WAIT);
    }
}
