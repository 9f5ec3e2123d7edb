package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Tool;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Happy paths against the emulator's default brain: text with memory, audio, tools, resumption. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConversationTest extends EmulatorTest {

    @Test
    void textChatRemembersEarlierTurns() throws Exception {
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client.connect(text(), rec)) {
            assertThat(s.state()).isEqualTo(SessionState.OPEN);
            rec.await(LiveEvent.SetupCompleted.class, WAIT);

            assertThat(s.sendText("hello there")).isEqualTo(SendResult.QUEUED);
            rec.await(LiveEvent.GenerationComplete.class, WAIT);
            LiveEvent.TurnComplete first = rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(first.usage()).isNotNull();
            assertThat(first.usage().totalTokenCount()).isPositive();
            assertThat(rec.text()).isEqualTo("You said: hello there");

            s.sendText("the sky is blue");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            s.sendText("history");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).endsWith("History: 1. hello there | 2. the sky is blue");
        }
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error()).isNull();
        assertThat(closed.code()).isEqualTo(1000);
        rec.assertTerminatedOnce();
        assertThat(rec.threads()).allMatch(n -> n.matches("habla-\\d+-reader"));
    }

    @Test
    void connectAsyncDeliversTheSameSession() throws Exception {
        RecordingListener rec = new RecordingListener();
        CompletableFuture<LiveSession> f = client.connectAsync(text(), rec);
        LiveSession s = f.get(10, TimeUnit.SECONDS);
        extension.closeAfterwards(s);
        assertThat(s.state()).isEqualTo(SessionState.OPEN);
        assertThat(s.config()).isEqualTo(text());
        assertThat(s.id()).matches("\\d+");
        s.sendText("async");
        rec.await(LiveEvent.TurnComplete.class, WAIT);
        assertThat(rec.text()).isEqualTo("You said: async");
    }

    @Test
    void audioTurnStreamsPcmAndTranscription() throws Exception {
        SessionConfig config = SessionConfig.create(b -> b.model(NATIVE_AUDIO).responseModality(ResponseModality.AUDIO)
                .voice("kore").outputTranscription(true));
        assertThat(config.voice()).isEqualTo("Kore");
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client.connect(config, rec)) {
            s.sendText("speak to me");
            rec.await(LiveEvent.GenerationComplete.class, WAIT);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
        }
        List<LiveEvent.AudioChunk> audio = rec.all(LiveEvent.AudioChunk.class);
        assertThat(audio).isNotEmpty().allSatisfy(a -> {
            assertThat(a.sampleRate()).isEqualTo(24_000);
            assertThat(a.pcm().length % 2).isZero();
        });
        assertThat(audio.stream().mapToLong(a -> a.pcm().length).sum()).isGreaterThan(24_000);
        StringBuilder transcript = new StringBuilder();
        rec.all(LiveEvent.OutputTranscription.class).forEach(t -> transcript.append(t.text()));
        assertThat(transcript.toString()).contains("You said").contains("speak to me");
        assertThat(audio.getFirst().toString()).matches("AudioChunk\\[\\d+ bytes, 24000 Hz]");
        // The last transcription chunk comes before generationComplete (live-protocol.md §5.1).
        List<LiveEvent> all = rec.events();
        int lastTranscript = -1;
        int generationComplete = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i) instanceof LiveEvent.OutputTranscription) {
                lastTranscript = i;
            }
            if (all.get(i) instanceof LiveEvent.GenerationComplete && generationComplete < 0) {
                generationComplete = i;
            }
        }
        assertThat(lastTranscript).isLessThan(generationComplete);
    }

    @Test
    void toolCallRoundTrip() throws Exception {
        FunctionDeclaration weather = new FunctionDeclaration("get_weather", "Weather for a city", null,
                JsonNodeFactory.instance.objectNode().put("type", "object"), null, null, null);
        SessionConfig config = text().with(b -> b.tools(List.of(Tool.ofFunctions(List.of(weather)))));
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client.connect(config, rec)) {
            s.sendText("call get_weather {\"city\":\"Paris\"}");
            LiveEvent.ToolCallRequested call = rec.await(LiveEvent.ToolCallRequested.class, WAIT);
            FunctionCall fc = call.calls().getFirst();
            assertThat(fc.name()).isEqualTo("get_weather");
            assertThat(fc.args().get("city").asText()).isEqualTo("Paris");
            assertThat(s.sendToolResponse(List.of(FunctionResponse.of(fc.id(), fc.name(),
                    JsonNodeFactory.instance.objectNode().put("output", "sunny, 21 C"))))).isEqualTo(SendResult.QUEUED);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).contains("sunny, 21 C");
        }
    }

    @Test
    void resumptionHandleIsTrackedAndResumesTheConversation() throws Exception {
        SessionConfig config = text().with(b -> b.resumption(true));
        RecordingListener first = new RecordingListener();
        String handle;
        try (LiveSession s = client.connect(config, first)) {
            s.sendText("remember the number 42");
            first.await(LiveEvent.TurnComplete.class, WAIT);
            LiveEvent.ResumptionUpdate u = first.await(LiveEvent.ResumptionUpdate.class, x -> x.resumable(), WAIT);
            handle = s.resumptionHandle();
            assertThat(handle).isNotNull();
            assertThat(s.resumable()).isTrue();
            assertThat(u.handle()).isNotNull();
        }
        RecordingListener second = new RecordingListener();
        try (LiveSession s = client.connect(config.withResumptionHandle(handle), second)) {
            assertThat(s.config().resumptionHandle()).isEqualTo(handle);
            s.sendText("history");
            second.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(second.text()).contains("1. remember the number 42");
        }
    }

    @Test
    void goAwayIsReportedBeforeTheServerCloses() throws Exception {
        RecordingListener rec = new RecordingListener();
        LiveSession s = client.connect(text(), rec);
        extension.closeAfterwards(s);
        emulator.inject(new dev.habla.emulator.Fault.GoAway(java.time.Duration.ofMillis(200)));
        LiveEvent.GoingAway g = rec.await(LiveEvent.GoingAway.class, WAIT);
        assertThat(g.timeLeft()).isEqualTo(java.time.Duration.ofMillis(200));
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.code()).isEqualTo(1000);
        assertThat(closed.error()).isNotNull();
        assertThat(closed.error().kind()).isEqualTo(LiveException.Kind.UNAVAILABLE);
        assertThat(closed.error().kind().retryable()).isTrue();
        assertThat(s.state()).isEqualTo(SessionState.FAILED);
        rec.assertTerminatedOnce();
    }
}
