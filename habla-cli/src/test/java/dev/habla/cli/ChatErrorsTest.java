package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.ServerMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every error class: its one-line message on stderr, its exit code, no stack trace. */
@Timeout(60)
class ChatErrorsTest {

    static final String QUOTA = "You exceeded your current quota, please check your plan and billing details.";

    @TempDir
    Path work;
    @TempDir
    Path home;
    LiveEmulator emu;

    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x
            .emulator(b -> b.apiKey("good-key-4c1d")));

    @BeforeEach
    void bind() {
        emu = live.emulator();
    }

    private CliRun.Result run(Map<String, String> env, String stdin, String... args) {
        return CliRun.run(work, home, env, stdin, args);
    }

    private CliRun.Result chatWithKey(String key, String stdin, String... extra) {
        String[] args = new String[extra.length + 3];
        args[0] = "chat";
        args[1] = "--base-url";
        args[2] = emu.baseUrl();
        System.arraycopy(extra, 0, args, 3, extra.length);
        return run(Map.of("GEMINI_API_KEY", key), stdin, args);
    }

    /** The error is one line starting with {@code habla: }, and nothing looks like a stack trace. */
    private static String oneLineError(CliRun.Result r, int expectedCode) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(expectedCode);
        assertThat(r.err()).as(r.toString()).doesNotContain("\tat ").doesNotContain("Exception");
        String err = r.err().strip();
        assertThat(err.lines()).as(r.toString()).hasSize(1);
        assertThat(err).startsWith("habla: ");
        return err;
    }

    @Test
    void noKeyAndNoEmulatorExits2() {
        String err = oneLineError(run(Map.of(), "hello\n", "chat", "--no-emulator"), ExitCodes.NO_API_KEY);
        assertThat(err).contains("no GEMINI_API_KEY", ".env");
    }

    @Test
    void noKeyForARemoteBaseUrlExits2() {
        String err = oneLineError(run(Map.of(), "hello\n", "chat", "--base-url", "https://live.example.com"),
                ExitCodes.NO_API_KEY);
        assertThat(err).contains("no GEMINI_API_KEY", "https://live.example.com");
    }

    @Test
    void aRejectedKeyExits3WithoutPrintingTheKey() {
        CliRun.Result r = chatWithKey("bad-key-77e2a", "hello\nexit\n");
        String err = oneLineError(r, ExitCodes.UNAUTHENTICATED);
        assertThat(err).contains("API key was rejected", "API key not valid", "from the environment")
                .doesNotContain("bad-key-77e2a");
    }

    @Test
    void aRejectedKeyIsReportedEvenIfTheUserNeverTypes() {
        // The session connects in the background while the prompt is up; input that ends at once (</dev/null)
        // still waits for the connect and reports its failure.
        String err = oneLineError(chatWithKey("bad-key-77e2a", ""), ExitCodes.UNAUTHENTICATED);
        assertThat(err).contains("API key was rejected").doesNotContain("bad-key-77e2a");
    }

    @Test
    void anUnknownModelWithNoInputAtAllExits4() {
        String err = oneLineError(chatWithKey("good-key-4c1d", "", "--model", "nope"), ExitCodes.NOT_FOUND);
        assertThat(err).contains("model 'nope' was not found");
    }

    @Test
    void anUnknownModelExits4() {
        String err = oneLineError(chatWithKey("good-key-4c1d", "hello\nexit\n", "--model", "gemini-9-imaginary"),
                ExitCodes.NOT_FOUND);
        assertThat(err).contains("model 'gemini-9-imaginary' was not found", "--model");
    }

    @Test
    void aClosedPortExits5() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String err = oneLineError(run(Map.of("GEMINI_API_KEY", "k-1234"), "hello\nexit\n", "chat",
                "--base-url", "http://127.0.0.1:" + port), ExitCodes.UNAVAILABLE);
        assertThat(err).contains("cannot reach http://127.0.0.1:" + port, "--base-url");
    }

    @Test
    void aDroppedConnectionDuringAnAnswerReconnectsAndTheChatGoesOn() {
        emu.enqueue(Script.create(script -> script
                .expect(ClientMessage.Setup.class)
                .send(new ServerMessage.SetupComplete(null))
                .expect(ClientMessage.ClientContent.class)
                .send(ServerMessage.ServerContent.modelTurn(Content.text("model", "Half an ans")))
                .pause(java.time.Duration.ofMillis(200))   // on the server: lets the text leave before the drop
                .fault(new Fault.DropConnection())));
        // This script gave no resumption handle: the next connection (the default brain) is a new session seeded
        // with the conversation so far. The next message, sent while reconnecting, is answered there.
        CliRun.Result r = chatWithKey("good-key-4c1d", "hello\nnext\nexit\n", "--model", ChatCommand.EMULATOR_TEXT_MODEL);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("you> Half an ans\n", "(connection lost (1006",
                "(reconnected; the server could not resume the session, so a new one goes on from the conversation so far)");
        assertThat(r.out()).containsPattern("You said: .*next\n\nyou> ");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void quotaAtConnectExits6() {
        emu.enqueue(Script.create(script -> script.expect(ClientMessage.Setup.class).close(1011, QUOTA)));
        String err = oneLineError(chatWithKey("good-key-4c1d", "hello\nexit\n"), ExitCodes.RESOURCE_EXHAUSTED);
        assertThat(err).contains("quota", "1011");
    }

    @Test
    void quotaDuringTheConversationExits6() {
        emu.enqueue(Script.create(script -> script
                .expect(ClientMessage.Setup.class)
                .send(new ServerMessage.SetupComplete(null))
                .expect(ClientMessage.ClientContent.class)
                .close(1011, QUOTA)));
        oneLineError(chatWithKey("good-key-4c1d", "hello\nexit\n"), ExitCodes.RESOURCE_EXHAUSTED);
    }

    @Test
    void aRequestTheServerRefusesExits7() {
        // Errors worth a retry (1011 Internal error, deadline, an unasked-for close) reconnect instead: see
        // ChatResilienceTest. A refused request would be refused again.
        emu.enqueue(Script.create(script -> script
                .expect(ClientMessage.Setup.class)
                .send(new ServerMessage.SetupComplete(null))
                .expect(ClientMessage.ClientContent.class)
                .close(1007, "Request contains an invalid argument.")));
        String err = oneLineError(chatWithKey("good-key-4c1d", "hello\nnever sent\n"), ExitCodes.SERVER_ERROR);
        assertThat(err).contains("the server refused the request", "1007 Request contains an invalid argument.");
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliRun.Result r = chatWithKey("bad-key-77e2a", "hello\nexit\n", "--verbose");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.UNAUTHENTICATED);
        assertThat(r.err()).contains("habla: the API key was rejected", "LiveException", "\tat ")
                .doesNotContain("bad-key-77e2a");
    }

    @Test
    void anUnknownVoiceIsWarnedAboutAndSentAsGiven() {
        // The service adds voices faster than Habla is released: an unknown name is the service's to refuse.
        CliRun.Result r = run(Map.of(), "hello\nexit\n", "chat", "--voice", "Bogus", "--no-play");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.OK);
        assertThat(r.err()).contains("habla chat: voice 'Bogus' is not one Habla knows (", "Kore", "sending it as given")
                .doesNotContain("\tat ");
        assertThat(r.out()).contains("You said: hello");
        CliRun.Result blank = run(Map.of(), "", "chat", "--voice", " ");
        assertThat(blank.exitCode()).as(blank.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(blank.err()).contains("--voice needs a name", "Try 'habla chat --help'");
    }

    @Test
    void anUnreadableSystemFileIsAUsageError() throws IOException {
        CliRun.Result missing = run(Map.of(), "", "chat", "--system-file", "nope.txt");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("cannot read --system-file nope.txt: no such file", "Try 'habla chat --help'");

        Files.writeString(work.resolve("s.txt"), "x");
        CliRun.Result both = run(Map.of(), "", "chat", "--system", "y", "--system-file", "s.txt");
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("--system or --system-file, not both");
    }

    @Test
    void aBadDurationIsAUsageError() {
        CliRun.Result r = run(Map.of(), "", "emulator", "--goaway-lead", "5x");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("'5x' is not a duration", "Try 'habla emulator --help'");
    }

    @Test
    void unknownOptionsAndCommandsAreUsageErrors() {
        assertThat(run(Map.of(), "", "chat", "--colour").exitCode()).isEqualTo(ExitCodes.USAGE);
        CliRun.Result r = run(Map.of(), "", "chatt");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("chat");   // picocli's suggestion
        assertThat(run(Map.of(), "", "chat", "--base-url", "ftp://x").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        CliRun.Result r = run(Map.of(), "", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("chat", "emulator", "Exit codes");
        CliRun.Result chat = run(Map.of(), "", "chat", "--help");
        assertThat(chat.out()).contains("--voice", "--model", "--audio-out", "--clear", "--no-play", "--system-file");
        assertThat(run(Map.of(), "").exitCode()).isEqualTo(ExitCodes.USAGE);
    }
}
