package dev.habla.voice;

import dev.habla.audio.WavData;
import dev.habla.audio.WavReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Test audio: tones, noise, a source-filter "voice" synthesiser, and real speech from espeak-ng + sox. */
final class TestSignals {

    private TestSignals() {
    }

    static short[] sine(int rate, double hz, double seconds, double amplitude) {
        short[] s = new short[(int) Math.round(rate * seconds)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return s;
    }

    static short[] whiteNoise(long seed, int samples, double rms) {
        Random r = new Random(seed);
        short[] s = new short[samples];
        for (int i = 0; i < samples; i++) {
            s[i] = Pcm16.clip(r.nextGaussian() * rms);
        }
        return s;
    }

    static short[] concat(short[]... parts) {
        int n = 0;
        for (short[] p : parts) {
            n += p.length;
        }
        short[] out = new short[n];
        int at = 0;
        for (short[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static double rms(short[] s, int from, int to) {
        return Math.sqrt(Pcm16.energy(s, from, to - from) / (to - from));
    }

    /** Scales {@code s} so its RMS over the whole array is {@code dbfs}. */
    static double[] normalise(double[] s, double dbfs) {
        double e = 0;
        for (double v : s) {
            e += v * v;
        }
        double rms = Math.sqrt(e / s.length);
        double target = Pcm16.FULL_SCALE * Math.pow(10, dbfs / 20);
        double k = rms == 0 ? 0 : target / rms;
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i] * k;
        }
        return out;
    }

    static short[] toPcm(double[] s) {
        short[] out = new short[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Pcm16.clip(s[i]);
        }
        return out;
    }

    /** A voice for {@link #speechLike}: pitch range and formant scaling (vocal tract length). */
    record Voice(double f0Low, double f0High, double formantScale) {
        /** Like the assistant's voice: a higher, female-range pitch. */
        static final Voice ASSISTANT = new Voice(165, 235, 1.15);
        /** A user with a lower, male-range pitch and a longer vocal tract. */
        static final Voice USER = new Voice(95, 140, 0.95);
    }

    /**
     * Speech-like audio from a source-filter model: a glottal pulse train with a pitch contour (phrase declination,
     * per-syllable accents, jitter) through three formant resonators that move from vowel to vowel, shaped into
     * syllables of 110-260 ms with short gaps and pauses between phrases, and occasional fricative noise. Returns
     * samples at {@code rate} with the given overall RMS level.
     */
    static short[] speechLike(Random rnd, Voice voice, int rate, double seconds, double dbfs) {
        int total = (int) Math.round(rate * seconds);
        double[] out = new double[total];
        double[][] vowels = {{730, 1090, 2440}, {270, 2290, 3010}, {530, 1840, 2480}, {660, 1720, 2410},
            {300, 870, 2240}, {640, 1190, 2390}, {490, 1350, 1690}, {440, 1020, 2240}};
        int at = (int) (rate * 0.02);
        double phase = 0;
        int syllableInPhrase = 0;
        int phraseLength = 3 + rnd.nextInt(4);
        double phraseStart = at;
        while (at < total) {
            int syllable = (int) (rate * (0.11 + 0.15 * rnd.nextDouble()));
            double[] f = vowels[rnd.nextInt(vowels.length)];
            double[] next = vowels[rnd.nextInt(vowels.length)];
            double accent = 1 + (rnd.nextDouble() - 0.3) * 0.25;
            Resonator[] tract = new Resonator[3];
            double[] bw = {80, 110, 160};
            for (int k = 0; k < 3; k++) {
                tract[k] = new Resonator(rate);
            }
            boolean fricative = rnd.nextDouble() < 0.35;
            int fric = fricative ? (int) (rate * (0.03 + 0.04 * rnd.nextDouble())) : 0;
            double glottal = 0;
            double prevNoise = 0;
            for (int i = 0; i < syllable + fric && at + i < total; i++) {
                int n = at + i;
                double env;
                double sample;
                if (i < fric) {
                    // Fricative: high-passed noise with a short envelope.
                    double w = rnd.nextGaussian();
                    double hp = w - prevNoise;
                    prevNoise = w;
                    env = Math.sin(Math.PI * i / fric);
                    sample = 0.25 * hp * env;
                } else {
                    int v = i - fric;
                    double x = (double) v / syllable;
                    // Pitch: phrase declination, a per-syllable accent rising then falling, a little jitter.
                    double sincePhrase = (n - phraseStart) / rate;
                    double f0 = (voice.f0High() - (voice.f0High() - voice.f0Low()) * Math.min(1, sincePhrase / 2.0))
                            * accent * (1 + 0.06 * Math.sin(Math.PI * x)) * (1 + 0.01 * rnd.nextGaussian());
                    phase += f0 / rate;
                    double pulse = 0;
                    if (phase >= 1) {
                        phase -= 1;
                        pulse = 1;
                    }
                    glottal = 0.97 * glottal + pulse;   // a decaying glottal flow derivative, roughly
                    double src = glottal + 0.02 * rnd.nextGaussian();
                    double y = 0;
                    for (int k = 0; k < 3; k++) {
                        if (v % 16 == 0) {   // formants glide; retuning every 16 samples is smooth enough
                            double fk = (f[k] + (next[k] - f[k]) * x) * voice.formantScale();
                            tract[k].tune(Math.min(fk, 0.45 * rate), bw[k]);
                        }
                        y += tract[k].filter(src) * (k == 0 ? 1.0 : k == 1 ? 0.6 : 0.3);
                    }
                    double attack = Math.min(1, v / (0.03 * rate));
                    double release = Math.min(1, (syllable - v) / (0.05 * rate));
                    env = attack * release;
                    sample = y * env;
                }
                out[n] += sample;
            }
            at += syllable + fric;
            syllableInPhrase++;
            if (syllableInPhrase >= phraseLength) {
                at += (int) (rate * (0.18 + 0.22 * rnd.nextDouble()));
                syllableInPhrase = 0;
                phraseLength = 3 + rnd.nextInt(4);
                phraseStart = at;
            } else {
                at += (int) (rate * (0.02 + 0.08 * rnd.nextDouble()));
            }
        }
        return toPcm(normalise(out, dbfs));
    }

    /** Two-pole resonator with unity gain at its centre frequency. */
    private static final class Resonator {
        private final int rate;
        private double a1;
        private double a2;
        private double g;
        private double y1;
        private double y2;

        Resonator(int rate) {
            this.rate = rate;
        }

        void tune(double hz, double bandwidth) {
            double r = Math.exp(-Math.PI * bandwidth / rate);
            a1 = 2 * r * Math.cos(2 * Math.PI * hz / rate);
            a2 = -r * r;
            g = 1 - r;
        }

        double filter(double x) {
            double y = g * x + a1 * y1 + a2 * y2;
            y2 = y1;
            y1 = y;
            return y;
        }
    }

    // ---- espeak-ng + sox --------------------------------------------------------------------------------------

    /**
     * Speaks {@code text} with espeak-ng and converts it with sox to 16-bit mono at {@code rate}. Fails the test
     * (never skips) if either tool is missing: CI must install {@code espeak-ng sox libsox-fmt-all}.
     */
    static short[] espeak(Path dir, String text, String voice, int pitch, int rate) throws IOException,
            InterruptedException {
        Path raw = Files.createTempFile(dir, "espeak-", ".wav");
        Path wav = Files.createTempFile(dir, "speech-", ".wav");
        run(List.of("espeak-ng", "-v", voice, "-p", Integer.toString(pitch), "-w", raw.toString(), text));
        run(List.of("sox", raw.toString(), "-r", Integer.toString(rate), "-c", "1", "-b", "16", "-e",
                "signed-integer", wav.toString()));
        WavData data = WavReader.read(wav);
        if (data.format().sampleRate() != rate || data.format().channels() != 1) {
            throw new AssertionError("sox produced " + data.format() + ", expected " + rate + " Hz mono");
        }
        return Pcm16.toShorts(data.pcm());
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("'" + command.get(0) + "' is not installed or not on PATH (" + e.getMessage()
                    + "). These tests generate speech at test time and need it: install the Debian packages "
                    + "'espeak-ng sox libsox-fmt-all' (apt-get install -y espeak-ng sox libsox-fmt-all).", e);
        }
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command.get(0) + " did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed with exit code " + p.exitValue() + ": "
                    + new String(output, StandardCharsets.UTF_8));
        }
    }

    /** Splits {@code pcm} into whole frames of {@code n} samples (the remainder is dropped). */
    static List<short[]> frames(short[] pcm, int n) {
        List<short[]> out = new ArrayList<>();
        for (int at = 0; at + n <= pcm.length; at += n) {
            short[] f = new short[n];
            System.arraycopy(pcm, at, f, 0, n);
            out.add(f);
        }
        return out;
    }
}
