package dev.habla.audio;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * One piece of captured PCM, as an {@link AudioSource} delivers it.
 *
 * @param sequence     0 for the first chunk of a source, then 1, 2, ...; a gap means chunks were lost
 * @param captureNanos when the first sample was captured, on the {@link System#nanoTime()} clock (for a file
 *                     source: when it would have been captured, had the file been spoken in real time from
 *                     the moment the source was opened)
 * @param format       the PCM format of {@code pcm}
 * @param pcm          whole frames of {@code format}; owned by the chunk (sources never reuse the array)
 */
public record PcmChunk(long sequence, long captureNanos, AudioFormat format, byte[] pcm) {

    public PcmChunk {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(pcm, "pcm");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
        if (pcm.length % format.bytesPerFrame() != 0) {
            throw new IllegalArgumentException("pcm must hold whole " + format.bytesPerFrame() + "-byte frames of "
                    + format + ", got " + pcm.length + " bytes");
        }
    }

    /** Frames (samples per channel) in this chunk. */
    public int frames() {
        return pcm.length / format.bytesPerFrame();
    }

    /** Play time of this chunk. */
    public Duration duration() {
        return format.durationOf(pcm.length);
    }

    /** When the sample after the last one was (or will be) captured. */
    public long endNanos() {
        return captureNanos + duration().toNanos();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PcmChunk c && c.sequence == sequence && c.captureNanos == captureNanos
                && c.format.equals(format) && Arrays.equals(c.pcm, pcm);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, captureNanos, format) * 31 + Arrays.hashCode(pcm);
    }

    @Override
    public String toString() {
        return "PcmChunk[#" + sequence + ", " + pcm.length + " bytes, " + format + "]";
    }
}
