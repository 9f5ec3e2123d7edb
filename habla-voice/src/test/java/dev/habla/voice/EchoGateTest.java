package dev.habla.voice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated rooms: the assistant's audio (24 kHz) is played, comes back into a 16 kHz "mic" attenuated (-6 to
 * -20 dB), delayed (20-150 ms), with two early reflections and noise, and a VAD + {@link VadSegmenter} decides
 * barge-in with and without the gate. Every trial is seeded, so the rates are reproducible.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)   // per test; the 100-room test takes ~8 s of CPU on 2 cores
class EchoGateTest {

    static final int FAR_RATE = 24_000;
    static final int MIC_RATE = 16_000;
    static final int SYNTHETIC_TRIALS = 100;
    /** Echo-only trials also run without the gate, to show the scenario fools a VAD on its own. */
    static final int BASELINE_TRIALS = 25;
    static final double FAR_LEVEL_DBFS = -22;
    static final double LEAD_IN_SECONDS = 0.5;
    static final long T0 = 1_000_000_000L;
    /** How far ahead of its play time the pump hands audio over (the device buffer). */
    static final long PUMP_LEAD_NANOS = 60_000_000L;

    /** An acoustic echo path: direct echo, two reflections after it, and background noise. */
    record Room(double echoGainDb, int delay, int r1Delay, double r1Db, int r2Delay, double r2Db, double noiseDbfs) {

        static Room random(Random r) {
            return new Room(-6 - 14 * r.nextDouble(), ms(20 + 130 * r.nextDouble()), ms(3 + 12 * r.nextDouble()),
                    -8 - 6 * r.nextDouble(), ms(20 + 25 * r.nextDouble()), -14 - 6 * r.nextDouble(),
                    -62 + 7 * r.nextDouble());
        }

        /** What the mic records while {@code far} plays from sample 0: echo, noise and (optionally) the user. */
        short[] mic(short[] far, short[] user, int userOnset, long seed) {
            Resampler down = Resampler.create(FAR_RATE, MIC_RATE);
            short[] at16 = TestSignals.concat(down.process(far), down.flush());
            double g = Math.pow(10, echoGainDb / 20);
            double g1 = g * Math.pow(10, r1Db / 20);
            double g2 = g * Math.pow(10, r2Db / 20);
            double noiseRms = Pcm16.FULL_SCALE * Math.pow(10, noiseDbfs / 20);
            Random r = new Random(mix(seed ^ 0x5EED));
            short[] mic = new short[at16.length];
            for (int n = 0; n < mic.length; n++) {
                double v = g * sample(at16, n - delay) + g1 * sample(at16, n - delay - r1Delay)
                        + g2 * sample(at16, n - delay - r1Delay - r2Delay) + noiseRms * uniformNoise(r);
                if (user != null && n >= userOnset && n < userOnset + user.length) {
                    v += user[n - userOnset];
                }
                mic[n] = Pcm16.clip(v);
            }
            return mic;
        }

        /** Zero-mean, unit-RMS white noise; uniform rather than Gaussian because it is several times cheaper. */
        private static double uniformNoise(Random r) {
            return (r.nextFloat() - 0.5f) * 3.4641016;
        }

        private static double sample(short[] s, int i) {
            return i >= 0 && i < s.length ? s[i] : 0;
        }
    }

    /** One trial: what was played, what the mic heard, and where the user (if any) started. */
    record Trial(Room room, short[] far, short[] mic, int userOnset, int userLength) {
    }

    /** What happened in one trial under one policy. */
    record Outcome(boolean falseBargeIn, boolean detected, long latencyMs) {
    }

    /** Spreads consecutive seeds: java.util.Random's first draws are nearly equal for seeds 1000, 1001, ... */
    static long mix(long seed) {
        long z = seed * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 27);
    }

    static int ms(double millis) {
        return (int) Math.round(millis * MIC_RATE / 1000);
    }

    /** A synthetic trial: speech-like assistant audio, and a speech-like user with a lower voice if asked. */
    static Trial syntheticTrial(long seed, boolean withUser) {
        Random r = new Random(mix(seed));
        Room room = Room.random(r);
        short[] speech = TestSignals.speechLike(r, TestSignals.Voice.ASSISTANT, FAR_RATE, 3.5, FAR_LEVEL_DBFS);
        short[] far = TestSignals.concat(new short[(int) (FAR_RATE * LEAD_IN_SECONDS)], speech,
                new short[FAR_RATE / 2]);
        short[] user = null;
        int onset = -1;
        if (withUser) {
            user = TestSignals.speechLike(r, TestSignals.Voice.USER, MIC_RATE, 0.8 + 0.4 * r.nextDouble(),
                    -26 + 6 * r.nextDouble());
            onset = (int) (MIC_RATE * (LEAD_IN_SECONDS + 0.8 + 1.3 * r.nextDouble()));
        }
        return new Trial(room, far, room.mic(far, user, onset, seed), onset, user == null ? 0 : user.length);
    }

    /**
     * Runs the mic pump and the playback pump of one trial: VAD probability, zeroed where the policy says echo,
     * into a default {@link VadSegmenter}; returns what a voice loop would have done.
     */
    static Outcome run(Trial trial, DuplexPolicy policy, VoiceActivityDetector vad) {
        VadSegmenter segmenter = new VadSegmenter();
        List<VadEvent.SpeechStarted> starts = new ArrayList<>();
        int farChunk = FAR_RATE / 50;   // the pump plays 20 ms pieces
        int farAt = 0;
        short[] far = trial.far();
        short[] mic = trial.mic();
        for (int at = 0; at + 512 <= mic.length; at += 512) {
            long micTime = T0 + at * 1_000_000_000L / MIC_RATE;
            while (farAt < far.length && T0 + farAt * 1_000_000_000L / FAR_RATE <= micTime + PUMP_LEAD_NANOS) {
                int len = Math.min(farChunk, far.length - farAt);
                short[] chunk = new short[len];
                System.arraycopy(far, farAt, chunk, 0, len);
                policy.onPlayed(chunk, T0 + farAt * 1_000_000_000L / FAR_RATE);
                farAt += len;
            }
            short[] frame = new short[512];
            System.arraycopy(mic, at, frame, 0, 512);
            float p = vad.speechProbability(frame);
            float gated = policy.isLikelyUserSpeech(frame, micTime) ? p : 0f;
            Optional<VadEvent> e = segmenter.accept(frame, gated);
            if (e.isPresent() && e.get() instanceof VadEvent.SpeechStarted started) {
                starts.add(started);
            }
        }
        boolean early = false;
        boolean hit = false;
        long latency = -1;
        for (VadEvent.SpeechStarted s : starts) {
            if (trial.userOnset() < 0 || s.detectedSample() < trial.userOnset()) {
                early = true;
            } else if (!hit && s.detectedSample() <= trial.userOnset() + trial.userLength() + MIC_RATE / 4) {
                hit = true;
                latency = (s.detectedSample() - trial.userOnset()) * 1000L / MIC_RATE;
            }
        }
        return new Outcome(early, hit, latency);
    }

    /** Tallies of a batch of trials, printed and asserted on. */
    record Rates(int trials, int falseWithGate, int falseWithoutGate, int baselineTrials, int detected,
                 int falseBeforeUser, long medianLatencyMs) {

        String report(String title) {
            return String.format(Locale.ROOT, "%s%n  echo only:      false barge-in %d/%d with the gate, %d/%d "
                    + "without it%n  user over echo: barge-in detected %d/%d (median %d ms after onset), false "
                    + "barge-in before the user spoke %d/%d%n", title, falseWithGate, trials, falseWithoutGate,
                    baselineTrials, detected, trials, medianLatencyMs, falseBeforeUser, trials);
        }
    }

    /**
     * Runs {@code trials} echo-only and {@code trials} user trials with the gate, and the first
     * {@code baselineTrials} echo-only ones again without it (the baseline only shows the scenario is hard).
     */
    static Rates evaluate(int trials, int baselineTrials, java.util.function.LongFunction<Trial> echoOnly,
                          java.util.function.LongFunction<Trial> withUser, Supplier<VoiceActivityDetector> vads) {
        record PerTrial(Outcome gated, Outcome ungated, Outcome user) {
        }
        List<PerTrial> results = IntStream.range(0, trials).parallel().mapToObj(t -> {
            long seed = 1000 + t;
            Trial echo = echoOnly.apply(seed);
            Trial talk = withUser.apply(seed + 50_000);
            try (VoiceActivityDetector vad = vads.get()) {
                Outcome gated = run(echo, EchoGate.create(FAR_RATE), vad);
                vad.reset();
                Outcome ungated = t < baselineTrials ? run(echo, DuplexPolicy.fullDuplex(), vad) : null;
                vad.reset();
                Outcome user = run(talk, EchoGate.create(FAR_RATE), vad);
                return new PerTrial(gated, ungated, user);
            }
        }).toList();
        List<Long> latencies = new ArrayList<>();
        int fg = 0;
        int fu = 0;
        int det = 0;
        int early = 0;
        for (PerTrial r : results) {
            fg += r.gated().falseBargeIn() ? 1 : 0;
            fu += r.ungated() != null && r.ungated().falseBargeIn() ? 1 : 0;
            early += r.user().falseBargeIn() ? 1 : 0;
            if (r.user().detected()) {
                det++;
                latencies.add(r.user().latencyMs());
            }
        }
        latencies.sort(null);
        return new Rates(trials, fg, fu, baselineTrials, det, early,
                latencies.isEmpty() ? -1 : latencies.get(latencies.size() / 2));
    }

    @Test
    void syntheticVoicesEchoRarelyBargesInWhileTheUserStillCan() {
        Rates rates = evaluate(SYNTHETIC_TRIALS, BASELINE_TRIALS, seed -> syntheticTrial(seed, false),
                seed -> syntheticTrial(seed, true), EnergyVad::new);
        System.out.print(rates.report("EchoGate, " + SYNTHETIC_TRIALS + " simulated rooms, synthetic voices "
                + "(assistant f0 165-235 Hz, user 95-140 Hz, user at -26..-20 dBFS), energy VAD:"));
        assertThat(rates.falseWithoutGate()).as("the energy VAD alone is fooled by echo: the scenario is hard")
                .isGreaterThanOrEqualTo(BASELINE_TRIALS * 9 / 10);
        assertThat(rates.falseWithGate()).as("false barge-ins caused by echo alone")
                .isLessThanOrEqualTo(SYNTHETIC_TRIALS * 5 / 100);
        assertThat(rates.detected()).as("user barge-ins detected over the echo")
                .isGreaterThanOrEqualTo(SYNTHETIC_TRIALS * 95 / 100);
        assertThat(rates.falseBeforeUser()).isLessThanOrEqualTo(SYNTHETIC_TRIALS * 5 / 100);
    }

    @Test
    void espeakVoicesWithSilero(@TempDir Path dir) throws Exception {
        String[] assistant = {
            "Sure. Here is the forecast for the next three days in Lisbon: sunny, with a light breeze.",
            "I found four restaurants near you that are open now. The closest one is about five minutes away.",
        };
        String[] user = {"Wait, stop, I meant Porto.", "No, no. Cancel that please.", "Hold on, what about tomorrow?"};
        List<short[]> far = new ArrayList<>();
        for (String text : assistant) {
            far.add(scaled(TestSignals.espeak(dir, text, "en-us+f3", 60, FAR_RATE), FAR_LEVEL_DBFS));
        }
        List<short[]> users = new ArrayList<>();
        for (String text : user) {
            users.add(TestSignals.espeak(dir, text, "en-gb+m3", 30, MIC_RATE));
        }
        int trials = 24;
        java.util.function.LongFunction<Trial> make = seed -> {
            Random r = new Random(mix(seed));
            Room room = Room.random(r);
            short[] played = TestSignals.concat(new short[(int) (FAR_RATE * LEAD_IN_SECONDS)],
                    far.get(r.nextInt(far.size())), new short[FAR_RATE / 2]);
            if (seed < 50_000) {
                return new Trial(room, played, room.mic(played, null, -1, seed), -1, 0);
            }
            short[] u = scaled(users.get(r.nextInt(users.size())), -26 + 6 * r.nextDouble());
            int onset = (int) (MIC_RATE * (LEAD_IN_SECONDS + 0.8 + 1.3 * r.nextDouble()));
            return new Trial(room, played, room.mic(played, u, onset, seed), onset, u.length);
        };
        Rates rates = evaluate(trials, trials / 2, make, make, SileroVad::create);
        System.out.print(rates.report("EchoGate, " + trials + " simulated rooms, espeak-ng voices (assistant en-us+f3, "
                + "user en-gb+m3 at -26..-20 dBFS), Silero VAD:"));
        assertThat(rates.falseWithoutGate()).as("Silero alone hears the echoed assistant as speech")
                .isGreaterThanOrEqualTo(trials / 2 * 8 / 10);
        assertThat(rates.falseWithGate()).as("false barge-ins caused by echo alone").isLessThanOrEqualTo(1);
        assertThat(rates.detected()).as("user barge-ins detected over the echo").isGreaterThanOrEqualTo(trials - 1);
    }

    @Test
    void learnsTheEchoPathDelayAndGain() {
        Trial trial = syntheticTrial(7, false);
        EchoGate gate = EchoGate.create(FAR_RATE);
        run(trial, gate, new EnergyVad());
        EchoGate.EchoPath path = gate.echoPath();
        assertThat(path.known()).isTrue();
        double trueDelayMs = trial.room().delay() * 1000.0 / MIC_RATE;
        assertThat(path.delay().toNanos() / 1e6).isCloseTo(trueDelayMs, org.assertj.core.data.Offset.offset(0.5));
        // The reflections add correlated energy, so the least-squares gain lands a little above the direct path.
        assertThat(path.gainDb()).isBetween(trial.room().echoGainDb() - 1, trial.room().echoGainDb() + 3);
        assertThat(path.correlation()).isGreaterThan(0.8);
        assertThat(gate.toString()).contains("delay");
        gate.reset();
        assertThat(gate.echoPath().known()).isFalse();
    }

    @Test
    void withNothingPlayedEveryFrameMayBeTheUser() {
        EchoGate gate = EchoGate.create(FAR_RATE);
        short[] loud = TestSignals.sine(MIC_RATE, 300, 0.032, 8000);
        EchoGate.Analysis a = gate.analyze(loud, T0);
        assertThat(a.verdict()).isEqualTo(EchoGate.Verdict.NO_FAR_END);
        assertThat(a.userSpeech()).isTrue();
        // Digital silence written by an idle pump is not "playing".
        gate.onPlayed(new short[FAR_RATE / 10], T0 + 32_000_000L);
        assertThat(gate.analyze(loud, T0 + 64_000_000L).verdict()).isEqualTo(EchoGate.Verdict.NO_FAR_END);
        // A timestamp from another clock (days away) starts the timeline over instead of overflowing.
        long later = T0 + Duration.ofDays(3).toNanos();
        assertThat(gate.analyze(loud, later).verdict()).isEqualTo(EchoGate.Verdict.NO_FAR_END);
        assertThat(gate.analyze(loud, Long.MIN_VALUE / 2).verdict()).isEqualTo(EchoGate.Verdict.NO_FAR_END);
        assertThat(gate.analyze(loud, Long.MAX_VALUE - 1_000_000_000L).verdict())
                .isEqualTo(EchoGate.Verdict.NO_FAR_END);
    }

    @Test
    void beforeThePathIsKnownOnlyMicLouderThanTheReferenceCounts() {
        EchoGate gate = EchoGate.create(MIC_RATE);   // reference at the mic rate: no resampling
        short[] played = TestSignals.sine(MIC_RATE, 440, 0.5, 6000);
        gate.onPlayed(played, T0);
        long t = T0 + 100_000_000L;
        EchoGate.Analysis quieter = gate.analyze(TestSignals.sine(MIC_RATE, 440, 0.032, 3000), t);
        assertThat(quieter.pathKnown()).isFalse();
        assertThat(quieter.verdict()).isEqualTo(EchoGate.Verdict.ECHO);
        EchoGate.Analysis louder = gate.analyze(TestSignals.sine(MIC_RATE, 200, 0.032, 16000), t + 32_000_000L);
        assertThat(louder.verdict()).isEqualTo(EchoGate.Verdict.USER);
    }

    @Test
    void halfDuplexIsDeafWhilePlayingAndForTheHangover() {
        HalfDuplex half = new HalfDuplex(FAR_RATE, Duration.ofMillis(300));
        short[] frame = TestSignals.sine(MIC_RATE, 200, 0.032, 8000);
        assertThat(half.isLikelyUserSpeech(frame, T0)).isTrue();
        half.onPlayed(TestSignals.sine(FAR_RATE, 300, 1.0, 5000), T0 + 1_000_000_000L);   // plays 1 s .. 2 s
        assertThat(half.isLikelyUserSpeech(frame, T0 + 900_000_000L)).isTrue();
        assertThat(half.isLikelyUserSpeech(frame, T0 + 1_500_000_000L)).isFalse();
        assertThat(half.isLikelyUserSpeech(frame, T0 + 2_200_000_000L)).as("within the hangover").isFalse();
        assertThat(half.isLikelyUserSpeech(frame, T0 + 2_350_000_000L)).isTrue();
        half.onPlayed(new short[FAR_RATE], T0 + 3_000_000_000L);   // silence does not count
        assertThat(half.isLikelyUserSpeech(frame, T0 + 3_500_000_000L)).isTrue();
        half.onPlayed(TestSignals.sine(FAR_RATE, 300, 1.0, 5000), T0 + 5_000_000_000L);
        half.reset();
        assertThat(half.isLikelyUserSpeech(frame, T0 + 5_500_000_000L)).isTrue();
    }

    @Test
    void fullDuplexPassesEverything() {
        DuplexPolicy p = DuplexPolicy.fullDuplex();
        p.onPlayed(new byte[960], T0);
        assertThat(p.isLikelyUserSpeech(new short[512], T0)).isTrue();
    }

    private static short[] scaled(short[] pcm, double dbfs) {
        double[] d = new double[pcm.length];
        for (int i = 0; i < pcm.length; i++) {
            d[i] = pcm[i];
        }
        return TestSignals.toPcm(TestSignals.normalise(d, dbfs));
    }
}
