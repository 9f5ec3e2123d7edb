package dev.habla.emulator.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic "speech-like" rendering of text as 24 kHz PCM16 LE mono: 70 ms per character. Characters of a word
 * are voiced (a harmonic series on a gliding pitch contour, shaped by two formant-like emphases, amplitude-modulated
 * at a syllable rate of 4.5 Hz, with 8 ms ramps at word edges); whitespace is silence. Not a pure tone, so audio
 * pipelines (VAD, codecs, level meters) see something voice-like. Stateless and thread-safe.
 */
public final class SpeechSynth {
    public static final int SAMPLE_RATE = 24_000;
    /** 70 ms per character. */
    public static final int SAMPLES_PER_CHAR = SAMPLE_RATE * 70 / 1000;

    private static final int HARMONICS = 12;
    private static final int RAMP = SAMPLE_RATE * 8 / 1000;

    private SpeechSynth() {}

    /** One piece of the text (leading whitespace + word) and the sample where its word starts. */
    public record Segment(String text, int startSample) {}

    /** Rendered speech. {@code segments} concatenated give the text back exactly. */
    public record Rendered(byte[] pcm, int samples, List<Segment> segments) {
        public double seconds() {
            return samples / (double) SAMPLE_RATE;
        }
    }

    /** Renders {@code text}; the result has exactly {@code text.length() * SAMPLES_PER_CHAR} samples. */
    public static Rendered render(String text) {
        int n = text.length() * SAMPLES_PER_CHAR;
        byte[] pcm = new byte[n * 2];
        List<Segment> segments = new ArrayList<>();
        double phase = 0;
        int wordIndex = 0;
        int i = 0;
        int segStart = 0;
        while (true) {
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++; // whitespace is silence
            }
            int wordStart = i;
            while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (wordStart == i) {
                String tail = text.substring(segStart);
                if (!tail.isEmpty()) {
                    if (segments.isEmpty()) {
                        segments.add(new Segment(tail, 0));
                    } else {
                        Segment last = segments.removeLast();
                        segments.add(new Segment(last.text() + tail, last.startSample()));
                    }
                }
                break;
            }
            segments.add(new Segment(text.substring(segStart, i), wordStart * SAMPLES_PER_CHAR));
            segStart = i;
            phase = voice(pcm, wordStart * SAMPLES_PER_CHAR, i * SAMPLES_PER_CHAR, phase, wordIndex++,
                    text.substring(wordStart, i).hashCode());
        }
        return new Rendered(pcm, n, List.copyOf(segments));
    }

    private static double voice(byte[] pcm, int from, int to, double phase, int wordIndex, int hash) {
        int len = to - from;
        double basePitch = 105 + Math.floorMod(hash, 7) * 6 + (wordIndex % 3) * 8;
        double syllablePhase = Math.floorMod(hash >>> 3, 100) / 100.0;
        double[] amps = new double[HARMONICS + 1];
        double norm = 0;
        for (int k = 1; k <= HARMONICS; k++) {
            double f = k * basePitch;
            double formants = 1 + 1.6 * Math.exp(-sq((f - 650) / 250)) + 1.1 * Math.exp(-sq((f - 1250) / 300));
            amps[k] = formants / k;
            norm += amps[k];
        }
        for (int s = 0; s < len; s++) {
            double tw = s / (double) SAMPLE_RATE; // time within the word
            double tg = (from + s) / (double) SAMPLE_RATE; // time within the utterance
            double f0 = basePitch * (1 + 0.12 * Math.sin(2 * Math.PI * 0.9 * tg + wordIndex) - 0.10 * s / len);
            phase += 2 * Math.PI * f0 / SAMPLE_RATE;
            if (phase > 2 * Math.PI * 1000) {
                phase -= 2 * Math.PI * 1000;
            }
            // sin(kφ) by the Chebyshev recurrence: one sin/cos per sample instead of one per harmonic.
            double s1 = Math.sin(phase);
            double twoCos = 2 * Math.cos(phase);
            double prev = 0;
            double cur = s1;
            double v = 0;
            for (int k = 1; k <= HARMONICS; k++) {
                v += amps[k] * cur;
                double nxt = twoCos * cur - prev;
                prev = cur;
                cur = nxt;
            }
            double syllable = 0.25 + 0.75 * sq(Math.sin(Math.PI * (4.5 * tw + syllablePhase)));
            double edge = Math.min(1, Math.min(s, len - 1 - s) / (double) RAMP);
            double x = 0.35 * v / norm * syllable * edge;
            int sample = (int) Math.round(Math.max(-1, Math.min(1, x)) * 32767);
            int o = (from + s) * 2;
            pcm[o] = (byte) sample;
            pcm[o + 1] = (byte) (sample >> 8);
        }
        return phase;
    }

    private static double sq(double x) {
        return x * x;
    }
}
