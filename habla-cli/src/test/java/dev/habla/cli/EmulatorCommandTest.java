package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(60)
class EmulatorCommandTest {

    @TempDir
    Path work;
    @TempDir
    Path home;

    /** Runs {@code habla emulator ARGS} on a thread; stdout lines arrive in {@link #lines} (FirstRunTest uses it too). */
    static final class Running implements AutoCloseable {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final BlockingQueue<String> errLines = new LinkedBlockingQueue<>();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final AtomicInteger exit = new AtomicInteger(-1);
        final EmulatorCommand command;
        final Thread thread;

        Running(Path work, Path home, Map<String, String> env, String... args) {
            OutputStream lineSink = new OutputStream() {
                private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                @Override
                public synchronized void write(int b) {
                    if (b == '\n') {
                        lines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            };
            OutputStream errSink = new OutputStream() {   // err keeps everything; errLines gets each line too
                private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                @Override
                public synchronized void write(int b) {
                    err.write(b);
                    if (b == '\n') {
                        errLines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            };
            CliContext ctx = new CliContext(new ByteArrayInputStream(new byte[0]),
                    new PrintStream(lineSink, true, StandardCharsets.UTF_8), new PrintStream(errSink, true, StandardCharsets.UTF_8),
                    env, work, home, false);
            CommandLine cl = Main.commandLine(ctx, false);
            command = (EmulatorCommand) cl.getSubcommands().get("emulator").getCommand();
            String[] all = new String[args.length + 1];
            all[0] = "emulator";
            System.arraycopy(args, 0, all, 1, args.length);
            thread = Thread.ofVirtual().name("test-emulator-command").start(() -> exit.set(cl.execute(all)));
        }

        String nextLine() throws InterruptedException {
            String l = lines.poll(20, TimeUnit.SECONDS);
            assertThat(l).as("stdout line; stderr: %s", err).isNotNull();
            return l;
        }

        /** The next stderr line. */
        String nextErrLine() throws InterruptedException {
            String l = errLines.poll(20, TimeUnit.SECONDS);
            assertThat(l).as("stderr line; stderr: %s", err).isNotNull();
            return l;
        }

        @Override
        public void close() throws InterruptedException {
            command.stop();
            assertThat(thread.join(java.time.Duration.ofSeconds(20))).isTrue();
        }
    }

    @Test
    void printsItsUrlsServesChatsAndStops() throws Exception {
        String baseUrl;
        try (Running emulator = new Running(work, home, Map.of(), "--port", "0", "--text-chunk-delay", "0s")) {
            Matcher base = Pattern.compile("base URL: (http://127\\.0\\.0\\.1:(\\d+))").matcher(emulator.nextLine());
            assertThat(base.matches()).isTrue();
            baseUrl = base.group(1);
            assertThat(emulator.nextLine()).isEqualTo("ws URL:   ws://127.0.0.1:" + base.group(2)
                    + "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent");

            CliRun.Result chat = CliRun.run(work, home, Map.of(), "hello\nhistory\nexit\n", "chat", "--base-url", baseUrl,
                    "--model", ChatCommand.EMULATOR_TEXT_MODEL);
            assertThat(chat.exitCode()).as(chat.toString()).isZero();
            assertThat(chat.out()).contains("You said: hello", "History: 1. hello");
        }
        CliRun.Result after = CliRun.run(work, home, Map.of(), "hello\n", "chat", "--base-url", baseUrl);
        assertThat(after.exitCode()).as("stopped emulator: %s", after).isEqualTo(ExitCodes.UNAVAILABLE);
    }

    @Test
    void aFixedPortAndAnApiKey() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (Running emulator = new Running(work, home, Map.of(), "--port", String.valueOf(port), "--api-key", "only-this-1a2b",
                "--connection-lifetime", "1h", "--goaway-lead", "250ms")) {
            assertThat(emulator.nextLine()).isEqualTo("base URL: http://127.0.0.1:" + port);
            String url = "http://127.0.0.1:" + port;
            CliRun.Result good = CliRun.run(work, home, Map.of("GEMINI_API_KEY", "only-this-1a2b"), "hello\nexit\n",
                    "chat", "--base-url", url);
            assertThat(good.exitCode()).as(good.toString()).isZero();
            CliRun.Result bad = CliRun.run(work, home, Map.of("GEMINI_API_KEY", "another-9z8y"), "hello\nexit\n",
                    "chat", "--base-url", url);
            assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(ExitCodes.UNAUTHENTICATED);
        }
    }

    /** The key the emulator accepts need not be on its command line, where `ps` shows it to every user. */
    @Test
    void theAcceptedKeyComesFromAFileOrTheEnvironment() throws Exception {
        java.nio.file.Files.writeString(work.resolve("emulator.key"), "from-file-5e6f\n");
        try (Running emulator = new Running(work, home, Map.of(), "--api-key-file", "emulator.key")) {
            String url = emulator.nextLine().substring("base URL: ".length());
            assertThat(chatWithKey(url, "from-file-5e6f").exitCode()).isZero();
            assertThat(chatWithKey(url, "another-9z8y").exitCode()).isEqualTo(ExitCodes.UNAUTHENTICATED);
        }
        try (Running emulator = new Running(work, home, Map.of(EmulatorCommand.KEY_VARIABLE, "from-env-7a8b"))) {
            String url = emulator.nextLine().substring("base URL: ".length());
            assertThat(chatWithKey(url, "from-env-7a8b").exitCode()).isZero();
            assertThat(chatWithKey(url, "another-9z8y").exitCode()).isEqualTo(ExitCodes.UNAUTHENTICATED);
        }
        CliRun.Result missing = CliRun.run(work, home, Map.of(), "", "emulator", "--api-key-file", "nope.key");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("cannot read --api-key-file nope.key: no such file or folder")
                .doesNotContain("Exception");
    }

    private CliRun.Result chatWithKey(String url, String key) {
        return CliRun.run(work, home, Map.of("GEMINI_API_KEY", key), "hello\nexit\n", "chat", "--base-url", url);
    }

    @Test
    void aBusyPortIsReportedInOneLine() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CliRun.Result r = CliRun.run(work, home, Map.of(), "", "emulator", "--port", String.valueOf(busy.getLocalPort()));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
            assertThat(r.err().strip().lines()).singleElement().asString()
                    .startsWith("habla: cannot start the emulator on 127.0.0.1:" + busy.getLocalPort());
        }
    }

    @Test
    void badDurationsAndLeadsAreUsageErrors() {
        CliRun.Result r = CliRun.run(work, home, Map.of(), "", "emulator", "--connection-lifetime", "10m",
                "--goaway-lead", "11m");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--goaway-lead must be between 0 and --connection-lifetime");
        assertThat(CliRun.run(work, home, Map.of(), "", "emulator", "--connection-lifetime", "soon").exitCode())
                .isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.run(work, home, Map.of(), "", "emulator", "--port", "70000").exitCode())
                .isEqualTo(ExitCodes.USAGE);
    }
}
