package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ChatTextModeTest {

    static final String TEXT_MODEL = ChatCommand.EMULATOR_TEXT_MODEL;

    @TempDir
    Path work;
    @TempDir
    Path home;
    LiveEmulator emu;

    @RegisterExtension
    final EmulatorExtension live = new EmulatorExtension();

    @BeforeEach
    void bind() {
        emu = live.emulator();
    }

    private CliRun.Result chat(Map<String, String> env, String stdin, String... extra) {
        String[] args = new String[extra.length + 3];
        args[0] = "chat";
        args[1] = "--base-url";
        args[2] = emu.baseUrl();
        System.arraycopy(extra, 0, args, 3, extra.length);
        return CliRun.run(work, home, env, stdin, args);
    }

    @Test
    void severalTurnsStreamedThenExitAndTheSessionRemembersThem() {
        CliRun.Result r = chat(Map.of(), "hello\nhow are you\nhistory\nexit\n", "--model", TEXT_MODEL);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains(
                "you> You said: hello\n\n",
                "you> You said: how are you\n\n",
                "you> History: 1. hello | 2. how are you\n\n");
        assertThat(r.out()).endsWith("you> ");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void withoutAKeyTheBuiltInEmulatorAnswersAndSaysSoInOneLine() {
        CliRun.Result r = CliRun.run(work, home, Map.of(), "hello\nhistory\nquit\n", "chat");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err().lines().toList()).singleElement().asString()
                .matches("No GEMINI_API_KEY: using the built-in emulator at http://127\\.0\\.0\\.1:\\d+ \\(replies are scripted\\)");
        assertThat(r.out()).contains("You said: hello", "History: 1. hello");
    }

    @Test
    void endOfInputEndsTheChatCleanly() {
        CliRun.Result r = chat(Map.of(), "hello\n", "--model", TEXT_MODEL);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("You said: hello");
    }

    @Test
    void blankLinesAreNotSent() throws InterruptedException {
        CliRun.Result r = chat(Map.of(), "\n   \nhello\n\nexit\n", "--model", TEXT_MODEL);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(received(ClientMessage.ClientContent.class)).hasSize(1);
    }

    @Test
    void gemini31AnswersTypedTurnsAsRealtimeTextAndRemembersThem() throws InterruptedException {
        CliRun.Result r = chat(Map.of(), "hello\nwhat is up\nhistory\nexit\n", "--model", "gemini-3.1-flash-live-preview");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("You said: hello", "You said: what is up", "History: 1. hello | 2. what is up");
        java.util.List<ReceivedMessage> all = received(ClientMessage.class);
        assertThat(all.getFirst().rawJson()).contains("\"setup\"", "\"AUDIO\"", "outputAudioTranscription");
        assertThat(all).extracting(ReceivedMessage::message).as("typed lines as realtime text; no clientContent (1007)")
                .filteredOn(m -> !(m instanceof ClientMessage.Setup))
                .containsExactly(ClientMessage.RealtimeInput.ofText("hello"), ClientMessage.RealtimeInput.ofText("what is up"),
                        ClientMessage.RealtimeInput.ofText("history"));
    }

    @Test
    void aNativeAudioModelAnswersInSpeechAndTextModeShowsItsTranscript() throws InterruptedException {
        CliRun.Result r = chat(Map.of(), "hello\nexit\n");   // default model: native audio
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("You said: hello");
        assertThat(work.resolve("audios")).doesNotExist();
        String setup = received(ClientMessage.Setup.class).getFirst().rawJson();
        assertThat(setup).contains(ChatCommand.DEFAULT_MODEL, "\"AUDIO\"", "outputAudioTranscription");
    }

    @Test
    void systemInstructionComesFromTheFile() throws Exception {
        Files.writeString(work.resolve("persona.txt"), "You are a pirate.\n");
        CliRun.Result r = chat(Map.of(), "hello\nexit\n", "--model", TEXT_MODEL, "--system-file", "persona.txt");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String setup = received(ClientMessage.Setup.class).getFirst().rawJson();
        assertThat(setup).contains("systemInstruction", "You are a pirate.", "\"TEXT\"", TEXT_MODEL);
    }

    @Test
    void systemInstructionFromTheCommandLine() throws Exception {
        CliRun.Result r = chat(Map.of(), "hello\nexit\n", "--model", TEXT_MODEL, "--system", "Be brief.");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(received(ClientMessage.Setup.class).getFirst().rawJson()).contains("Be brief.");
    }

    @Test
    void theKeyComesFromDotEnvAndTheEnvironmentWins() throws IOException {
        emu.close();
        emu = LiveEmulator.create(b -> b.apiKey("right-key-2b7c"));
        Files.writeString(work.resolve(".env"), """
                # local settings
                export GEMINI_API_KEY='right-key-2b7c'  # from AI Studio
                OTHER=1
                """);
        assertThat(chat(Map.of(), "hello\nexit\n", "--model", TEXT_MODEL).exitCode()).isZero();

        CliRun.Result wrong = chat(Map.of("GEMINI_API_KEY", "wrong-key-9d1e"), "hello\nexit\n", "--model", TEXT_MODEL);
        assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(ExitCodes.UNAUTHENTICATED);
    }

    @Test
    void verboseLogsTheWireToStderrWithTheKeyRedacted() {
        String key = "secret-key-5f0a9c";
        CliRun.Result r = chat(Map.of("GEMINI_API_KEY", key), "hello\nexit\n", "--model", TEXT_MODEL, "--verbose");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).contains("setup", "clientContent", "\"text\":\" said:\"", "<redacted>").doesNotContain(key);
        assertThat(r.out()).doesNotContain("setup").doesNotContain(key);
    }

    @Test
    void historyFileIsWrittenInHome() throws IOException {
        CliRun.Result r = chat(Map.of(), "first line\nexit\n", "--model", TEXT_MODEL);
        assertThat(r.exitCode()).isZero();
        assertThat(Files.readString(home.resolve(".habla_history"))).contains("first line");
    }

    private java.util.List<ReceivedMessage> received(Class<? extends ClientMessage> type) throws InterruptedException {
        java.util.List<ReceivedMessage> all = new java.util.ArrayList<>();
        ReceivedMessage m;
        while ((m = emu.takeClientMessage(Duration.ofMillis(200))) != null) {
            if (type.isInstance(m.message())) {
                all.add(m);
            }
        }
        return all;
    }
}
