package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.ServerMessage;
import dev.habla.testing.FakeClock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScriptTest {
    @RegisterExtension
    final EmulatorExtension emulator = EmulatorExtension.create(x -> x.fakeClock());

    @Test
    void scriptedConversation(LiveEmulator emu, FakeClock clock) throws Exception {
        emu.enqueue(Script.create(script -> script
                .expect(ClientMessage.Setup.class)
                .send(new ServerMessage.SetupComplete(null))
                .expect("a hello", m -> m instanceof ClientMessage.ClientContent cc && cc.turns().getFirst().parts().getFirst().text().equals("hello"))
                .send(ServerMessage.ServerContent.modelTurn(Content.text("model", "scripted")))
                .pause(Duration.ofSeconds(3))
                .sendRaw("{\"serverContent\":{\"turnComplete\":true}}", false)
                .close(4000, "script over")));
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.setup("models/anything-goes", "TEXT").json()); // scripts do not check models
            assertThat(c.next().message()).isInstanceOf(ServerMessage.SetupComplete.class);
            c.send(ClientMessage.ClientContent.userText("hello"));
            assertThat(Fixtures.text(java.util.List.of(c.next()))).isEqualTo("scripted");
            assertThat(c.pollEvent(Duration.ofMillis(100))).isNull();
            clock.advance(Duration.ofSeconds(3));
            RawClient.Frame raw = c.nextFrame();
            assertThat(raw.binary()).isFalse();
            assertThat(raw.json()).isEqualTo("{\"serverContent\":{\"turnComplete\":true}}");
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(4000, "script over"));
        }
        // The script was used once; the next connection gets the brain.
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.ClientContent.userText("hi"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: hi");
        }
    }

    @Test
    void unexpectedMessageFailsTheScriptWith1011(LiveEmulator emu) throws Exception {
        emu.enqueue(Script.create(script -> script.expect(ClientMessage.Setup.class).send(new ServerMessage.SetupComplete(null))
                .expect(ClientMessage.ToolResponse.class)));
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.RealtimeInput.ofText("x"));
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1011, "Script expected ToolResponse but got realtimeInput"));
        }
    }

    @Test
    void thenDefaultBrainTakesOverWithTheConsumedSetup(LiveEmulator emu) throws Exception {
        emu.enqueue(Script.create(script -> script
                .expect(ClientMessage.Setup.class)
                .send(new ServerMessage.SetupComplete(null))
                .send(ServerMessage.ServerContent.modelTurn(Content.text("model", "welcome")))
                .thenDefaultBrain()));
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            assertThat(Fixtures.text(java.util.List.of(c.next()))).isEqualTo("welcome");
            c.send(ClientMessage.ClientContent.userText("and now"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: and now");
            assertThat(emu.sessions().getFirst().model()).isEqualTo("gemini-2.0-flash-live-001");
        }
    }

    @Test
    void thenDefaultBrainBeforeSetupLetsTheBrainAnswerIt(LiveEmulator emu) throws Exception {
        emu.enqueue(Script.create(script -> script.thenDefaultBrain()));
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.ClientContent.userText("x"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: x");
        }
    }

    @Test
    void scriptsAreUsedInFifoOrderAndCanApplyFaults(LiveEmulator emu) throws Exception {
        emu.enqueue(Script.create(script -> script.expect(ClientMessage.Setup.class).fault(new Fault.DeadlineExpired())));
        emu.enqueue(Script.create(script -> script.expect(ClientMessage.Setup.class).fault(new Fault.DropConnection())));
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().json());
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1011, "Deadline expired before operation could complete."));
        }
        try (RawClient c = RawClient.connect(emu)) {
            c.sendText(Fixtures.text().json());
            RawClient.Event e = c.nextEvent(RawClient.WAIT);
            assertThat(e).isInstanceOfAny(RawClient.Failed.class, RawClient.Closed.class);
            if (e instanceof RawClient.Closed closed) {
                assertThat(closed.code()).isEqualTo(1006);
            }
        }
    }

    @Test
    void endedScriptKeepsTheConnectionOpenAndRecordsMessages(LiveEmulator emu) throws Exception {
        emu.enqueue(Script.create(script -> script.expect(ClientMessage.Setup.class).send(new ServerMessage.SetupComplete(null))));
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.ClientContent.userText("anyone?"));
            assertThat(emu.takeClientMessage(Duration.ofSeconds(2)).message()).isInstanceOf(ClientMessage.Setup.class);
            assertThat(emu.takeClientMessage(Duration.ofSeconds(2)).message()).isEqualTo(ClientMessage.ClientContent.userText("anyone?"));
            assertThat(c.pollEvent(Duration.ofMillis(100))).isNull();
            assertThat(c.isOpen()).isTrue();
        }
    }
}
