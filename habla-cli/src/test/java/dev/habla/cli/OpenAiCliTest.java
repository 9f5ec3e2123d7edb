package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.audio.AudioFormat;
import dev.habla.audio.WavData;
import dev.habla.audio.WavReader;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --provider openai} as a new user tries it: {@code chat} and {@code talk} (file to file) against the built-in
 * emulator and a local one, the key from {@code OPENAI_API_KEY} (environment or {@code .env}), and the exit codes and
 * one-line messages for a missing or rejected key and for options OpenAI cannot honour.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenAiCliTest {
    static final String GOOD = "sk-good-51f0";
    static final String BAD = "sk-bad-9e7c2";

    @TempDir
    Path work;
    @TempDir
    Path home;
    LiveEmulator emu;

    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x.emulator(b -> b.apiKey(GOOD)));

    @BeforeEach
    void bind() {
        emu = live.emulator();
    }

    private CliRun.Result run(Map<String, String> env, String stdin, String... args) {
        return CliRun.run(work, home, env, stdin, args);
    }

    private static String oneLineError(CliRun.Result r, int expectedCode) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(expectedCode);
        assertThat(r.err()).as(r.toString()).doesNotContain("\tat ").doesNotContain("Exception");
        String err = r.err().strip();
        assertThat(err.lines()).as(r.toString()).hasSize(1);
        assertThat(err).startsWith("habla");
        return err;
    }

    @Test
    void chatWithoutAKeyTalksToTheBuiltInEmulatorOverTheOpenAiWire() {
        CliRun.Result r = run(Map.of(), "hello there\nhistory\nexit\n", "chat", "--provider", "openai");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).contains("No OPENAI_API_KEY: using the built-in emulator");
        assertThat(r.out()).contains("You said: hello there").contains("History: 1. hello there");
    }

    @Test
    void chatWithAKeyFromTheEnvironmentAgainstALocalEmulator() {
        CliRun.Result r = run(Map.of("OPENAI_API_KEY", GOOD), "what now\nexit\n", "chat", "--provider", "OpenAI",
                "--base-url", emu.baseUrl());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("You said: what now");
    }

    @Test
    void aRejectedKeyExits3NamingTheVariableWithoutPrintingTheKey() {
        String err = oneLineError(run(Map.of("OPENAI_API_KEY", BAD), "hello\nexit\n", "chat", "--provider", "openai",
                "--base-url", emu.baseUrl()), ExitCodes.UNAUTHENTICATED);
        assertThat(err).contains("API key was rejected", "OPENAI_API_KEY", "from the environment").doesNotContain(BAD);
    }

    @Test
    void theKeyComesFromDotEnvToo() throws Exception {
        Files.writeString(work.resolve(".env"), "OPENAI_API_KEY=" + BAD + "\n", StandardCharsets.UTF_8);
        String err = oneLineError(run(Map.of(), "hello\nexit\n", "chat", "--provider", "openai",
                "--base-url", emu.baseUrl()), ExitCodes.UNAUTHENTICATED);
        assertThat(err).contains("OPENAI_API_KEY", "from .env").doesNotContain(BAD);
    }

    @Test
    void noKeyAndNoEmulatorExits2_aGeminiKeyIsNotSentToOpenAi() {
        String err = oneLineError(run(Map.of("GEMINI_API_KEY", "AIza-not-for-openai"), "hello\n", "chat",
                "--provider", "openai", "--no-emulator"), ExitCodes.NO_API_KEY);
        assertThat(err).contains("no OPENAI_API_KEY", ".env", "platform.openai.com");
        String remote = oneLineError(run(Map.of(), "", "talk", "--provider", "openai", "--base-url",
                "https://realtime.example.com"), ExitCodes.NO_API_KEY);
        assertThat(remote).contains("no OPENAI_API_KEY", "https://realtime.example.com");
    }

    @Test
    void optionsOpenAiCannotHonourAreUsageErrors() throws Exception {
        CliRun.Result unknown = run(Map.of(), "", "chat", "--provider", "nope");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("unknown --provider 'nope'; choose gemini or openai");
        CliRun.Result version = run(Map.of(), "", "chat", "--provider", "openai", "--api-version", "v1alpha");
        assertThat(version.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(version.err()).contains("--api-version is for Gemini");
        CliRun.Result search = run(Map.of(), "hi\n", "chat", "--provider", "openai", "--google-search");
        assertThat(search.exitCode()).as(search.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(search.err()).contains("OpenAI Realtime cannot honour", "tools other than functions");
    }

    @Test
    void talkFileToFile() throws Exception {
        Path out = work.resolve("r.wav");
        List<String> args = new ArrayList<>(List.of("talk", "--provider", "openai", "--input",
                TalkCommandTest.speech().toString(), "--output", "r.wav", "--fast", "--voice", "MARIN"));
        CliRun.Result r = run(Map.of(), "", args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).contains("No OPENAI_API_KEY: using the built-in emulator");
        assertThat(r.out()).containsPattern("openai: I heard \\d\\.\\d\\d seconds of audio\\.");
        WavData answer = WavReader.read(out);
        assertThat(answer.format()).isEqualTo(AudioFormat.PCM_24K_MONO);
        assertThat(answer.duration()).isPositive();
    }

    @Test
    void talkWithTools() throws Exception {
        CliRun.Result r = run(Map.of("OPENAI_API_KEY", GOOD), "", "talk", "--provider", "openai", "--input",
                TalkCommandTest.speech().toString(), "--output", "r.wav", "--fast", "--tools",
                "--base-url", emu.baseUrl());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("openai: I heard \\d\\.\\d\\d seconds of audio\\.");
    }
}
