package dev.habla.voice;

import java.util.Arrays;
import java.util.Objects;

/**
 * Streaming, band-limited sample-rate converter for mono 16-bit PCM: a polyphase windowed-sinc FIR.
 *
 * <p>Converts between any two rates (e.g. 48000→16000 for a microphone, 24000→48000 or 24000→44100 for a speaker)
 * by the exact rational ratio {@code L/M = out/in} (reduced by their gcd). Each output sample is the sum of
 * {@code 2H} input samples weighted by a Kaiser-windowed sinc ({@value #ZERO_CROSSINGS} zero crossings per side,
 * beta {@value #KAISER_BETA}) whose cutoff is {@value #ROLLOFF} × the lower of the two Nyquist frequencies. That
 * gives about 80 dB of stopband attenuation (anything above the output Nyquist is removed before it can alias when
 * downsampling; images are removed when upsampling) and a flat passband up to about 80 % of the lower Nyquist
 * (6.4 kHz at 16 kHz). For ratios with few phases (all the usual ones: 160 for 44.1k→16k) the coefficients of every
 * phase are precomputed; otherwise they are interpolated from a finely sampled kernel.
 *
 * <p>Streaming: {@link #process} may be called with chunks of any size; the filter history is carried across
 * calls, so chunking never changes the output. The output is time-aligned with the input (output sample
 * {@code n} is the signal at time {@code n / outRate}), which costs {@link #latencySamples()} input samples of
 * look-ahead: the newest output lags the newest input by that much until {@link #flush()} pads the end with
 * silence and emits the rest. After all input and a flush, exactly {@code ceil(inputSamples × out / in)} samples
 * have come out.
 *
 * <p>Cost: {@code 2H} multiply-adds per output sample, where {@code H ≈ 24 / (0.9 × min(in,out)/in)}: 148 taps
 * for 44.1k→16k, 54 for 24k→48k. Thread-safety: none; one resampler per stream.
 */
public final class Resampler {

    /** Zero crossings of the sinc on each side of the centre: sets the transition band (~11 % of the cutoff). */
    static final int ZERO_CROSSINGS = 24;
    /** Kaiser window shape: about 80 dB of stopband attenuation. */
    static final double KAISER_BETA = 8.0;
    /** Cutoff as a fraction of the lower Nyquist frequency, so the transition band ends near that Nyquist. */
    static final double ROLLOFF = 0.9;

    /** Above this many table entries (phases × taps) the kernel is interpolated instead of tabulated per phase. */
    private static final int MAX_TABLE_ENTRIES = 1 << 20;
    /** Kernel samples per input sample in interpolated mode. */
    private static final int OVERSAMPLE = 512;

    private final int inRate;
    private final int outRate;
    /** Output samples per {@link #m} input samples. */
    private final int l;
    private final int m;
    /** Half-width of the kernel in input samples; taps per output = 2h. */
    private final int h;
    /** Per-phase coefficients (table mode), or null. */
    private final float[][] phases;
    /** Finely sampled kernel over [-h, h] (interpolated mode), or null. */
    private final float[] kernel;
    private final boolean identity;

    /** Input samples from absolute index {@link #bufStart}; holds the filter history plus unconsumed input. */
    private float[] buf;
    private long bufStart;
    private int bufLength;
    /** Next output's centre: input index {@code ipos + phase / l}. */
    private long ipos;
    private long phase;
    private long inputCount;
    private long outputCount;

    private Resampler(int inRate, int outRate) {
        this.inRate = inRate;
        this.outRate = outRate;
        int g = gcd(inRate, outRate);
        this.l = outRate / g;
        this.m = inRate / g;
        this.identity = inRate == outRate;
        double cutoff = ROLLOFF * Math.min(inRate, outRate) / inRate;   // in cycles per input sample × 2
        this.h = identity ? 0 : (int) Math.ceil(ZERO_CROSSINGS / cutoff);
        if (identity) {
            phases = null;
            kernel = null;
        } else if ((long) l * 2 * h <= MAX_TABLE_ENTRIES) {
            phases = new float[l][2 * h];
            for (int p = 0; p < l; p++) {
                double sum = 0;
                for (int k = 0; k < 2 * h; k++) {
                    double d = (double) p / l + h - 1 - k;
                    double v = kernelValue(d, cutoff, h);
                    phases[p][k] = (float) v;
                    sum += v;
                }
                // Unity gain at DC for every phase, so a constant input stays exactly constant.
                for (int k = 0; k < 2 * h; k++) {
                    phases[p][k] = (float) (phases[p][k] / sum);
                }
            }
            kernel = null;
        } else {
            phases = null;
            kernel = new float[2 * h * OVERSAMPLE + 2];
            for (int i = 0; i < kernel.length; i++) {
                kernel[i] = (float) kernelValue((double) i / OVERSAMPLE - h, cutoff, h);
            }
        }
        reset();
    }

    /**
     * A resampler from {@code inRate} to {@code outRate} Hz.
     *
     * @throws IllegalArgumentException unless both rates are in 1000..768000 Hz
     */
    public static Resampler create(int inRate, int outRate) {
        checkRate("inRate", inRate);
        checkRate("outRate", outRate);
        return new Resampler(inRate, outRate);
    }

    public int inputRate() {
        return inRate;
    }

    public int outputRate() {
        return outRate;
    }

    /** Input samples of look-ahead the filter needs before an output can be computed (0 for equal rates). */
    public int latencySamples() {
        return h;
    }

    /** How many output samples {@code inputSamples} of input produce in total, after {@link #flush()}. */
    public long outputLengthFor(long inputSamples) {
        return ceilDiv(Math.multiplyExact(inputSamples, (long) l), m);
    }

    /** Converts a chunk of little-endian PCM16 bytes (even length); returns the output produced so far. */
    public byte[] process(byte[] pcm) {
        return Pcm16.toBytes(process(Pcm16.toShorts(pcm)));
    }

    /** Converts a chunk of samples; returns the output samples that became computable (possibly none). */
    public short[] process(short[] samples) {
        return process(samples, 0, samples.length);
    }

    /** Converts {@code length} samples from {@code offset}; returns the output samples that became computable. */
    public short[] process(short[] samples, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, samples.length);
        inputCount += length;
        if (identity) {
            outputCount += length;
            return Arrays.copyOfRange(samples, offset, offset + length);
        }
        append(samples, offset, length);
        return drain(Long.MAX_VALUE);
    }

    /**
     * Ends the stream: pads the input with silence, returns the remaining output (so the total is exactly
     * {@link #outputLengthFor} the input), and resets for a new stream.
     */
    public short[] flush() {
        short[] out;
        if (identity) {
            out = new short[0];
        } else {
            append(new short[h + 1], 0, h + 1);
            out = drain(outputLengthFor(inputCount));
        }
        reset();
        return out;
    }

    /** Forgets the history and counters, as if newly created. */
    public void reset() {
        // Before the first sample the signal is silence: h - 1 zeros at indices -(h-1)..-1 feed the first output.
        int history = Math.max(0, h - 1);
        buf = new float[Math.max(1024, 4 * h + 64)];
        bufStart = -history;
        bufLength = history;
        ipos = 0;
        phase = 0;
        inputCount = 0;
        outputCount = 0;
    }

    @Override
    public String toString() {
        return "Resampler[" + inRate + " -> " + outRate + " Hz, " + (2 * h) + " taps, " + l + "/" + m
                + (phases != null ? ", tabulated" : identity ? ", identity" : ", interpolated") + "]";
    }

    private void append(short[] samples, int offset, int length) {
        // Drop what no future output needs: the next output reads from ipos - h + 1.
        long keepFrom = ipos - h + 1;
        int drop = (int) Math.max(0, Math.min(bufLength, keepFrom - bufStart));
        if (drop > 0) {
            System.arraycopy(buf, drop, buf, 0, bufLength - drop);
            bufStart += drop;
            bufLength -= drop;
        }
        if (bufLength + length > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, bufLength + length));
        }
        for (int i = 0; i < length; i++) {
            buf[bufLength + i] = samples[offset + i];
        }
        bufLength += length;
    }

    /** Computes outputs while their input is available, up to a total of {@code limit} outputs. */
    private short[] drain(long limit) {
        long available = bufStart + bufLength;   // one past the newest input index held
        // Output n needs inputs up to ipos(n) + h. Count how many outputs are computable before allocating.
        long count = 0;
        long ip = ipos;
        long ph = phase;
        while (ip + h < available && outputCount + count < limit) {
            count++;
            ph += m;
            ip += ph / l;
            ph %= l;
        }
        short[] out = new short[(int) count];
        for (int n = 0; n < count; n++) {
            int base = (int) (ipos - h + 1 - bufStart);
            double acc = 0;
            if (phases != null) {
                // Four partial sums: independent additions pipeline, about twice as fast as one running sum.
                float[] c = phases[(int) phase];
                float a0 = 0;
                float a1 = 0;
                float a2 = 0;
                float a3 = 0;
                int k = 0;
                for (int end = c.length - 3; k < end; k += 4) {
                    a0 += buf[base + k] * c[k];
                    a1 += buf[base + k + 1] * c[k + 1];
                    a2 += buf[base + k + 2] * c[k + 2];
                    a3 += buf[base + k + 3] * c[k + 3];
                }
                for (; k < c.length; k++) {
                    a0 += buf[base + k] * c[k];
                }
                acc = (double) a0 + a1 + a2 + a3;
            } else {
                // d(k) = phase/l + h - 1 - k; kernel index = (d + h) * OVERSAMPLE.
                double sum = 0;
                double x0 = ((double) phase / l + 2 * h - 1) * OVERSAMPLE;
                for (int k = 0; k < 2 * h; k++) {
                    double x = x0 - (double) k * OVERSAMPLE;
                    int i = (int) x;
                    double f = x - i;
                    double c = kernel[i] + (kernel[i + 1] - kernel[i]) * f;
                    acc += buf[base + k] * c;
                    sum += c;
                }
                acc /= sum;
            }
            out[n] = Pcm16.clip(acc);
            phase += m;
            ipos += phase / l;
            phase %= l;
        }
        outputCount += count;
        return out;
    }

    /** Kaiser-windowed sinc with cutoff {@code c} (fraction of the input Nyquist), half-width {@code h}. */
    private static double kernelValue(double d, double c, int h) {
        if (Math.abs(d) >= h) {
            return 0;
        }
        double x = d / h;
        double w = besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / besselI0(KAISER_BETA);
        double arg = Math.PI * c * d;
        double sinc = d == 0 ? 1 : Math.sin(arg) / arg;
        return c * sinc * w;
    }

    /** Modified Bessel function of the first kind, order 0 (power series; converges fast for the betas used). */
    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double half = x / 2;
        for (int k = 1; k < 64; k++) {
            term *= (half / k) * (half / k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static void checkRate(String name, int rate) {
        if (rate < 1000 || rate > 768_000) {
            throw new IllegalArgumentException(name + " must be 1000..768000 Hz, was " + rate);
        }
    }
}
