package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.audio.AudioFormat;
import dev.habla.audio.WavData;
import dev.habla.audio.WavReader;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code habla talk} file to file (no audio devices needed): in-process against the emulator, and once through the
 * {@code ./habla} launcher; options, usage errors, and the one-line "no audio device" failure; {@code habla devices}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TalkCommandTest {

    static final Pattern ANSWER = Pattern.compile("gemini: (I heard (\\d\\.\\d\\d) seconds of audio\\.)");

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

    static Path speech() throws URISyntaxException {
        return Path.of(TalkCommandTest.class.getResource("/talk/question-16k.wav").toURI());
    }

    private CliRun.Result talk(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("talk"));
        all.addAll(List.of(args));
        return CliRun.run(work, home, Map.of(), "", all.toArray(String[]::new));
    }

    /** The answer line on stdout, and the output WAV holding exactly that answer's audio (70 ms per character). */
    private static void assertAnswered(CliRun.Result r, Path wav) throws Exception {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("you: \\[speech 0\\.8\\ds\\]");
        Matcher m = ANSWER.matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        WavData answer = WavReader.read(wav);
        assertThat(answer.format()).isEqualTo(AudioFormat.PCM_24K_MONO);
        assertThat(answer.duration()).isEqualTo(Duration.ofMillis(70L * m.group(1).length()));
        assertThat(r.err()).contains("wrote " + answer.duration().toMillis() / 1000.0 + " s of answers");
    }

    @Test
    void fileToFileFast() throws Exception {
        Path out = work.resolve("reply.wav");
        CliRun.Result r = talk("--input", speech().toString(), "--output", "reply.wav", "--fast",
                "--base-url", emu.baseUrl());
        assertAnswered(r, out);
        assertThat(emu.takeClientMessage(Duration.ofSeconds(1)).message())
                .isInstanceOf(dev.habla.protocol.ClientMessage.Setup.class);
    }

    @Test
    void fileToFileInRealTimeWithTheBuiltInEmulatorAndServerVadOptions() throws Exception {
        Path out = work.resolve("reply.wav");
        long start = System.nanoTime();
        CliRun.Result r = CliRun.run(work, home, Map.of(), "", "talk", "--input", speech().toString(), "--output",
                out.toString(), "--vad", "off", "--silence-duration", "400", "--prefix-padding", "40",
                "--start-sensitivity", "low", "--voice", "puck");
        assertAnswered(r, out);
        assertThat(r.err()).contains("No GEMINI_API_KEY: using the built-in emulator");
        // Real time: the 1.51 s file (plus the silence after it) was spoken at its own pace.
        assertThat(System.nanoTime() - start).isGreaterThan(1_500_000_000L);
    }

    @Test
    void manualTurnTakingFromAFile() throws Exception {
        Path out = work.resolve("reply.wav");
        CliRun.Result r = talk("--input", speech().toString(), "--output", out.toString(), "--fast", "--vad", "manual",
                "--base-url", emu.baseUrl());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        // With manual activity the server counts all audio of the activity: pre-roll + speech + hangover.
        assertThat(r.out()).containsPattern("gemini: I heard \\d\\.\\d\\d seconds of audio\\.");
        assertThat(WavReader.read(out).duration()).isPositive();
    }

    @Test
    void aFileWithoutSpeechEndsWithAClearMessageInsteadOfWaitingForever() throws Exception {
        Path silence = work.resolve("silence.wav");
        try (var w = dev.habla.audio.WavWriter.create(silence, AudioFormat.PCM_16K_MONO)) {
            w.write(new byte[32_000]);
        }
        CliRun.Result r = talk("--input", silence.toString(), "--output", "reply.wav", "--fast", "--timeout", "3s",
                "--base-url", emu.baseUrl());
        // Not exit 5 ("unreachable or dropped"): the server was reached and heard nothing to answer (issue 16).
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.NO_SPEECH);
        assertThat(r.err().strip()).startsWith("habla: no answer").doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void aServerThatIsGoneForGoodEndsTheRunWithTheUnavailableExitCodeAfterReconnecting() throws Exception {
        Path out = work.resolve("reply.wav");
        // The emulator disappears once the first audio arrived: the resilient session reconnects (default policy:
        // six attempts over about 8 s), then gives up; the command maps that to its exit code.
        Thread killer = Thread.ofVirtual().start(() -> {
            try {
                dev.habla.emulator.ReceivedMessage m;
                while ((m = emu.takeClientMessage(Duration.ofSeconds(20))) != null) {
                    if (m.message() instanceof dev.habla.protocol.ClientMessage.RealtimeInput r && r.audio() != null) {
                        emu.close();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CliRun.Result r = talk("--input", speech().toString(), "--output", out.toString(), "--timeout", "40s",
                "--base-url", emu.baseUrl());
        killer.join(Duration.ofSeconds(5));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(r.out()).contains("(connection lost").contains("reconnecting");
        // One line naming the cause (the reconnect attempts), no stack trace.
        assertThat(r.err().strip()).startsWith("habla: cannot reach").contains("could not reconnect after 6 attempt(s)")
                .doesNotContain("\n");
    }

    @Test
    void aPendingPromptCanBeEndedFromAnotherThread() throws Exception {
        // What interactive mode does when the session fails for good: the prompt thread is interrupted, whether it
        // is already blocked reading (the prompt is on screen, a word typed) or about to prompt.
        for (boolean waitForPrompt : new boolean[] {true, false}) {
            var pipe = new java.io.PipedOutputStream();
            var in = new java.io.PipedInputStream(pipe);
            var prompted = new java.util.concurrent.CountDownLatch(1);
            var screen = new java.io.OutputStream() {
                final StringBuilder text = new StringBuilder();

                @Override
                public synchronized void write(int b) {
                    text.append((char) b);
                    if (text.indexOf("you> ") >= 0) {
                        prompted.countDown();
                    }
                }
            };
            try (var terminal = new org.jline.terminal.impl.DumbTerminal("t", org.jline.terminal.Terminal.TYPE_DUMB, in,
                    screen, StandardCharsets.UTF_8)) {
                var reader = org.jline.reader.LineReaderBuilder.builder().terminal(terminal).build();
                var outcome = new java.util.concurrent.CompletableFuture<String>();
                Thread prompting = Thread.ofVirtual().start(() -> {
                    try {
                        outcome.complete("line: " + reader.readLine("you> "));
                    } catch (org.jline.reader.UserInterruptException e) {
                        outcome.complete("interrupted");
                    } catch (RuntimeException e) {
                        outcome.completeExceptionally(e);
                    }
                });
                if (waitForPrompt) {
                    assertThat(prompted.await(10, TimeUnit.SECONDS)).as("prompt shown").isTrue();
                    pipe.write("half".getBytes(StandardCharsets.UTF_8));   // typed, not entered
                    pipe.flush();
                }
                TalkCommand.endPrompt(prompting);
                assertThat(outcome.get(10, TimeUnit.SECONDS)).as("waitForPrompt=" + waitForPrompt).isEqualTo("interrupted");
            }
        }
    }

    @Test
    void connectionEventsAndCutTurnsAreShortLines() {
        List<String> lines = new java.util.ArrayList<>();
        TalkPrinter printer = new TalkPrinter(lines::add, null);
        printer.onEvent(new dev.habla.assistant.AssistantEvent.Connection(
                new dev.habla.client.LiveEvent.HandoverStarted(dev.habla.client.LiveEvent.HandoverCause.GO_AWAY,
                        Duration.ofSeconds(5))));
        printer.onEvent(new dev.habla.assistant.AssistantEvent.Connection(
                new dev.habla.client.LiveEvent.HandoverCompleted(Duration.ofMillis(12), 2)));
        printer.onEvent(new dev.habla.assistant.AssistantEvent.Connection(new dev.habla.client.LiveEvent.Reconnecting(
                new dev.habla.client.LiveException(dev.habla.client.LiveException.Kind.DEADLINE_EXCEEDED, "x", 1011,
                        "Deadline expired before operation could complete.", 0, null), 2, Duration.ofMillis(250))));
        printer.onEvent(new dev.habla.assistant.AssistantEvent.Connection(
                new dev.habla.client.LiveEvent.Reconnected(Duration.ofMillis(800), true, 2, 3)));
        printer.onEvent(new dev.habla.assistant.AssistantEvent.Connection(new dev.habla.client.LiveEvent.Stalled(
                dev.habla.client.LiveEvent.StallKind.NO_REPLY, Duration.ofSeconds(15))));
        printer.onEvent(new dev.habla.assistant.AssistantEvent.TurnEnded(new dev.habla.assistant.Transcript.Entry(3,
                dev.habla.assistant.Transcript.Role.ASSISTANT, 2, false, "I heard 1.2", "I heard 1.2",
                Duration.ofMillis(770), Duration.ofMillis(770), false, true, true)));
        assertThat(lines).containsExactly(
                "(connection renewed; 12 ms gap)",
                "(connection lost: 1011 Deadline expired before operation could complete; reconnecting, attempt 2…)",
                "(reconnected after 800 ms; the conversation goes on)",
                "(no answer for 15.0 s)",
                "gemini: I heard 1.2 [cut off: connection lost]");
    }

    @Test
    void noUsableAudioDeviceIsOneLineAndItsOwnExitCode() {
        CliRun.Result r = talk("--input-device", "no-such-device-xyz", "--output", "reply.wav",
                "--base-url", emu.baseUrl());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(TalkCommand.NO_AUDIO_DEVICE);
        assertThat(r.err().strip()).startsWith("habla: no microphone: No audio input device")
                .contains("no-such-device-xyz").doesNotContain("\n");
        assertThat(emu.sessions()).isEmpty();
    }

    @Test
    void usageErrors() throws Exception {
        assertThat(talk("--fast").exitCode()).isEqualTo(ExitCodes.USAGE);
        CliRun.Result vad = talk("--vad", "sometimes", "--input", speech().toString());
        assertThat(vad.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(vad.err()).contains("expected off, assist, manual or ptt");
        assertThat(talk("--input", "missing.wav", "--output", "x.wav").err()).contains("--input missing.wav: no such file");
        assertThat(talk("--half-duplex", "--headphones", "--input", speech().toString()).exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(talk("--start-sensitivity", "medium", "--input", speech().toString()).err())
                .contains("--start-sensitivity must be high or low");
        CliRun.Result help = talk("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--input", "--output", "--vad", "--half-duplex", "--input-device",
                "--output-device", "--silence-duration", "69 no usable audio device, or no camera, ffmpeg or display");
    }

    @Test
    void devicesListsWhatJavaSoundSeesOrSaysThereIsNothing() {
        CliRun.Result r = CliRun.run(work, home, Map.of(), "", "devices");
        if (javax.sound.sampled.AudioSystem.getMixerInfo().length == 0) {
            assertThat(r.exitCode()).isEqualTo(TalkCommand.NO_AUDIO_DEVICE);
            assertThat(r.err().strip()).startsWith("habla: no audio devices").doesNotContain("\n");
        } else {
            assertThat(r.exitCode()).as(r.toString()).isIn(0, TalkCommand.NO_AUDIO_DEVICE);
            if (r.exitCode() == 0) {
                assertThat(r.out()).contains("  input:", "  output:");
            }
        }
    }

    @Test
    void throughTheLauncher() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path launcher = root.resolve("habla");
        Path out = work.resolve("launched.wav");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "talk", "--input", speech().toString(), "--output",
                out.toString(), "--fast", "--base-url", emu.baseUrl()).directory(work.toFile())
                .redirectErrorStream(false);
        pb.environment().put("HABLA_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("GEMINI_API_KEY");
        Process p = pb.start();
        p.getOutputStream().close();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(40, TimeUnit.SECONDS)).isTrue();
        assertAnswered(new CliRun.Result(p.exitValue(), stdout, stderr), out);
        assertThat(Files.size(out)).isGreaterThan(44);
    }
}
