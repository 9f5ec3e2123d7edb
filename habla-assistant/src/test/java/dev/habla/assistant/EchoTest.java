package dev.habla.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.assistant.AssistantEvent.BargeIn;
import dev.habla.client.LiveClient;
import dev.habla.emulator.LiveEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Echo through the whole loop: the emulator's spoken reply is played by a device model, comes back into a simulated
 * room microphone at a realistic attenuation and delay (what was actually played, when it was played), and the loop
 * decides. A false barge-in is any silencing (local VAD or the server's {@code interrupted}, which happens when echo
 * reaches the server's VAD) without the user speaking; with the user talking over the reply, the reply must be cut.
 *
 * <p>Time runs {@value #SPEED}× faster than real time (one clock for the loop, the device model and the room), so
 * that many multi-second replies fit in a few seconds; two trials run at once. Each trial is a fresh session and a
 * fresh echo gate (its hardest case: it has to learn the echo path during the reply).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EchoTest {

    static final double SPEED = 4;
    /** Reruns with other settings: ECHO_TRIALS=40 ECHO_GAIN=0 (the gate's assumed echo gain, dB). */
    static final String GAIN = System.getenv("ECHO_GAIN");
    static final int TRIALS = Integer.parseInt(System.getenv().getOrDefault("ECHO_TRIALS", "20"));
    static final int BASELINE_TRIALS = 4;
    static final Duration WAIT = Duration.ofSeconds(20);
    /** Echo tail kept after the reply has played, before a trial is judged (clock time). */
    static final Duration TAIL = Duration.ofMillis(400);

    LiveEmulator emu;
    LiveClient client;

    @BeforeEach
    void start() {
        emu = LiveEmulator.builder().port(0).build().start();
        client = LiveClient.create(c -> c.apiKey("test").baseUrl(java.net.URI.create(emu.baseUrl())));
    }

    @AfterEach
    void stop() {
        client.close();
        emu.close();
    }

    /** What one trial showed. */
    record Outcome(Room.Acoustics room, boolean bargedIn, AssistantEvent.Trigger trigger, long onsetToSilenceNanos,
                   long echoFrames, long frames, String detail) {}

    @Test
    void echoAloneDoesNotInterruptButTheUserTalkingOverItDoes() throws Exception {
        List<Outcome> echoOnly = run(TRIALS, 1000, false, DuplexMode.ECHO_GATE);
        List<Outcome> withUser = run(TRIALS, 2000, true, DuplexMode.ECHO_GATE);
        List<Outcome> baseline = run(BASELINE_TRIALS, 1000, false, DuplexMode.HEADPHONES);

        long falseBargeIns = echoOnly.stream().filter(Outcome::bargedIn).count();
        long interrupted = withUser.stream().filter(Outcome::bargedIn).count();
        long baselineFalse = baseline.stream().filter(Outcome::bargedIn).count();
        List<Long> latency = withUser.stream().filter(Outcome::bargedIn).map(Outcome::onsetToSilenceNanos).toList();
        Report.line("echo (gate on, %d trials, echo -6..-20 dB, 20-150 ms): no false barge-in in %d/%d = %.0f %% "
                + "(false: %s)", TRIALS, TRIALS - falseBargeIns, TRIALS, 100.0 * (TRIALS - falseBargeIns) / TRIALS,
                echoOnly.stream().filter(Outcome::bargedIn).map(o -> o.trigger() + " " + o.room()).toList());
        Report.line("echo + user talking over the reply (gate on, %d trials): interrupted in %d/%d = %.0f %%; "
                + "user onset -> silence %s (simulated time)", TRIALS, interrupted, TRIALS, 100.0 * interrupted / TRIALS,
                Report.stats(latency));
        withUser.stream().filter(o -> !o.bargedIn()).forEach(o -> Report.line("  missed: %s", o.detail()));
        echoOnly.stream().filter(Outcome::bargedIn).forEach(o -> Report.line("  false: %s", o.detail()));
        Report.line("echo without the gate (headphones mode on open speakers, %d trials): false barge-in in %d/%d",
                BASELINE_TRIALS, baselineFalse, BASELINE_TRIALS);
        Report.line("echo frames judged echo by the gate, echo-only trials: %d of %d frames",
                echoOnly.stream().mapToLong(Outcome::echoFrames).sum(), echoOnly.stream().mapToLong(Outcome::frames).sum());

        assertThat(TRIALS - falseBargeIns).as("trials without a false barge-in").isGreaterThanOrEqualTo(
                (long) Math.ceil(0.95 * TRIALS));
        assertThat(interrupted).as("trials where the user's speech interrupted").isGreaterThanOrEqualTo(
                (long) Math.ceil(0.95 * TRIALS));
        assertThat(baselineFalse).as("without the gate, echo interrupts").isGreaterThan(0);
    }

    private List<Outcome> run(int trials, long seedBase, boolean user, DuplexMode duplex) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(2, Thread.ofVirtual().name("echo-trial-", 0).factory())) {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < trials; i++) {
                long seed = seedBase + i;
                futures.add(pool.submit(() -> trial(seed, user, duplex)));
            }
            List<Outcome> out = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        }
    }

    private Outcome trial(long seed, boolean userSpeaks, DuplexMode duplex) throws Exception {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L);
        FastClock clock = new FastClock(SPEED);
        DeviceModelSink speaker = new DeviceModelSink(clock, true);
        Room.Acoustics acoustics = Room.Acoustics.random(r);
        Room room = new Room(clock, speaker, acoustics, seed);
        Recorder events = new Recorder();
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).microphone(room)
                .speaker(speaker).vadMode(VadMode.ASSIST).duplex(duplex).clock(clock).observer(events)
                .assumedEchoGainDb(GAIN == null ? VoiceLoopConfig.DEFAULT_ASSUMED_ECHO_GAIN_DB : Double.parseDouble(GAIN)))) {
            // A reply of about 2.7 s of speech, asked for by text so the microphone carries only the room.
            loop.sendText("tell me a story about the sea");
            long start = speaker.awaitPlaying(0, Duration.ofMillis(1), WAIT);
            assertThat(start).isPositive();
            long onset = -1;
            double userGain = -2 - 6 * r.nextDouble();
            if (userSpeaks) {
                // The user starts somewhere in the first two thirds of the reply, at a natural level.
                onset = start + (long) ((200 + r.nextInt(1400)) * 1e6);
                short[] speech = Speech.gain(Speech.stop(), userGain);
                room.userSpeaks(speech, onset - (long) (BargeInTest.firstLoudSample(speech) * 1e9 / 16_000));
            }
            // Judge once the reply has played out (or was cut) and its echo has died away.
            speaker.awaitPlayedOut(0, TAIL, WAIT);
            long from = userSpeaks ? onset : 0;
            BargeIn cut = events.all(BargeIn.class).stream().filter(b -> b.arrivalNanos() >= from - 200_000_000L)
                    .findFirst().orElse(null);
            VoiceMetrics.Snapshot m = loop.metrics();
            String detail = String.format(java.util.Locale.ROOT, "%s, user %s at %+.0f ms, local speech %s",
                    acoustics, userSpeaks ? String.format(java.util.Locale.ROOT, "%.1f dB", userGain) : "-",
                    (onset - start) / 1e6, events.all(AssistantEvent.UserSpeechStarted.class).stream()
                            .map(e -> String.format(java.util.Locale.ROOT, "%+.0f", (e.onsetNanos() - start) / 1e6)).toList());
            return new Outcome(acoustics, cut != null, cut == null ? null : cut.trigger(),
                    cut == null ? -1 : cut.silencedNanos() - onset, m.echoFrames(), m.framesProcessed(), detail);
        }
    }
}
