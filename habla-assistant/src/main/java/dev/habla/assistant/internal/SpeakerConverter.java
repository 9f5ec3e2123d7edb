package dev.habla.assistant.internal;

import dev.habla.audio.AudioFormat;
import dev.habla.voice.Pcm16;
import dev.habla.voice.Resampler;

/**
 * Turns model audio (24 kHz mono PCM16) into the speaker's format: a band-limited {@link Resampler} to the device
 * rate, then the mono signal copied to every channel. Passes 24 kHz mono through untouched. Not thread-safe; the
 * speaker pump owns it (under the loop's speaker lock).
 */
public final class SpeakerConverter {

    private final int inRate;
    private final AudioFormat out;
    private final Resampler resampler;

    public SpeakerConverter(int inRate, AudioFormat out) {
        this.inRate = inRate;
        this.out = out;
        this.resampler = inRate == out.sampleRate() ? null : Resampler.create(inRate, out.sampleRate());
    }

    public boolean identity() {
        return resampler == null && out.channels() == 1;
    }

    /** {@code length} bytes of mono PCM16 at the input rate, in the output format (may be empty). */
    public byte[] convert(byte[] pcm, int length) {
        if (identity()) {
            return java.util.Arrays.copyOf(pcm, length);
        }
        short[] mono = Pcm16.toShorts(pcm, 0, length);
        return expand(resampler == null ? mono : resampler.process(mono));
    }

    /** What the resampler still holds (end of a turn), in the output format; empty when there is nothing. */
    public byte[] drainTail() {
        if (resampler == null) {
            return new byte[0];
        }
        short[] tail = resampler.flush();
        return expand(tail);
    }

    /** Forgets the resampler's history (after a flush: the next audio is unrelated to the last). */
    public void reset() {
        if (resampler != null) {
            resampler.reset();
        }
    }

    private byte[] expand(short[] mono) {
        int channels = out.channels();
        byte[] b = new byte[mono.length * 2 * channels];
        int at = 0;
        for (short s : mono) {
            for (int c = 0; c < channels; c++) {
                b[at++] = (byte) s;
                b[at++] = (byte) (s >> 8);
            }
        }
        return b;
    }

    public int inputRate() {
        return inRate;
    }
}
