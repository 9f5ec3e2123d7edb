package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives {@code ./habla chat} in a real terminal, as a person would: tmux runs it in a 120x30 pane, keys are typed
 * with {@code send-keys}, and the screen is read with {@code capture-pane}. The launcher runs with
 * {@code HABLA_CLASSPATH} set to this test's classpath (so no Maven build happens inside the test) and without
 * {@code GEMINI_API_KEY} (so the built-in emulator answers).
 *
 * <p>Waiting: tmux copies everything the pane prints into a FIFO ({@code pipe-pane}); each chunk wakes the waiter,
 * which then reads the screen. A 200 ms poll covers output printed before the pipe was attached. Every wait is
 * bounded. Without tmux the test fails and says how to install it.
 */
@Timeout(180)
class TerminalTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;
    private final String socket = "habla-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    private final BlockingQueue<Boolean> output = new LinkedBlockingQueue<>();
    /** The FIFO tmux copies the pane's output into, opened read-write so that opening never blocks. */
    private RandomAccessFile fifo;
    private volatile boolean done;
    private Thread fifoReader;

    @AfterEach
    void killTmux() throws Exception {
        tmuxQuietly("kill-server");
        if (fifoReader != null) {
            done = true;
            fifo.write(0);   // wakes the reader, which then sees done
            fifoReader.join(Duration.ofSeconds(5));
            fifo.close();
        }
    }

    @Test
    void aPersonChatsStreamsStopsAnAnswerEditsALineAndExits() throws Exception {
        startChat();
        awaitScreen("the prompt and the emulator notice", s -> s.contains("you>")
                && s.contains("No GEMINI_API_KEY: using the built-in emulator at http://127.0.0.1:"));

        type("hello there");
        awaitScreen("the first answer", s -> s.contains("You said: hello there\n\nyou>") && atPrompt(s));

        type("what is the weather like");
        awaitScreen("the second answer", s -> s.contains("You said: what is the weather like\n\nyou>") && atPrompt(s));

        // Line editing: fix a typo with the cursor keys before pressing Enter.
        tmux("send-keys", "-t", "chat", "-l", "tell me more abot it");
        tmux("send-keys", "-t", "chat", "Left", "Left", "Left", "Left", "u");
        tmux("send-keys", "-t", "chat", "Enter");
        awaitScreen("the edited line's answer", s -> s.contains("You said: tell me more about it\n\nyou>") && atPrompt(s));

        // A long answer streams word by word (40 ms apart): Ctrl-C stops it half-way.
        StringBuilder longLine = new StringBuilder("count");
        for (int i = 1; i <= 80; i++) {
            longLine.append(' ').append("w").append(i);
        }
        type(longLine.toString());
        awaitScreen("the long answer streaming", s -> s.contains("You said: count w1 w2"));
        tmux("send-keys", "-t", "chat", "C-c");
        String stopped = awaitScreen("the stopped answer and a fresh prompt",
                s -> s.contains("[stopped]") && atPrompt(s));
        String answer = stopped.substring(stopped.lastIndexOf("You said: count"));
        assertThat(answer).as("the answer stopped half-way").doesNotContain("w80");

        type("history");
        String history = awaitScreen("the history, proving the session remembers",
                s -> s.contains("History: 1. hello there | 2. what is the weather like | 3. tell me more about it | 4. count")
                        && atPrompt(s));
        // Nothing of the stopped answer leaked into the next one.
        assertThat(history.substring(history.lastIndexOf("History:"))).doesNotContain("You said");

        type("exit");
        assertThat(awaitExitStatus()).isEqualTo("0");
    }

    /**
     * A pasted document arrives as thousands of keys at once, here without bracketed paste (the hard case: JLine
     * used to redraw the line after each key, quadratic in its length). It is sent whole. How long it takes is
     * measured by {@code habla-cli/scripts/measure-paste.sh}, not here.
     */
    @Test
    void aPastedLongLineIsSentWhole() throws Exception {
        StringBuilder line = new StringBuilder("BEGIN");
        for (int i = 0; line.length() < 4990; i++) {
            line.append(' ').append("word").append(i);
        }
        line.append(" END");
        Path paste = Files.writeString(work.resolve("paste.txt"), line);
        startChat();
        awaitScreen("the prompt", TerminalTest::atPrompt);
        tmux("load-buffer", paste.toString());
        tmux("paste-buffer", "-t", "chat");
        tmux("send-keys", "-t", "chat", "Enter");
        awaitScreen("the whole echo", s -> s.contains(" END\n\nyou>") && atPrompt(s));
        type("exit");
        assertThat(awaitExitStatus()).isEqualTo("0");
        // The line as the chat took it (its history file), and as the emulator received it (its echo, above).
        assertThat(Files.readAllLines(work.resolve(".habla_history")))
                .anySatisfy(entry -> assertThat(entry).endsWith(line.toString()));
    }

    /** A connect that fails at once (unknown model) ends the chat with one line, and no empty prompt is left above it. */
    @Test
    void anUnknownModelLeavesNoEmptyPromptAboveItsMessage() throws Exception {
        startChat("--model", "nope");
        assertThat(awaitExitStatus()).isEqualTo("4");
        String screen = awaitScreen("the message", s -> s.contains("habla: model 'nope' was not found"));
        assertThat(screen).doesNotContain("you>").doesNotContain("WARN");
    }

    @Test
    void ctrlCTwiceAtThePromptQuits() throws Exception {
        startChat();
        awaitScreen("the prompt", TerminalTest::atPrompt);
        tmux("send-keys", "-t", "chat", "-l", "half a thought");
        tmux("send-keys", "-t", "chat", "C-c");
        awaitScreen("the hint", s -> s.contains("Ctrl-C again"));
        tmux("send-keys", "-t", "chat", "C-c");
        assertThat(awaitExitStatus()).isEqualTo("0");
    }

    @Test
    void ctrlCWhileTheFirstConnectHangsGivesUpAndExits130() throws Exception {
        // The kernel accepts connections into the backlog, but nobody answers the WebSocket handshake.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort();
            startChat("--base-url", url);
            awaitScreen("the prompt", TerminalTest::atPrompt);
            type("hello");
            awaitScreen("the slow-connect notice (after 3 s)", s -> s.contains("(connecting to " + url + "…; Ctrl-C gives up)"));
            tmux("send-keys", "-t", "chat", "C-c");
            assertThat(awaitExitStatus()).isEqualTo(String.valueOf(ExitCodes.INTERRUPTED));
            assertThat(screen()).contains("habla: stopped while connecting to " + url + " (Ctrl-C); nothing was sent");
        }
    }

    private void startChat(String... args) throws Exception {
        requireTmux();
        Path root = Path.of("").toAbsolutePath().getParent();
        Path launcher = root.resolve("habla");
        assertThat(launcher).as("the ./habla launcher at the repository root").isExecutable();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path script = work.resolve("run.sh");
        Files.writeString(script, String.join("\n",
                "trap : INT   # Ctrl-C is for habla; this shell must live on to record the exit status",
                "unset GEMINI_API_KEY",
                "export HOME=" + sh(work.toString()),
                "export JAVA_HOME=" + sh(System.getProperty("java.home")),
                "export HABLA_CLASSPATH=" + sh(classpath),
                sh(launcher.toString()) + " chat" + java.util.Arrays.stream(args).map(a -> " " + sh(a))
                        .collect(java.util.stream.Collectors.joining()),
                "echo $? > " + sh(work.resolve("status.tmp").toString()),
                "mv " + sh(work.resolve("status.tmp").toString()) + " " + sh(work.resolve("status").toString()),
                ""));
        Path fifoPath = work.resolve("pane.fifo");
        run(List.of("mkfifo", fifoPath.toString()));
        fifo = new RandomAccessFile(fifoPath.toFile(), "rw");
        fifoReader = Thread.ofVirtual().name("tmux-pane-reader").start(this::readFifo);
        tmux("new-session", "-d", "-s", "chat", "-x", "120", "-y", "30", "-c", work.toString(), "sh " + sh(script.toString()));
        tmux("set-option", "-t", "chat", "remain-on-exit", "on");
        tmux("pipe-pane", "-t", "chat", "-o", "cat >> " + sh(fifoPath.toString()));
    }

    /** Wakes {@link #awaitScreen} whenever the pane prints something. */
    private void readFifo() {
        byte[] buf = new byte[4096];
        try {
            while (!done && fifo.read(buf) >= 0) {
                output.offer(Boolean.TRUE);
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void type(String line) throws Exception {
        tmux("send-keys", "-t", "chat", "-l", line);
        tmux("send-keys", "-t", "chat", "Enter");
    }

    /** Waits (bounded) until the screen satisfies {@code condition}; returns the screen. */
    private String awaitScreen(String what, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String screen = screen();
        while (!condition.test(screen)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("Timed out after " + WAIT.toSeconds() + " s waiting for " + what + ". Screen:\n" + screen);
            }
            output.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
            screen = screen();
        }
        return screen;
    }

    private String awaitExitStatus() throws Exception {
        Path status = work.resolve("status");
        awaitScreen("habla to exit", s -> Files.exists(status));
        return Files.readString(status).strip();
    }

    /** The pane, wrapped lines joined, with up to 500 lines of scroll-back, trailing blank lines removed. */
    private String screen() throws Exception {
        return tmux("capture-pane", "-p", "-J", "-S", "-500", "-t", "chat").stripTrailing();
    }

    /** The last line is an empty prompt: the answer is complete and habla waits for input. */
    private static boolean atPrompt(String screen) {
        String[] lines = screen.split("\n");
        return lines.length > 0 && lines[lines.length - 1].strip().equals("you>");
    }

    private static void requireTmux() {
        try {
            run(List.of("tmux", "-V"));
        } catch (Exception e) {
            fail("tmux is required by this test, which drives ./habla chat in a real terminal: install it "
                    + "(Debian/Ubuntu: apt-get install tmux). Cause: " + e.getMessage());
        }
    }

    private String tmux(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        return run(command);
    }

    private void tmuxQuietly(String... args) {
        try {
            tmux(args);
        } catch (Exception ignored) {
            // no server to kill
        }
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 20 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out.strip());
        }
        return out;
    }

    /** Single-quotes {@code s} for sh. */
    private static String sh(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
