package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BargeInTest {
    @RegisterExtension
    final EmulatorExtension emulator = EmulatorExtension.create(x -> x.fakeClock());

    static final String LONG = "tell me a long story about the sea and the ships and the sailors";

    @Test
    void userSpeechInterruptsAnAudioReply(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio().transcribed())) {
            c.send(ClientMessage.ClientContent.userText(LONG));
            List<ServerFrame> first = AudioOutputTest.readChunks(c, 12);
            String sentTranscript = Fixtures.outputTranscript(first);
            // The user talks over the model.
            VadTest.stream(c, Fixtures.tone(300, 16000), 16000);
            List<ServerFrame> rest = c.untilTurnComplete();
            assertThat(Fixtures.content(rest.getFirst()).interrupted()).isTrue();
            assertThat(rest).noneMatch(f -> Fixtures.content(f) != null && Fixtures.content(f).generationComplete());
            assertThat(rest).hasSize(2);
            // The unsent rest is discarded: moving the clock sends nothing more.
            clock.advance(Duration.ofSeconds(10));
            assertThat(c.pollEvent(Duration.ofMillis(150))).isNull();
            List<Content> conv = emu.sessions().getFirst().conversation();
            Content model = conv.stream().filter(x -> "model".equals(x.role())).findFirst().orElseThrow();
            assertThat(model.parts().getFirst().text()).isEqualTo(sentTranscript);
            assertThat(sentTranscript).isNotEmpty();
            assertThat(("You said: " + LONG)).startsWith(sentTranscript).isNotEqualTo(sentTranscript);
            // The user's utterance still gets its own reply once it ends.
            VadTest.stream(c, Fixtures.silence(600, 16000), 16000);
            List<ServerFrame> next = AudioOutputTest.readChunks(c, 1);
            assertThat(Fixtures.outputTranscript(next)).startsWith("I");
        }
    }

    @Test
    void newTextInterruptsAndPendingToolCallsAreCancelled(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().tools("f"))) {
            c.send(ClientMessage.ClientContent.userText("call f {}"));
            ServerMessage.ToolCall call = (ServerMessage.ToolCall) c.next().message();
            String id = call.functionCalls().getFirst().id();
            c.send(ClientMessage.RealtimeInput.ofText("never mind"));
            assertThat(Fixtures.content(c.next()).interrupted()).isTrue();
            assertThat(c.next().message()).isEqualTo(new ServerMessage.ToolCallCancellation(List.of(id)));
            assertThat(RawClient.isTurnComplete(c.next())).isTrue();
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: never mind");
            // A late response to the cancelled call is ignored, not an error.
            c.sendText("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + id + "\",\"response\":{}}]}}");
            c.send(ClientMessage.ClientContent.userText("still open"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: still open");
        }
    }

    @Test
    void clientContentWithoutTurnsInterrupts(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio().transcribed())) {
            c.send(ClientMessage.ClientContent.userText(LONG));
            AudioOutputTest.readChunks(c, 12);
            c.sendText("{\"clientContent\":{}}");
            List<ServerFrame> rest = c.untilTurnComplete();
            assertThat(Fixtures.content(rest.getFirst()).interrupted()).isTrue();
            clock.advance(Duration.ofSeconds(10));
            assertThat(c.pollEvent(Duration.ofMillis(150))).as("nothing more of the stopped answer").isNull();
        }
    }

    @Test
    void manualActivityStartInterrupts(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio().manualActivity())) {
            c.send(ClientMessage.ClientContent.userText(LONG));
            AudioOutputTest.readChunks(c, 12);
            c.send(ClientMessage.RealtimeInput.ofActivityStart());
            List<ServerFrame> rest = c.untilTurnComplete();
            assertThat(Fixtures.content(rest.getFirst()).interrupted()).isTrue();
        }
    }

    @Test
    void noInterruptionLetsTheReplyFinishThenAnswers(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio().transcribed().noInterruption())) {
            c.send(ClientMessage.ClientContent.userText(LONG));
            AudioOutputTest.readChunks(c, 12);
            c.send(ClientMessage.RealtimeInput.ofText("two"));
            VadTest.stream(c, Fixtures.tone(300, 16000), 16000);
            assertThat(c.pollEvent(Duration.ofMillis(150))).as("not interrupted").isNull();
            clock.advance(Duration.ofSeconds(6));
            List<ServerFrame> frames = c.untilTurnComplete();
            assertThat(Fixtures.outputTranscript(frames)).isNotEmpty();
            assertThat(frames).noneMatch(f -> Fixtures.content(f) != null && Fixtures.content(f).interrupted());
            // The deferred text turn starts as soon as the first turn completes.
            List<ServerFrame> second = AudioOutputTest.readChunks(c, 1);
            clock.advance(Duration.ofSeconds(2));
            second.addAll(c.untilTurnComplete());
            assertThat(Fixtures.outputTranscript(second)).isEqualTo("You said: two");
        }
    }

    @Test
    void textTurnsAreInterruptibleWithAChunkDelay(FakeClock clock) throws Exception {
        try (LiveEmulator slow = LiveEmulator.create(b -> b.clock(clock).textChunkDelay(Duration.ofMillis(100)));
                RawClient c = RawClient.connect(java.net.URI.create(slow.wsUrl("v1beta") + "?key=k"))) {
            c.sendText(Fixtures.text().json());
            c.next();
            c.send(ClientMessage.ClientContent.userText("a b c d e f"));
            assertThat(Fixtures.text(List.of(c.next()))).isEqualTo("You said:");
            c.send(ClientMessage.ClientContent.userText("stop"));
            assertThat(Fixtures.content(c.next()).interrupted()).isTrue();
            assertThat(RawClient.isTurnComplete(c.next())).isTrue();
            List<ServerFrame> frames = c.until(f -> Fixtures.text(List.of(f)).equals("You"));
            clock.advance(Duration.ofMillis(200));
            frames.addAll(c.untilTurnComplete());
            assertThat(Fixtures.text(frames)).isEqualTo("You said: stop");
        }
    }
}
