package dev.habla.audio;

import java.time.Duration;

/**
 * A raw PCM format: signed 16-bit little-endian samples, interleaved when {@code channels > 1}.
 *
 * <p>This is the only sample encoding the Live API speaks (16 kHz mono in, 24 kHz mono out), so the bit depth and
 * byte order are fixed rather than carried as fields.
 *
 * @param sampleRate frames per second, 1 Hz to 768 kHz
 * @param channels   1 to 16
 */
public record AudioFormat(int sampleRate, int channels) {

    /** Bits per sample; fixed. */
    public static final int BITS_PER_SAMPLE = 16;

    /** What the Live API expects from the microphone: 16 kHz mono. */
    public static final AudioFormat PCM_16K_MONO = new AudioFormat(16_000, 1);

    /** What the Live API sends back: 24 kHz mono. */
    public static final AudioFormat PCM_24K_MONO = new AudioFormat(24_000, 1);

    public AudioFormat {
        if (sampleRate < 1 || sampleRate > 768_000) {
            throw new IllegalArgumentException("sampleRate must be 1..768000 Hz, was " + sampleRate);
        }
        if (channels < 1 || channels > 16) {
            throw new IllegalArgumentException("channels must be 1..16, was " + channels);
        }
    }

    /** A mono format at {@code sampleRate}. */
    public static AudioFormat mono(int sampleRate) {
        return new AudioFormat(sampleRate, 1);
    }

    /** Bytes in one frame (one sample for every channel). */
    public int bytesPerFrame() {
        return channels * (BITS_PER_SAMPLE / 8);
    }

    /** Bytes per second of audio. */
    public int bytesPerSecond() {
        return sampleRate * bytesPerFrame();
    }

    /** How long {@code bytes} of PCM in this format play for (whole frames; a trailing partial frame is ignored). */
    public Duration durationOf(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
        }
        long frames = bytes / bytesPerFrame();
        return Duration.ofNanos(Math.multiplyExact(frames, 1_000_000_000L) / sampleRate);
    }

    /** The number of bytes that {@code duration} of audio takes, rounded down to whole frames. */
    public long bytesFor(Duration duration) {
        long frames = duration.toNanos() * sampleRate / 1_000_000_000L;
        return frames * bytesPerFrame();
    }

    /** The equivalent Java Sound format. */
    public javax.sound.sampled.AudioFormat toJavaSound() {
        return new javax.sound.sampled.AudioFormat(sampleRate, BITS_PER_SAMPLE, channels, true, false);
    }

    /** The Live API MIME type for this format, e.g. {@code audio/pcm;rate=16000} (mono only on the wire). */
    public String mimeType() {
        return "audio/pcm;rate=" + sampleRate;
    }

    @Override
    public String toString() {
        return sampleRate + " Hz, 16-bit, " + (channels == 1 ? "mono" : channels == 2 ? "stereo" : channels + " channels");
    }
}
