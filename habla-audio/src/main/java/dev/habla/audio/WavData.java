package dev.habla.audio;

import java.time.Duration;
import java.util.Arrays;

/**
 * The whole content of a WAV file: its format and its PCM bytes.
 *
 * <p>Equality compares the bytes; {@link #toString()} prints the size, never the bytes.
 */
public record WavData(AudioFormat format, byte[] pcm) {

    public WavData {
        java.util.Objects.requireNonNull(format, "format");
        java.util.Objects.requireNonNull(pcm, "pcm");
    }

    public Duration duration() {
        return format.durationOf(pcm.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WavData other && format.equals(other.format) && Arrays.equals(pcm, other.pcm);
    }

    @Override
    public int hashCode() {
        return 31 * format.hashCode() + Arrays.hashCode(pcm);
    }

    @Override
    public String toString() {
        return "WavData[" + format + ", " + pcm.length + " bytes]";
    }
}
