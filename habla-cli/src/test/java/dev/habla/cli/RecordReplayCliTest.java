package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.Cassette;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code habla chat|talk --record FILE} against the emulator, then the same command against
 * {@code LiveEmulator.replay(FILE)} (what {@code habla emulator --replay FILE} runs): the same visible result, file to
 * file; a deviating chat is told which cassette line it broke; the cassette holds no key.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RecordReplayCliTest {
    // A made-up key in the real format, joined at run time so that no key-shaped literal is committed.
    static final String KEY = "AIza" + "SyC0mPl3t3lyFak3ButR3al1st1cK3y987654";

    @TempDir
    Path work;
    @TempDir
    Path home;

    @RegisterExtension
    final EmulatorExtension live = new EmulatorExtension();

    private CliRun.Result run(String stdin, String baseUrl, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--base-url", baseUrl));
        return CliRun.run(work, home, Map.of("GEMINI_API_KEY", KEY), stdin, all.toArray(String[]::new));
    }

    /** Tool timings differ from run to run ("in 3 ms"); everything else must be the same. */
    private static String visible(String out) {
        return out.replaceAll("in \\d+ ms", "in N ms");
    }

    private static final String CHAT_INPUT = "hello\ncall calculator {\"expression\":\"6*7\"}\nexit\n";

    private String[] chatArgs(String... more) {
        List<String> a = new ArrayList<>(List.of("chat", "--model", ChatCommand.EMULATOR_TEXT_MODEL, "--tools"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void chatReplaysFileToFileWithTheSameOutput() throws Exception {
        Path cassette = work.resolve("chat.jsonl");
        CliRun.Result recorded = run(CHAT_INPUT, live.emulator().baseUrl(), chatArgs("--record", "chat.jsonl"));
        assertThat(recorded.exitCode()).as(recorded.toString()).isZero();
        assertThat(recorded.out()).contains("You said: hello").contains("Tool calculator returned {\"output\":{\"value\":42}}");

        String text = Files.readString(cassette, StandardCharsets.UTF_8);
        assertThat(text).startsWith("{\"habla-cassette\":1").doesNotContain(KEY).doesNotContain("AIza");

        try (LiveEmulator replay = LiveEmulator.create(b -> b.replay(cassette))) {
            CliRun.Result replayed = run(CHAT_INPUT, replay.baseUrl(), chatArgs());
            assertThat(replayed.exitCode()).as(replayed.toString()).isZero();
            assertThat(lines(replayed.out())).isEqualTo(lines(recorded.out()));
            assertThat(replay.replayMismatches()).isEmpty();
        }
    }

    /**
     * Types the conversation into {@code habla chat --verbose} and returns what it printed: hello, a goAway handover
     * ({@code goAway} non-null: injected after the first answer; null: the cassette has it), a tool call, exit.
     */
    private String handoverChat(String baseUrl, Runnable goAway, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(chatArgs("--verbose", "--base-url", baseUrl)));
        args.addAll(List.of(extra));
        try (InteractiveRun chat = new InteractiveRun(work, home, Map.of("GEMINI_API_KEY", KEY), args.toArray(String[]::new))) {
            chat.type("hello");
            chat.awaitOut("the first answer", WAIT, s -> s.contains("You said: hello\n"));
            if (goAway != null) {
                goAway.run();
            }
            chat.awaitOut("the handover", WAIT, s -> s.contains("(now on connection 2)"));
            chat.type("call calculator {\"expression\":\"6*7\"}");
            chat.awaitOut("the tool's answer on connection 2", WAIT,
                    s -> s.contains("Tool calculator returned {\"output\":{\"value\":42}}") && s.contains("→ {\"value\":42}")
                            && s.endsWith("you> "));
            chat.type("exit");
            assertThat(chat.awaitExit(WAIT)).isZero();
            return chat.out();
        }
    }

    static final java.time.Duration WAIT = java.time.Duration.ofSeconds(20);

    @Test
    void aChatWithAHandoverReplaysWithTheSameOutput() throws Exception {
        Path cassette = work.resolve("handover.jsonl");
        LiveEmulator emu = live.emulator();
        String recorded = handoverChat(emu.baseUrl(), () -> emu.inject(new dev.habla.emulator.Fault.GoAway(
                java.time.Duration.ofSeconds(30))), "--record", "handover.jsonl");
        assertThat(Cassette.parse(Files.readAllLines(cassette)).connections()).isEqualTo(2);
        try (LiveEmulator replay = LiveEmulator.create(b -> b.replay(cassette))) {
            String replayed = handoverChat(replay.baseUrl(), null);
            assertThat(lines(replayed)).isEqualTo(lines(recorded));
            assertThat(replay.replayMismatches()).isEmpty();
        }
    }

    /**
     * The lines printed, without prompts and their repaints: where a status line lands relative to the next prompt
     * depends on thread timing (a replay sends the goAway as fast as the answer), not on what was said; so does where
     * a tool's activity line lands relative to its answer (ChatResilienceTest says the same): those are compared as a
     * sorted list after the rest.
     */
    private static List<String> lines(String out) {
        List<String> all = visible(out).replaceAll("\r *\r", "").replace("you> ", "").lines()
                .filter(l -> !l.isBlank()).toList();
        // A tool activity line comes from the tool runner's thread: before or after the answer it belongs to.
        List<String> ordered = new ArrayList<>(all.stream().filter(l -> !l.startsWith("[tool ")).toList());
        ordered.addAll(all.stream().filter(l -> l.startsWith("[tool ")).sorted().toList());
        return ordered;
    }

    @Test
    void theEmulatorCommandReplaysOnceAtTheRecordedPaceAndPrintsMismatchesWhenItStops() throws Exception {
        CliRun.Result recorded = run(CHAT_INPUT, live.emulator().baseUrl(), chatArgs("--record", "chat.jsonl"));
        assertThat(recorded.exitCode()).as(recorded.toString()).isZero();
        try (EmulatorCommandTest.Running emulator = new EmulatorCommandTest.Running(work, home, Map.of(),
                "--replay", "chat.jsonl", "--port", "0")) {
            String base = emulator.nextLine().replace("base URL: ", "");
            assertThat(emulator.nextErrLine()).isEqualTo("Replaying chat.jsonl (recorded pace); a client that deviates is "
                    + "closed 1007 with the cassette line.");
            CliRun.Result replayed = run(CHAT_INPUT, base, chatArgs());
            assertThat(replayed.exitCode()).as(replayed.toString()).isZero();
            assertThat(lines(replayed.out())).isEqualTo(lines(recorded.out()));
            // The cassette holds one session: a second run is a connection it does not have.
            CliRun.Result again = run(CHAT_INPUT, base, chatArgs());
            assertThat(again.out() + again.err()).contains("replay: the cassette has no connection 2");
            emulator.close();
            assertThat(emulator.err.toString(StandardCharsets.UTF_8))
                    .contains("Replay mismatch at connection 2: the cassette has no connection 2");
        }
    }

    @Test
    void aChatThatSaysSomethingElseIsToldTheCassetteLine() throws Exception {
        Path cassette = work.resolve("chat.jsonl");
        CliRun.Result recorded = run(CHAT_INPUT, live.emulator().baseUrl(), chatArgs("--record", "chat.jsonl"));
        assertThat(recorded.exitCode()).as(recorded.toString()).isZero();
        try (LiveEmulator replay = LiveEmulator.create(b -> b.replay(cassette))) {
            CliRun.Result deviating = run("good morning\nexit\n", replay.baseUrl(), chatArgs());
            assertThat(deviating.out() + deviating.err()).contains("replay line")
                    .contains("expected \"hello\", got \"good morning\"");
            assertThat(replay.replayMismatches()).singleElement().asString()
                    .matches("Replay mismatch at cassette line \\d+ \\(connection 1\\): .*text: expected \"hello\", got \"good morning\"");
        }
    }

    @Test
    void talkReplaysFileToFileWithTheSameOutputAndAudio() throws Exception {
        Path speech = TalkCommandTest.speech();
        Path cassette = work.resolve("talk.jsonl");
        CliRun.Result recorded = run("", live.emulator().baseUrl(), "talk", "--input", speech.toString(), "--output",
                "first.wav", "--fast", "--record", "talk.jsonl");
        assertThat(recorded.exitCode()).as(recorded.toString()).isZero();
        assertThat(recorded.out()).containsPattern("gemini: I heard \\d\\.\\d\\d seconds of audio\\.");
        assertThat(Files.readString(cassette)).doesNotContain(KEY).contains("\"audio/pcm;rate=16000\"");

        try (LiveEmulator replay = LiveEmulator.create(b -> b.replay(cassette))) {
            CliRun.Result replayed = run("", replay.baseUrl(), "talk", "--input", speech.toString(), "--output",
                    "second.wav", "--fast");
            assertThat(replayed.exitCode()).as(replayed.toString()).isZero();
            assertThat(replayed.out()).isEqualTo(recorded.out());
            assertThat(Files.readAllBytes(work.resolve("second.wav"))).isEqualTo(Files.readAllBytes(work.resolve("first.wav")));
            assertThat(replay.replayMismatches()).isEmpty();
        }
    }

    @Test
    void placeholderAudioKeepsTheLengthsButNotTheVoice() throws Exception {
        Path speech = TalkCommandTest.speech();
        CliRun.Result recorded = run("", live.emulator().baseUrl(), "talk", "--input", speech.toString(), "--output",
                "first.wav", "--fast", "--record", "quiet.jsonl", "--record-audio", "placeholder");
        assertThat(recorded.exitCode()).as(recorded.toString()).isZero();
        String text = Files.readString(work.resolve("quiet.jsonl"));
        assertThat(text.lines().findFirst().orElseThrow()).contains("\"audio\":\"placeholder\"");
        // Every audio blob is base64 of zero bytes: "AAAA…" only.
        assertThat(text).containsPattern("\"data\":\"A{16,}=*\"").doesNotContainPattern("\"mimeType\":\"audio/[^\"]*\",\"data\":\"[^\"]*[B-Za-z0-9+/][^\"]*\"");
    }

    @Test
    void badRecordAndReplayOptionsAreUsageErrors() {
        CliRun.Result r = run("exit\n", live.emulator().baseUrl(), chatArgs("--record-audio", "placeholder"));
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--record-audio needs --record FILE");
        CliRun.Result e = CliRun.run(work, home, Map.of(), "", "emulator", "--replay", "missing.jsonl");
        assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(e.err()).contains("--replay missing.jsonl: no such file");
        CliRun.Result p = CliRun.run(work, home, Map.of(), "", "emulator", "--pace", "fast");
        assertThat(p.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(p.err()).contains("--pace needs --replay FILE");
    }
}
