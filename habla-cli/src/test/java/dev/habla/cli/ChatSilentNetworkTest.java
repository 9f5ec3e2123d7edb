package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code habla chat} when the network dies silently right as a line is typed: the server black-holes everything
 * (emulator {@link Fault.Stall}: nothing it receives is processed, nothing is answered), and 3 s later the connection
 * is reset ({@link Fault.DropConnection}). The line must be answered exactly once, within a few seconds of the reset
 * (not lost, not only after the 15 s no-reply rule, not twice).
 */
@Timeout(60)
class ChatSilentNetworkTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    /** "Within a few seconds of the reset": the reconnect and the answer take well under a second on loopback. */
    static final Duration SOON = Duration.ofSeconds(5);

    @TempDir
    Path work;
    @TempDir
    Path home;
    LiveEmulator emu;

    @AfterEach
    void stopEmulator() {
        if (emu != null) {
            emu.close();
        }
    }

    @Test
    void aLineTypedAsTheNetworkDiesIsAnsweredOnceSoonAfterTheReset() throws Exception {
        emu = LiveEmulator.create(b -> b.port(0));
        try (InteractiveRun chat = new InteractiveRun(work, home, Map.of(), "chat", "--base-url", emu.baseUrl(),
                "--model", ChatCommand.EMULATOR_TEXT_MODEL)) {
            chat.type("hello");
            chat.awaitOut("the first answer", WAIT, s -> s.contains("You said: hello\n\nyou> "));

            emu.inject(new Fault.Stall(Duration.ofMinutes(5)));   // packets black-holed from now on
            chat.type("are you still there");
            // The network stays silent for 3 s: nothing can be answered meanwhile.
            assertThat(chat.awaitOutQuietly(Duration.ofSeconds(3), s -> s.contains("You said: are you still there")))
                    .as("an answer through a black hole").isFalse();
            emu.inject(new Fault.DropConnection());               // then the connection is reset
            chat.awaitOut("the answer within " + SOON + " of the reset", SOON,
                    s -> s.contains("You said: are you still there"));

            chat.type("history");
            chat.awaitOut("the history", WAIT, s -> s.contains("History: "));
            String out = chat.awaitOut("the prompt after the history", WAIT, s -> s.endsWith("you> "));
            assertThat(out).contains("History: 1. hello | 2. are you still there\n");
            assertThat(count(out, "You said: are you still there")).as("answers to the line").isEqualTo(1);
            chat.type("exit");
            assertThat(chat.awaitExit(WAIT)).isZero();
        }
    }

    private static int count(String s, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
