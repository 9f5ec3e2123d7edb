package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
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
class HistoryAndResumptionTest {
    @RegisterExtension
    final EmulatorExtension emulator = EmulatorExtension.create(x -> x.fakeClock().emulator(b -> b.resumptionHandleTtl(Duration.ofHours(2))));

    private static ServerMessage.SessionResumptionUpdate update(ServerFrame f) {
        assertThat(f.message()).isInstanceOf(ServerMessage.SessionResumptionUpdate.class);
        return (ServerMessage.SessionResumptionUpdate) f.message();
    }

    @Test
    void historyListsEarlierUserTurns(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.ClientContent.userText(" History "));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("History: (empty)");
            c.send(ClientMessage.ClientContent.userText("hello"));
            c.untilTurnComplete();
            // Prefilled turns (user and model) without turnComplete, then a go.
            c.sendText("{\"clientContent\":{\"turns\":[{\"role\":\"user\",\"parts\":[{\"text\":\"what is up\"}]},"
                    + "{\"role\":\"model\",\"parts\":[{\"text\":\"not much\"}]}],\"turnComplete\":false}}");
            c.sendText("{\"client_content\":{\"turn_complete\":true}}");
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: what is up");
            c.send(ClientMessage.ClientContent.userText("history"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("History: 1. History | 2. hello | 3. what is up");
        }
        EmulatorSession s = emu.session("s1").orElseThrow();
        assertThat(s.history()).containsExactly(" History ", "hello", "what is up", "history");
        assertThat(s.conversation()).extracting(dev.habla.protocol.Content::role).contains("user", "model");
    }

    @Test
    void resumptionRestoresHistoryAndAudio(LiveEmulator emu) throws Exception {
        String handle;
        byte[] pcm = Fixtures.silence(100, 16000);
        pcm[0] = 7;
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().resumable(null).json());
            assertThat(c.next().message()).isInstanceOf(ServerMessage.SetupComplete.class);
            assertThat(update(c.next()).resumable()).isTrue();
            c.send(ClientMessage.RealtimeInput.ofAudio(pcm, 16000));
            c.send(ClientMessage.ClientContent.userText("hello"));
            assertThat(update(c.next()).resumable()).as("not resumable while generating").isFalse();
            c.untilTurnComplete();
            ServerMessage.SessionResumptionUpdate u = update(c.next());
            assertThat(u.resumable()).isTrue();
            handle = u.newHandle();
            assertThat(handle).isNotBlank();
        }
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().resumable(handle).json());
            assertThat(c.next().message()).isInstanceOf(ServerMessage.SetupComplete.class);
            update(c.next());
            c.send(ClientMessage.RealtimeInput.ofAudio(pcm, 16000));
            c.send(ClientMessage.ClientContent.userText("history"));
            List<ServerFrame> frames = c.untilTurnComplete();
            assertThat(Fixtures.text(frames)).isEqualTo("History: 1. hello");
            EmulatorSession s = emu.sessions().getFirst();
            assertThat(s.receivedAudio()).hasSize(pcm.length * 2);
            assertThat(s.receivedAudio()[0]).isEqualTo((byte) 7);
            assertThat(s.receivedAudio()[pcm.length]).isEqualTo((byte) 7);
            assertThat(s.logicalSessionId()).isEqualTo(emu.session("s1").orElseThrow().logicalSessionId());
        }
    }

    @Test
    void badHandlesClose1007(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().resumable("no-such-handle").json());
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1007, "Request contains an invalid argument."));
        }
        String handle;
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().resumable(null).json());
            c.next();
            handle = update(c.next()).newHandle();
        }
        // Another model.
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.setup("models/gemini-2.0-flash-exp", "TEXT").resumable(handle).json());
            assertThat(c.awaitClose().code()).isEqualTo(1007);
        }
        // Refused once, then fine.
        emu.inject(new Fault.RefuseResumption());
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().resumable(handle).json());
            assertThat(c.awaitClose().code()).isEqualTo(1007);
        }
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().resumable(handle).json());
            assertThat(c.next().message()).isInstanceOf(ServerMessage.SetupComplete.class);
        }
        // Expired.
        clock.advance(Duration.ofHours(2));
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().resumable(handle).json());
            assertThat(c.skipToClose().code()).isEqualTo(1007);
        }
    }
}
