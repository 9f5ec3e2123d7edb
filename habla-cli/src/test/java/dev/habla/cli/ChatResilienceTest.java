package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.testing.FakeClock;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import dev.habla.tools.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code habla chat} on a {@code ResilientSession}: a goAway in the middle of an answer, with and without tools, a
 * dropped connection, a tool whose result is still pending when the connection is lost, and the end of the chat when
 * reconnecting is hopeless. Each shows on screen what a user would see, and the emulator's {@code history} (the
 * earlier user turns of the logical session) proves the conversation went on where it was.
 */
@Timeout(90)
class ChatResilienceTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String MODEL = ChatCommand.EMULATOR_TEXT_MODEL;

    @TempDir
    Path work;
    @TempDir
    Path home;
    LiveEmulator emu;
    FakeClock clock;

    @AfterEach
    void stopEmulator() {
        if (emu != null) {
            emu.close();
        }
    }

    private InteractiveRun chat(String... extra) {
        return chatWith(cl -> { }, extra);
    }

    private InteractiveRun chatWith(java.util.function.Consumer<picocli.CommandLine> prepare, String... extra) {
        String[] args = new String[extra.length + 5];
        args[0] = "chat";
        args[1] = "--base-url";
        args[2] = emu.baseUrl();
        args[3] = "--model";
        args[4] = MODEL;
        System.arraycopy(extra, 0, args, 5, extra.length);
        return new InteractiveRun(work, home, Map.of(), prepare, args);
    }

    @Test
    void aGoAwayInTheMiddleOfAnAnswerHandsOverAfterItWithoutLosingOrRepeatingAnything() throws Exception {
        clock = new FakeClock();
        emu = LiveEmulator.create(b -> b.clock(clock).textChunkDelay(Duration.ofMillis(100)));
        try (InteractiveRun chat = chat("--verbose")) {
            chat.type("hello");
            advanceUntil(chat, "the first answer", s -> s.contains("you> You said: hello\n\nyou> "));
            ReceivedMessage firstSetup = next(ClientMessage.Setup.class);

            String words = "one two three four five six seven eight nine ten";
            chat.type(words);
            chat.awaitOut("the start of the second answer", WAIT, s -> s.contains("hello\n\nyou> You"));
            emu.inject(new Fault.GoAway(Duration.ofSeconds(60)));   // emulator time: it never runs out here
            assertThat(chat.out()).as("still streaming").doesNotContain("ten");

            // The answer in one piece, then (--verbose) the handover, which waited for its end: the next connection
            // is opened then, with the handle that includes the whole answer.
            advanceUntil(chat, "the rest of the answer and the switch", s -> s.contains("You said: " + words + "\n\n"
                    + "(the server will end this connection in 60 s; moving to a new one)\n")
                    && s.contains("(now on connection 2)\n"));
            ReceivedMessage nextSetup = next(ClientMessage.Setup.class);
            assertThat(nextSetup.sessionId()).isNotEqualTo(firstSetup.sessionId());
            assertThat(nextSetup.rawJson()).contains("\"handle\"");
            chat.type("history");
            advanceUntil(chat, "the history, from the next connection",
                    s -> s.contains("you> History: 1. hello | 2. " + words + "\n\nyou> "));
            assertThat(next(ClientMessage.ClientContent.class).sessionId()).as("history went on the new connection")
                    .isEqualTo(nextSetup.sessionId());
            assertThat(count(chat.out(), "You said: " + words)).as("the answer, once").isEqualTo(1);
            chat.type("exit");
            assertThat(chat.awaitExit(WAIT)).isZero();
            assertThat(chat.err()).doesNotContain("habla: ");
        }
    }

    @Test
    void whenTheServerEndsTheConnectionBeforeTheAnswerDoesTheChatSaysSoAndGoesOn() throws Exception {
        clock = new FakeClock();
        emu = LiveEmulator.create(b -> b.clock(clock).textChunkDelay(Duration.ofMillis(100)));
        try (InteractiveRun chat = chat()) {
            StringBuilder words = new StringBuilder("count");
            for (int i = 1; i <= 60; i++) {
                words.append(" w").append(i);
            }
            chat.type(words.toString());
            chat.awaitOut("the start of the answer", WAIT, s -> s.contains("you> You"));
            // 1 s is less than the client's 2 s margin: it switches at once, in the middle of the answer.
            emu.inject(new Fault.GoAway(Duration.ofSeconds(1)));
            advanceUntil(chat, "a line saying why the answer stopped, and the prompt",
                    s -> (s.contains("(the server ended the connection during the answer") || s.contains("(connection lost"))
                            && s.endsWith("you> "));
            assertThat(chat.out()).as("the answer stopped early").doesNotContain("w60");
            chat.type("history");
            advanceUntil(chat, "the conversation going on", s -> s.contains("History: 1. count w1"));
            chat.type("exit");
            assertThat(chat.awaitExit(WAIT)).isZero();
            assertThat(chat.err()).isEmpty();
        }
    }

    @Test
    void withToolsAGoAwayHandsOverAndTheConversationGoesOn() throws Exception {
        emu = LiveEmulator.create();
        try (InteractiveRun chat = chat("--tools", "--verbose")) {
            chat.type("call calculator {\"expression\":\"6*7\"}");
            // (The tool line comes from the runner's thread: it may print just before or after the answer.)
            chat.awaitOut("the tool's answer", WAIT, s -> s.contains("Tool calculator returned {\"output\":{\"value\":42}}")
                    && s.contains("→ {\"value\":42}") && s.endsWith("you> "));
            emu.inject(new Fault.GoAway(Duration.ofSeconds(30)));
            chat.awaitOut("the handover, shown with --verbose", WAIT, s -> s.contains("(now on connection 2)"));
            assertThat(chat.out()).contains("(the server will end this connection in 30 s; moving to a new one)");

            chat.type("call calculator {\"expression\":\"2+3\"}");
            chat.awaitOut("a tool call on the new connection", WAIT,
                    s -> s.contains("Tool calculator returned {\"output\":{\"value\":5}}") && s.contains("→ {\"value\":5}")
                            && s.endsWith("you> "));
            chat.type("history");
            chat.awaitOut("both turns in the history", WAIT, s -> s.contains(
                    "History: 1. call calculator {\"expression\":\"6*7\"} | 2. call calculator {\"expression\":\"2+3\"}"));
            assertThat(count(chat.out(), "Tool calculator returned")).isEqualTo(2);
            chat.type("exit");
            assertThat(chat.awaitExit(WAIT)).isZero();
        }
    }

    @Test
    void aDroppedConnectionReconnectsAndTheNextTurnRemembersTheEarlierOnes() throws Exception {
        emu = LiveEmulator.create();
        try (InteractiveRun chat = chat()) {
            chat.type("hello");
            chat.awaitOut("the first answer", WAIT, s -> s.contains("You said: hello\n\nyou> "));
            emu.inject(new Fault.DropConnection());
            chat.awaitOut("the reconnect, in two short lines", WAIT,
                    s -> s.contains("(connection lost (1006") && s.contains("reconnecting…)\n") && s.contains("(reconnected)\n"));

            chat.type("history");
            chat.awaitOut("the history on the resumed session", WAIT, s -> s.contains("History: 1. hello\n\nyou> "));
            emu.inject(new Fault.Close(1011, "Internal error occurred."));
            chat.awaitOut("the second reconnect", WAIT, s -> count(s, "(reconnected)") == 2);
            assertThat(chat.out()).contains("(connection lost (1011 Internal error occurred.); reconnecting…)");
            chat.type("still here");
            chat.awaitOut("the next answer", WAIT, s -> s.contains("You said: still here\n\nyou> "));
            chat.type("exit");
            assertThat(chat.awaitExit(WAIT)).isZero();
            assertThat(chat.err()).isEmpty();
        }
    }

    @Test
    void aToolResultPendingWhenTheConnectionDropsReachesTheModelOnTheNextOne() throws Exception {
        emu = LiveEmulator.create();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        try (InteractiveRun chat = chatWith(cl -> tools(cl).extraTools.add(Tools.function("slow_lookup",
                "Looks the answer up (slowly)", () -> {
                    started.countDown();
                    gate.await();
                    return Map.of("answer", 42);
                })), "--tools")) {
            chat.type("hello");
            chat.awaitOut("the first answer", WAIT, s -> s.contains("You said: hello\n\nyou> "));
            chat.type("call slow_lookup {}");
            assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the tool runs").isTrue();

            emu.inject(new Fault.DropConnection());
            chat.awaitOut("the reconnect", WAIT, s -> s.contains("(reconnected)\n"));
            assertThat(chat.out()).as("the answer is still awaited").doesNotEndWith("you> ");
            gate.countDown();   // the result comes after the connection that asked for it is gone

            // The activity line comes from the tool runner's thread and may be printed after the answer: wait for both.
            java.util.regex.Pattern activity = java.util.regex.Pattern.compile(
                    "\\[tool slow_lookup \\{} → \\{\"answer\":42\\} in \\d+ ms\\]");
            String out = chat.awaitOut("the model's use of the result and the tool's activity line", WAIT,
                    s -> s.contains("Tool slow_lookup returned {\"output\":{\"answer\":42}}\n\nyou> ")
                            && activity.matcher(s).find());
            assertThat(count(out, "Tool slow_lookup returned")).isEqualTo(1);
            chat.type("history");
            chat.awaitOut("the conversation so far", WAIT, s -> s.contains("History: 1. hello"));
            chat.type("exit");
            assertThat(chat.awaitExit(WAIT)).isZero();
            assertThat(chat.err()).isEmpty();
        }
    }

    @Test
    void whenReconnectingFailsTheChatEndsWithOneLineAndExit5() throws Exception {
        emu = LiveEmulator.create();
        try (InteractiveRun chat = chat()) {
            chat.type("hello");
            chat.awaitOut("the first answer", WAIT, s -> s.contains("You said: hello\n\nyou> "));
            String url = emu.baseUrl();
            emu.close();   // the server is gone for good: every attempt is refused (about 8 s of backoff)
            assertThat(chat.awaitExitWithoutEof(Duration.ofSeconds(60))).isEqualTo(ExitCodes.UNAVAILABLE);
            assertThat(chat.out()).contains("(connection lost");
            String err = chat.err().strip();
            assertThat(err.lines()).as(err).hasSize(1);
            assertThat(err).startsWith("habla: lost the connection to " + url + " and could not reconnect (6 attempts")
                    .endsWith("; check the network or --base-url").doesNotContain("Exception");
        }
    }

    @Test
    void aReconnectRefusedForQuotaEndsAtOnceWithExit6() throws Exception {
        emu = LiveEmulator.create();
        try (InteractiveRun chat = chat()) {
            chat.type("hello");
            chat.awaitOut("the first answer", WAIT, s -> s.contains("You said: hello\n\nyou> "));
            // The next connection (the reconnect) is refused with a quota error: retrying would not help.
            emu.enqueue(dev.habla.emulator.Script.create(script -> script.expect(ClientMessage.Setup.class)
                    .close(1011, ChatErrorsTest.QUOTA)));
            emu.inject(new Fault.DropConnection());
            assertThat(chat.awaitExitWithoutEof(WAIT)).isEqualTo(ExitCodes.RESOURCE_EXHAUSTED);
            String err = chat.err().strip();
            assertThat(err.lines()).as(err).hasSize(1);
            assertThat(err).startsWith("habla: quota or rate limit reached (1011 You exceeded your current quota");
            assertThat(chat.out()).contains("(connection lost (1006").doesNotContain("(reconnected)");
        }
    }

    private static ToolSupport tools(picocli.CommandLine cl) {
        return ((ChatCommand) cl.getSubcommands().get("chat").getCommand()).tools;
    }

    /** Advances the emulator's clock in 100 ms steps until stdout satisfies {@code condition}. */
    private void advanceUntil(InteractiveRun chat, String what, Predicate<String> condition) throws InterruptedException {
        for (int i = 0; i < 200 && !condition.test(chat.out()); i++) {
            clock.advance(Duration.ofMillis(100));
            chat.awaitOutQuietly(Duration.ofMillis(100), condition);
        }
        chat.awaitOut(what, WAIT, condition);
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

    private static int count(String s, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
