package dev.habla.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResamplerTest {

    /** Resamples all of {@code in} in one go, flushed. */
    static short[] resample(int from, int to, short[] in) {
        Resampler r = Resampler.create(from, to);
        return TestSignals.concat(r.process(in), r.flush());
    }

    /** Frequency from interpolated upward zero crossings between {@code from} and {@code to}. */
    static double frequency(short[] s, int rate, int from, int to) {
        double first = -1;
        double last = -1;
        int crossings = 0;
        for (int i = from + 1; i < to; i++) {
            if (s[i - 1] < 0 && s[i] >= 0) {
                double t = i - 1 + (double) -s[i - 1] / (s[i] - s[i - 1]);
                if (first < 0) {
                    first = t;
                } else {
                    crossings++;
                }
                last = t;
            }
        }
        return crossings * rate / (last - first);
    }

    static double amplitude(short[] s, int from, int to) {
        return TestSignals.rms(s, from, to) * Math.sqrt(2);
    }

    @ParameterizedTest(name = "{0} -> {1} Hz, {2} Hz tone")
    @CsvSource({
        "44100, 16000, 1000", "48000, 16000, 1000", "48000, 16000, 5000", "24000, 48000, 1000",
        "24000, 44100, 1000", "24000, 16000, 440", "16000, 24000, 3000", "8000, 16000, 2500",
        "22050, 16000, 6000", "44101, 16000, 1000"})
    void preservesFrequencyAndAmplitudeOfAPassbandTone(int from, int to, double hz) {
        short[] in = TestSignals.sine(from, hz, 1.5, 10_000);
        short[] out = resample(from, to, in);
        assertThat(out.length).isEqualTo((int) Math.ceil(in.length * (double) to / from));
        // Skip 0.1 s at each end (the tone starts and stops abruptly there).
        int lo = to / 10;
        int hi = out.length - to / 10;
        assertThat(frequency(out, to, lo, hi)).isCloseTo(hz, offset(0.05));
        double gainDb = 20 * Math.log10(amplitude(out, lo, hi) / amplitude(in, from / 10, in.length - from / 10));
        assertThat(gainDb).as("passband gain in dB").isCloseTo(0, offset(0.1));
    }

    @ParameterizedTest(name = "{0} -> {1} Hz, {2} Hz tone above the output Nyquist")
    @CsvSource({
        "44100, 16000, 10000", "48000, 16000, 12000", "48000, 16000, 8500", "24000, 16000, 9000",
        "44100, 16000, 15000", "22050, 16000, 9500", "44101, 16000, 11000"})
    void removesToneAboveTheOutputNyquist(int from, int to, double hz) {
        short[] in = TestSignals.sine(from, hz, 1.0, 16_000);
        short[] out = resample(from, to, in);
        double inRms = TestSignals.rms(in, 0, in.length);
        double outRms = TestSignals.rms(out, to / 10, out.length - to / 10);
        double attenuationDb = 20 * Math.log10(Math.max(outRms, 1e-9) / inRms);
        System.out.printf("Resampler %d -> %d Hz: %.0f Hz tone attenuated by %.1f dB%n", from, to, hz, -attenuationDb);
        assertThat(attenuationDb).as("an alias would come back at full level; the filter must remove it")
                .isLessThan(-40);
    }

    @Test
    void upsamplingLeavesNoImages() {
        // 24k -> 48k: a 5 kHz tone must not create an image at 24 - 5 = 19 kHz.
        short[] out = resample(24_000, 48_000, TestSignals.sine(24_000, 5000, 1.0, 12_000));
        double total = 0;
        double image = 0;
        int n = 4800;   // 0.1 s, whole periods of both 5 kHz and 19 kHz at 48 kHz
        for (int i = 9600; i < 9600 + n; i++) {
            double t = (double) i / 48_000;
            total += out[i] * Math.sin(2 * Math.PI * 5000 * t);
            image += out[i] * Math.sin(2 * Math.PI * 19_000 * t);
        }
        assertThat(20 * Math.log10(Math.abs(image) / Math.abs(total))).isLessThan(-60);
    }

    @Test
    void chunkingDoesNotChangeTheOutput() {
        short[] in = TestSignals.whiteNoise(3, 44_100, 3000);
        short[] whole = resample(44_100, 16_000, in);
        Resampler r = Resampler.create(44_100, 16_000);
        Random random = new Random(5);
        short[] joined = new short[0];
        int at = 0;
        while (at < in.length) {
            int n = Math.min(in.length - at, random.nextInt(700));
            short[] chunk = new short[n];
            System.arraycopy(in, at, chunk, 0, n);
            joined = TestSignals.concat(joined, r.process(chunk));
            at += n;
        }
        joined = TestSignals.concat(joined, r.flush());
        assertThat(joined).isEqualTo(whole);
        assertThat(r.outputLengthFor(in.length)).isEqualTo(whole.length);
    }

    @Test
    void outputIsTimeAligned() {
        // An impulse at input sample 4410 (0.1 s at 44.1 kHz) peaks at output sample 1600 (0.1 s at 16 kHz).
        short[] in = new short[44_100];
        in[4410] = 20_000;
        short[] out = resample(44_100, 16_000, in);
        int peak = 0;
        for (int i = 1; i < out.length; i++) {
            if (out[i] > out[peak]) {
                peak = i;
            }
        }
        assertThat(peak).isEqualTo(1600);
    }

    @Test
    void bytesAndDcAndIdentity() {
        short[] dc = new short[4800];
        java.util.Arrays.fill(dc, (short) 1234);
        short[] out = resample(48_000, 16_000, dc);
        for (int i = 100; i < out.length - 100; i++) {
            assertThat(out[i]).isEqualTo((short) 1234);
        }
        Resampler same = Resampler.create(16_000, 16_000);
        byte[] pcm = Pcm16.toBytes(new short[] {1, -2, 3});
        assertThat(same.process(pcm)).isEqualTo(pcm);
        assertThat(same.flush()).isEmpty();
        assertThat(same.latencySamples()).isZero();
        Resampler r = Resampler.create(24_000, 16_000);
        assertThat(r.toString()).contains("24000 -> 16000");
        assertThat(r.process(new byte[4800]).length % 2).isZero();
        assertThatThrownBy(() -> r.process(new byte[3])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Resampler.create(999, 16_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inRate");
    }

    @Test
    void clipsInsteadOfWrappingAround() {
        // A full-scale step overshoots by ~9 % (Gibbs); the output must saturate, not wrap to negative values.
        short[] step = new short[4800];
        java.util.Arrays.fill(step, 2400, 4800, Short.MAX_VALUE);
        short[] out = resample(48_000, 16_000, step);
        short max = 0;
        for (int i = 800; i < out.length - 40; i++) {
            assertThat(out[i]).as("sample %d after the step", i).isGreaterThan((short) 0);
            max = (short) Math.max(max, out[i]);
        }
        assertThat(max).isEqualTo(Short.MAX_VALUE);
    }
}
