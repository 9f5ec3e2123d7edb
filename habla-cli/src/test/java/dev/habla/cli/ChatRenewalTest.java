package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.testing.FakeClock;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service ends every connection after about ten minutes (goAway first). The chat's resilient session moves to a
 * new connection with the session's resumption handle, so the conversation, and its memory, go on, without a word on
 * screen. Time is the emulator's fake clock. (A goAway in the middle of an answer, with tools, and drops: see
 * {@link ChatResilienceTest}.)
 */
@Timeout(60)
class ChatRenewalTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path work;
    @TempDir
    Path home;
    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x.fakeClock()
            .emulator(b -> b.connectionLifetime(Duration.ofMinutes(10)).goAwayLead(Duration.ofSeconds(5))));
    LiveEmulator emu;
    FakeClock clock;

    @BeforeEach
    void bind() {
        emu = live.emulator();
        clock = live.clock();
    }

    @Test
    void aConversationOutlivesTheConnectionLimit() throws Exception {
        try (InteractiveRun chat = new InteractiveRun(work, home, Map.of(), "chat", "--base-url", emu.baseUrl(),
                "--model", ChatCommand.EMULATOR_TEXT_MODEL)) {
            chat.type("hello");
            chat.awaitOut("the first answer", WAIT, s -> s.contains("You said: hello\n\nyou> "));
            ReceivedMessage firstSetup = next(ClientMessage.Setup.class);
            assertThat(firstSetup.rawJson()).contains("sessionResumption");

            clock.advance(Duration.ofMinutes(10).minusSeconds(5));   // goAway: 5 s left on this connection

            ReceivedMessage resumed = next(ClientMessage.Setup.class);
            assertThat(resumed.sessionId()).isNotEqualTo(firstSetup.sessionId());
            assertThat(resumed.rawJson()).contains("\"handle\"");

            chat.type("history");
            chat.awaitOut("the history from the resumed session", WAIT,
                    s -> s.contains("History: 1. hello\n\nyou> "));
            // Which connection carried it depends on how fast the user was: the switch happens at the first turn
            // boundary after the next connection is ready (ChatResilienceTest pins it down with --verbose).

            clock.advance(Duration.ofSeconds(5));   // the old connection's end: nothing for the chat to notice
            chat.type("still here");
            chat.awaitOut("an answer after the old connection ended", WAIT, s -> s.contains("You said: still here"));
            chat.type("exit");
            assertThat(chat.awaitExit(WAIT)).isZero();
            assertThat(chat.err()).isEmpty();
            assertThat(chat.out()).as("a routine handover prints nothing without --verbose")
                    .doesNotContain("connection").doesNotContain("reconnect");
        }
    }

    private ReceivedMessage next(Class<? extends ClientMessage> type) throws InterruptedException {
        while (true) {
            ReceivedMessage m = emu.takeClientMessage(WAIT);
            assertThat(m).as("a %s within %s", type.getSimpleName(), WAIT).isNotNull();
            if (type.isInstance(m.message())) {
                return m;
            }
        }
    }
}
