package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.audio.WavData;
import dev.habla.audio.WavReader;
import dev.habla.emulator.LiveEmulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user trips over in the first hour (issue 16): usage errors reported before anything starts, messages in
 * words (no class names, no raw bytes, no cut reasons), {@code .env} mistakes named by line, the model choice against
 * {@code habla emulator}, float WAV input, and help text that keeps ids and lists whole.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FirstRunTest {

    @TempDir
    Path work;
    @TempDir
    Path home;

    private CliRun.Result run(Map<String, String> env, String stdin, String... args) {
        return CliRun.run(work, home, env, stdin, args);
    }

    /** Exit 64 with the given message, and nothing started: no emulator line, no prompt. */
    private void usageErrorBeforeAnythingStarts(CliRun.Result r, String message) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains(message).doesNotContain("emulator at").doesNotContain("Exception");
        assertThat(r.out()).doesNotContain("you>");
    }

    @Test
    void anUnknownCommandOrArgumentIsNamedAsSuch() {
        CliRun.Result frob = run(Map.of(), "", "frob");
        assertThat(frob.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(frob.err()).startsWith("habla: unknown command 'frob'; the commands are chat, emulator, gateway, talk")
                .doesNotContain("Unmatched");
        CliRun.Result option = run(Map.of(), "", "chat", "--frob");
        assertThat(option.err()).startsWith("habla chat: unknown option '--frob'");
        CliRun.Result word = run(Map.of(), "", "chat", "hello");
        assertThat(word.err()).startsWith("habla chat: unexpected argument 'hello'");
    }

    @Test
    void badOptionsAreReportedBeforeTheEmulatorStarts() {
        usageErrorBeforeAnythingStarts(run(Map.of(), "exit\n", "chat", "--api-version", "v9"),
                "unknown --api-version 'v9'; choose one of v1beta, v1alpha, v1");
        usageErrorBeforeAnythingStarts(run(Map.of(), "exit\n", "chat", "--allow-dir", "."), "--allow-dir needs --tools");
        usageErrorBeforeAnythingStarts(run(Map.of(), "exit\n", "chat", "--clear"),
                "--clear is for voice mode: add --voice NAME");
        usageErrorBeforeAnythingStarts(run(Map.of(), "exit\n", "chat", "--no-play"), "--no-play is for voice mode");
        usageErrorBeforeAnythingStarts(run(Map.of(), "", "talk", "--api-version", "v2", "--input", "x.wav"),
                "unknown --api-version 'v2'");
        // Accepted in any case, and passed on lower-case.
        CliRun.Result upper = run(Map.of(), "hello\nexit\n", "chat", "--api-version", "V1BETA");
        assertThat(upper.exitCode()).as(upper.toString()).isZero();
    }

    @Test
    void aClosedLocalPortIsAWrongPortReportedAtOnceNotRetried() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun.Result r = run(Map.of(), "hello\nexit\n", "chat", "--base-url", "http://127.0.0.1:" + port);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(r.err().strip()).isEqualTo("habla: cannot reach http://127.0.0.1:" + port
                + " (nothing accepts connections on port " + port + "); check the port in --base-url"
                + " (`habla emulator` prints its base URL)");
        assertThat(r.out()).doesNotContain("you>");   // never got as far as the prompt, so no retries either
    }

    @Test
    void aMalformedDotEnvLineIsNamedByNumberAndWhyWithoutItsValue() throws IOException {
        Files.writeString(work.resolve(".env"), "# keys\nGEMINI_API_KEY=\"AIza-secret-1234\nOTHER=1\njust words\n");
        CliRun.Result r = run(Map.of(), "exit\n", "chat");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).contains(
                "habla: .env line 2: the value of GEMINI_API_KEY has no closing \" quote; it is ignored",
                "habla: .env line 4: not NAME=value; it is ignored")
                .doesNotContain("AIza-secret-1234");
    }

    /**
     * {@code habla chat --base-url <habla emulator>} without a key keeps the default (native-audio) model, like any
     * {@code --base-url}, and says why text mode then waits for the spoken answer and how to get text answers; the
     * emulator's own hint names that model.
     */
    @Test
    void habla_emulatorsHintAndTheChatExplainTheModelChoice() throws Exception {
        try (EmulatorCommandTest.Running emulator = new EmulatorCommandTest.Running(work, home, Map.of())) {
            String url = emulator.nextLine().substring("base URL: ".length());
            assertThat(emulator.nextErrLine()).contains("try: habla chat --base-url " + url + " --model "
                    + ChatCommand.EMULATOR_TEXT_MODEL);

            CliRun.Result chat = run(Map.of(), "hi\nexit\n", "chat", "--base-url", url);
            assertThat(chat.exitCode()).as(chat.toString()).isZero();
            assertThat(chat.err()).contains("habla: " + ChatCommand.DEFAULT_MODEL + " answers in speech, so text mode"
                    + " shows its transcript when the spoken answer would have ended; for text answers from"
                    + " `habla emulator` add --model " + ChatCommand.EMULATOR_TEXT_MODEL);
            assertThat(chat.out()).contains("You said: hi");

            CliRun.Result text = run(Map.of(), "hi\nexit\n", "chat", "--base-url", url, "--model",
                    ChatCommand.EMULATOR_TEXT_MODEL);
            assertThat(text.exitCode()).as(text.toString()).isZero();
            assertThat(text.err()).doesNotContain("answers in speech");
            assertThat(text.out()).contains("You said: hi");
        }
    }

    @Test
    void anUnknownModelIsExplainedInFullNotCutAt123Bytes() {
        CliRun.Result r = run(Map.of(), "", "chat", "--model", "nope");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(r.err().strip().lines().reduce((a, b) -> b).orElseThrow()).isEqualTo(
                "habla: model 'nope' was not found, or does not support the Live API, in API version v1beta"
                        + " (close 1008); pick another with --model (e.g. " + ChatCommand.DEFAULT_MODEL + ")");
    }

    @Test
    void helpKeepsModelIdsAndTheExitCodeListWhole() {
        String chat = run(Map.of(), "", "chat", "--help").out();
        assertThat(chat.lines().map(String::strip)).contains(ChatCommand.DEFAULT_MODEL + ",",
                ChatCommand.EMULATOR_TEXT_MODEL + ".", "https://generativelanguage.googleapis.com");
        String main = run(Map.of(), "", "--help").out();
        assertThat(main).contains("4 model not found, 5 unreachable or dropped", "64 bad usage, 65 no speech",
                "69 no audio device,", "camera, ffmpeg or display, 130 Ctrl-C");
        assertThat(main.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
    }

    @Test
    void aNonWavInputIsDescribedInWordsAndHex() throws Exception {
        Path mp3 = Files.write(work.resolve("song.mp3"), new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 0, 0x0f, 0x76});
        CliRun.Result r = run(Map.of(), "", "talk", "--input", "song.mp3", "--output", "reply.wav");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("habla talk: --input song.mp3: Not a RIFF/WAVE file: it starts with bytes 49 44 33 04")
                .doesNotContain(mp3.toString()).doesNotContain("\u0004");
        CliRun.Result dir = run(Map.of(), "", "talk", "--input", TalkCommandTest.speech().toString(), "--output",
                "no/such/dir/reply.wav");
        assertThat(dir.err()).contains("no such file or folder").doesNotContain("Exception");
    }

    @Test
    void aThirtyTwoBitFloatRecordingIsConvertedAndAnswered() throws Exception {
        WavData speech = WavReader.read(TalkCommandTest.speech());
        ByteBuffer pcm = ByteBuffer.wrap(speech.pcm()).order(ByteOrder.LITTLE_ENDIAN);
        int samples = speech.pcm().length / 2;
        ByteBuffer floats = ByteBuffer.allocate(44 + samples * 4).order(ByteOrder.LITTLE_ENDIAN);
        int rate = speech.format().sampleRate();
        floats.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + samples * 4)
                .put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 3).putShort((short) 1)
                .putInt(rate).putInt(rate * 4).putShort((short) 4).putShort((short) 32)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(samples * 4);
        for (int i = 0; i < samples; i++) {
            floats.putFloat(pcm.getShort(i * 2) / 32768f);
        }
        Path input = Files.write(work.resolve("float.wav"), floats.array());
        try (LiveEmulator emu = LiveEmulator.create(b -> b.port(0))) {
            CliRun.Result r = run(Map.of(), "", "talk", "--input", input.toString(), "--output", "reply.wav", "--fast",
                    "--base-url", emu.baseUrl());
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).containsPattern("gemini: I heard \\d\\.\\d\\d seconds of audio\\.");
        }
    }
}
