package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Gemini 3.1 Flash Live's rules (live-protocol.md §3.2, §4.2, §5.11). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class Gemini31Test {
    static final String G31 = "models/gemini-3.1-flash-live-preview";
    @RegisterExtension
    final EmulatorExtension emulator = EmulatorExtension.create(x -> x.fakeClock());

    static Fixtures.SetupJson g31() {
        return Fixtures.setup(G31, "AUDIO");
    }

    static Fixtures.SetupJson withHistoryConfig(Fixtures.SetupJson s) {
        return s.raw(setup -> setup.putObject("historyConfig").put("initialHistoryInClientContent", true));
    }

    /** Frames until turnComplete, advancing the fake clock while the audio reply "plays". */
    static List<ServerFrame> turn(RawClient c, FakeClock clock) throws InterruptedException {
        List<ServerFrame> out = new java.util.ArrayList<>();
        while (true) {
            RawClient.Event e = c.pollEvent(Duration.ofMillis(50));
            if (e == null) {
                clock.advance(Duration.ofMillis(250));
                continue;
            }
            assertThat(e).as("a frame").isInstanceOf(RawClient.Frame.class);
            ServerFrame f = ((RawClient.Frame) e).decode();
            out.add(f);
            if (RawClient.isTurnComplete(f)) {
                return out;
            }
        }
    }

    @Test
    void realtimeTextIsAnsweredAndThinkingLevelIsAccepted(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, g31().raw(s -> s.withObject("generationConfig")
                .putObject("thinkingConfig").put("thinkingLevel", "HIGH")))) {
            c.send(ClientMessage.RealtimeInput.ofText("typed on 3.1"));
            List<ServerFrame> frames = turn(c, clock);
            assertThat(Fixtures.audio(frames)).hasSize("You said: typed on 3.1".length() * 1680 * 2);
        }
    }

    @Test
    void clientContentMidSessionCloses1007(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, g31())) {
            c.send(ClientMessage.RealtimeInput.ofText("hi"));
            turn(c, clock);
            c.send(ClientMessage.ClientContent.userText("not on 3.1"));
            assertThat(c.skipToClose()).isEqualTo(new RawClient.Closed(1007, "Request contains an invalid argument."));
        }
        // Even as the very first message: without historyConfig there is no history phase.
        try (RawClient c = RawClient.setUp(emu, g31())) {
            c.send(ClientMessage.ClientContent.userText("seed"));
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1007, "Request contains an invalid argument."));
        }
    }

    @Test
    void initialHistoryIsConsumedWithoutAReplyThenRealtimeOnly(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, withHistoryConfig(g31()))) {
            c.sendText("{\"clientContent\":{\"turns\":[{\"role\":\"user\",\"parts\":[{\"text\":\"my name is Ada\"}]},"
                    + "{\"role\":\"model\",\"parts\":[{\"text\":\"hello Ada\"}]}],\"turnComplete\":false}}");
            c.sendText("{\"clientContent\":{\"turns\":[{\"role\":\"user\",\"parts\":[{\"text\":\"I like tea\"}]}],"
                    + "\"turnComplete\":true}}");
            // No generation for the history: the next frame is the answer to the realtime text.
            c.send(ClientMessage.RealtimeInput.ofText("history"));
            List<ServerFrame> frames = turn(c, clock);
            assertThat(frames.getFirst().message()).isInstanceOf(ServerMessage.ServerContent.class);
            assertThat(Fixtures.audio(frames)).hasSize("History: 1. my name is Ada | 2. I like tea".length() * 1680 * 2);
            assertThat(emu.sessions().getFirst().history()).containsExactly("my name is Ada", "I like tea", "history");
            // After turnComplete:true the history phase is over.
            c.send(ClientMessage.ClientContent.userText("more history"));
            assertThat(c.skipToClose().code()).isEqualTo(1007);
        }
    }

    @Test
    void realtimeInputEndsTheHistoryPhase(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, withHistoryConfig(g31()))) {
            c.send(ClientMessage.RealtimeInput.ofText("hi"));
            turn(c, clock);
            c.sendText("{\"clientContent\":{\"turns\":[{\"role\":\"user\",\"parts\":[{\"text\":\"late\"}]}],\"turnComplete\":true}}");
            assertThat(c.skipToClose().code()).isEqualTo(1007);
        }
    }

    @Test
    void textModalityCloses1011(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.setup(G31, "TEXT").json());
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1011, "Internal error encountered."));
        }
    }

    @Test
    void audioAndItsTranscriptShareOneEvent(LiveEmulator emu, FakeClock clock) throws Exception {
        String reply = "You said: several parts";
        try (RawClient c = RawClient.setUp(emu, g31().transcribed())) {
            c.send(ClientMessage.RealtimeInput.ofText("several parts"));
            List<ServerFrame> frames = turn(c, clock);
            List<ServerMessage.ServerContent> audio = frames.stream().map(Fixtures::content)
                    .filter(sc -> sc != null && sc.modelTurn() != null).toList();
            assertThat(audio).isNotEmpty();
            // Every transcript chunk rides on an audio event; none travels alone.
            assertThat(frames.stream().map(Fixtures::content)
                    .filter(sc -> sc != null && sc.outputTranscription() != null && sc.modelTurn() == null)).isEmpty();
            assertThat(audio.getFirst().outputTranscription().text()).isEqualTo("You");
            assertThat(audio.getFirst().modelTurn().parts()).extracting(Part::inlineData).doesNotContainNull();
            assertThat(Fixtures.outputTranscript(frames)).isEqualTo(reply);
            assertThat(Fixtures.audio(frames)).hasSize(reply.length() * 1680 * 2);
        }
        // 2.5 native audio keeps one part per event: transcript and audio in separate events.
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio().transcribed())) {
            c.send(ClientMessage.RealtimeInput.ofText("several parts"));
            List<ServerFrame> frames = turn(c, clock);
            assertThat(frames.stream().map(Fixtures::content)
                    .filter(sc -> sc != null && sc.outputTranscription() != null && sc.modelTurn() != null)).isEmpty();
            assertThat(Fixtures.outputTranscript(frames)).isEqualTo(reply);
        }
    }
}
