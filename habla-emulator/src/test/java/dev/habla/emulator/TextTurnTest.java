package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.UsageMetadata;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TextTurnTest {
    @RegisterExtension
    final EmulatorExtension emulator = new EmulatorExtension();

    @Test
    void textTurnStreamsChunksThenGenerationCompleteThenTurnCompleteWithUsage(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().json());
            RawClient.Frame first = c.nextFrame();
            assertThat(first.binary()).as("server frames are binary").isTrue();
            assertThat(first.json()).isEqualTo("{\"setupComplete\":{}}");

            c.send(ClientMessage.ClientContent.userText("the quick brown fox jumps over the lazy dog"));
            List<ServerFrame> frames = c.untilTurnComplete();
            assertThat(Fixtures.text(frames)).isEqualTo("You said: the quick brown fox jumps over the lazy dog");
            long chunks = frames.stream().filter(f -> Fixtures.content(f).modelTurn() != null).count();
            assertThat(chunks).isGreaterThanOrEqualTo(3);
            ServerMessage.ServerContent genDone = Fixtures.content(frames.get(frames.size() - 2));
            assertThat(genDone.generationComplete()).isTrue();
            ServerFrame done = frames.getLast();
            UsageMetadata u = done.usageMetadata();
            assertThat(u).isNotNull();
            assertThat(u.responseTokenCount()).isEqualTo((int) Math.ceil("You said: the quick brown fox jumps over the lazy dog".length() / 4.0));
            assertThat(u.totalTokenCount()).isEqualTo(u.promptTokenCount() + u.responseTokenCount());
            assertThat(u.responseTokensDetails()).extracting(UsageMetadata.ModalityTokenCount::modality).containsExactly(UsageMetadata.Modality.TEXT);
            assertThat(u.promptTokensDetails()).isNotEmpty();
        }
    }

    @Test
    void realtimeTextGetsAReplyAndClientMessagesAreRecorded(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.sendBinary("{\"realtime_input\":{\"text\":\"hi there\"}}");
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: hi there");
        }
        ReceivedMessage setup = emu.takeClientMessage(Duration.ofSeconds(1));
        assertThat(setup.message()).isInstanceOf(ClientMessage.Setup.class);
        assertThat(setup.binaryFrame()).isFalse();
        ReceivedMessage rt = emu.takeClientMessage(Duration.ofSeconds(1));
        assertThat(rt.message()).isEqualTo(ClientMessage.RealtimeInput.ofText("hi there"));
        assertThat(rt.binaryFrame()).isTrue();
        assertThat(rt.rawJson()).isEqualTo("{\"realtime_input\":{\"text\":\"hi there\"}}");
        assertThat(rt.sessionId()).isEqualTo(setup.sessionId());
    }
}
