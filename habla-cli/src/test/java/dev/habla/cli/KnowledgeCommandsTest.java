package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.audio.AudioFormat;
import dev.habla.audio.WavReader;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.IndexProgress;
import dev.habla.knowledge.Indexer;
import dev.habla.knowledge.lucene.LuceneKnowledgeStore;
import dev.habla.testing.ScaledClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code habla chat --knowledge} and {@code habla talk --knowledge} (file to file) on the emulator, with a real index
 * of a small manual: in-domain answers quote and cite the right file and list their sources after the answer;
 * out-of-domain questions are declined with the given sentence (chat: without asking the model; talk: said by it).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KnowledgeCommandsTest {
    static final String DOMAIN = "the Acme X1 router";
    static final String DECLINE = "Lo siento, solo respondo preguntas sobre el router Acme X1.";

    @TempDir
    Path work;
    @TempDir
    Path home;
    LiveEmulator emu;
    ScaledClock clock;

    @BeforeEach
    void indexAManual() throws Exception {
        Path corpus = Files.createDirectories(work.resolve("manual"));
        Files.writeString(corpus.resolve("reset.md"), """
                # Resetting the router

                ## Factory reset

                To restore the factory settings, hold the reset button for ten seconds. Every setting is erased.

                ## Restarting

                To restart the router without losing its settings, unplug the power cable for thirty seconds.
                """);
        Files.writeString(corpus.resolve("wifi.md"), """
                # Wi-Fi

                ## Changing the Wi-Fi password

                Open the admin page, choose Wireless, then Security, type the new Wi-Fi password and press Save.
                """);
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(work.resolve("index"), Embedder.defaultModel())) {
            new Indexer(store).index(List.of(corpus), IndexProgress.NONE);
        }
        // Spoken answers last 70 ms per character of emulated time: 20x faster than real time here. Connection and
        // session limits are off: at 20x the default 10-minute connection ends after 30 s of a loaded machine's time,
        // and this test is not about them.
        clock = new ScaledClock(20);
        emu = LiveEmulator.create(b -> b.port(0).clock(clock).connectionLifetime(Duration.ofDays(1)).sessionLimits(null, null));
    }

    @AfterEach
    void stop() {
        if (emu != null) {
            emu.close();
        }
        if (clock != null) {
            clock.close();
        }
    }

    String reset() {
        return work.resolve("manual/reset.md").toAbsolutePath().normalize().toString();
    }

    @Test
    void chatAnswersFromTheIndexWithSourcesAndDeclinesOutsideTheDomainWithoutAskingTheModel() throws Exception {
        CliRun.Result r = CliRun.run(work, home, Map.of(), """
                How do I do a factory reset that erases every setting?
                Who won the football world cup in 2014?
                exit
                """, "chat", "--base-url", emu.baseUrl(), "--model", ChatCommand.EMULATOR_TEXT_MODEL,
                "--knowledge", "index", "--domain", DOMAIN, "--decline", DECLINE);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("From " + reset() + " (Resetting the router > Factory reset): "
                + "To restore the factory settings, hold the reset button for ten seconds.");
        assertThat(r.out()).contains("sources: 1. manual/reset.md (Resetting the router > Factory reset)");
        assertThat(r.out().indexOf("sources: 1. manual/reset.md")).as("the source list follows the answer")
                .isGreaterThan(r.out().indexOf("To restore the factory settings"));
        assertThat(r.out()).containsPattern("(?m)^(you> )?" + java.util.regex.Pattern.quote(DECLINE) + "$");
        List<String> sent = new ArrayList<>();
        for (ReceivedMessage m; (m = emu.takeClientMessage(Duration.ofMillis(200))) != null; ) {
            sent.add(m.rawJson());
        }
        assertThat(sent).anyMatch(j -> j.contains("factory settings"));
        assertThat(sent).as("the declined question never reached the model").noneMatch(j -> j.contains("world cup"));
        assertThat(sent.getFirst()).as("setup: the domain in the system instruction").contains(DOMAIN);
    }

    @Test
    void talkFileToFileAnswersTypedQuestionsFromTheIndexAndSaysTheDecline() throws Exception {
        Path silence = work.resolve("silence.wav");
        try (var w = dev.habla.audio.WavWriter.create(silence, AudioFormat.PCM_16K_MONO)) {
            w.write(new byte[32_000]);   // 1 s: nothing to answer but the typed lines
        }
        CliRun.Result r = CliRun.run(work, home, Map.of(), """
                How do I restart the router by unplugging the power cable, keeping its settings?
                Who painted the Mona Lisa?
                """, "talk", "--input", "silence.wav", "--output", "reply.wav", "--no-interruption",
                "--base-url", emu.baseUrl(), "--knowledge", "index", "--domain", DOMAIN, "--decline", DECLINE);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String answer = "From " + reset() + " (Resetting the router > Restarting): "
                + "To restart the router without losing its settings, unplug the power cable for thirty seconds.";
        assertThat(r.out()).contains("gemini: " + answer);
        assertThat(r.out()).contains("sources: 1. manual/reset.md (Resetting the router > Restarting)");
        assertThat(r.out()).contains("gemini: " + DECLINE);
        // Both answers were spoken into the file: 70 ms per character.
        assertThat(WavReader.read(work.resolve("reply.wav")).duration())
                .isEqualTo(Duration.ofMillis(70L * (answer.length() + DECLINE.length())));
    }

    @Test
    void knowledgeOptionsNeedAnIndex() {
        CliRun.Result r = CliRun.run(work, home, Map.of(), "exit\n", "chat", "--base-url", emu.baseUrl(), "--domain", DOMAIN);
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--domain needs --knowledge INDEX");
        CliRun.Result missing = CliRun.run(work, home, Map.of(), "exit\n", "chat", "--base-url", emu.baseUrl(), "--knowledge", "nope");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.NO_INDEX);
        assertThat(missing.err()).contains("no knowledge index at nope (build one with: habla knowledge index DIR --index nope)");
    }
}
