package dev.habla.voice;

import java.util.Objects;

/**
 * Conversions and measurements for signed 16-bit little-endian mono PCM, the only sample encoding in the voice loop.
 *
 * <p>Everything in this package works on {@code short[]} samples; the network and devices hand over {@code byte[]}.
 * These helpers convert between the two without intermediate buffers. All methods are pure and thread-safe.
 */
public final class Pcm16 {

    /** Full-scale amplitude of a 16-bit sample, the 0 dBFS reference of {@link #dbfs}. */
    public static final double FULL_SCALE = 32768.0;

    private Pcm16() {
    }

    /** Decodes little-endian PCM16 bytes into samples. The length must be even. */
    public static short[] toShorts(byte[] pcm) {
        return toShorts(pcm, 0, pcm.length);
    }

    /** Decodes {@code length} little-endian PCM16 bytes from {@code offset}. The length must be even. */
    public static short[] toShorts(byte[] pcm, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, pcm.length);
        if ((length & 1) != 0) {
            throw new IllegalArgumentException("PCM16 needs an even number of bytes, got " + length);
        }
        short[] out = new short[length / 2];
        for (int i = 0, b = offset; i < out.length; i++, b += 2) {
            out[i] = (short) ((pcm[b] & 0xFF) | (pcm[b + 1] << 8));
        }
        return out;
    }

    /** Encodes samples as little-endian PCM16 bytes. */
    public static byte[] toBytes(short[] samples) {
        return toBytes(samples, 0, samples.length);
    }

    /** Encodes {@code length} samples from {@code offset} as little-endian PCM16 bytes. */
    public static byte[] toBytes(short[] samples, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, samples.length);
        byte[] out = new byte[length * 2];
        for (int i = 0, b = 0; i < length; i++, b += 2) {
            short s = samples[offset + i];
            out[b] = (byte) s;
            out[b + 1] = (byte) (s >> 8);
        }
        return out;
    }

    /** Sum of squared samples (in sample units squared); 0 for an empty array. */
    public static double energy(short[] samples, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, samples.length);
        double sum = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            double s = samples[i];
            sum += s * s;
        }
        return sum;
    }

    /** Root-mean-square amplitude in sample units; 0 for an empty array. */
    public static double rms(short[] samples) {
        return samples.length == 0 ? 0 : Math.sqrt(energy(samples, 0, samples.length) / samples.length);
    }

    /**
     * RMS level in dB relative to full scale; a full-scale square wave is 0 dBFS, a full-scale sine about -3 dBFS.
     * Digital silence returns {@link Double#NEGATIVE_INFINITY}.
     */
    public static double dbfs(short[] samples) {
        return 20 * Math.log10(rms(samples) / FULL_SCALE);
    }

    /** Rounds and clips a float sample to the 16-bit range. */
    public static short clip(double sample) {
        long r = Math.round(sample);
        return (short) (r > Short.MAX_VALUE ? Short.MAX_VALUE : r < Short.MIN_VALUE ? Short.MIN_VALUE : r);
    }
}
