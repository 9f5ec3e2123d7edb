package dev.habla.assistant.internal;

import dev.habla.audio.AudioFormat;
import dev.habla.audio.PcmChunk;
import dev.habla.voice.Resampler;

/**
 * Turns microphone chunks in whatever format the device captures (48 kHz stereo, 44.1 kHz mono...) into 16 kHz
 * mono samples: channels averaged, then a band-limited {@link Resampler} (never sample dropping). A 16 kHz mono
 * source passes through untouched.
 *
 * <p>habla-audio cannot do this itself: habla-voice (the resampler) depends on habla-audio. Not thread-safe; the mic
 * pump owns it.
 */
public final class MicConverter {

    private final AudioFormat in;
    private final int outRate;
    private final Resampler resampler;

    public MicConverter(AudioFormat in, int outRate) {
        this.in = in;
        this.outRate = outRate;
        this.resampler = in.sampleRate() == outRate ? null : Resampler.create(in.sampleRate(), outRate);
    }

    /** Whether chunks need any work. */
    public boolean identity() {
        return resampler == null && in.channels() == 1;
    }

    /**
     * Delay the conversion adds, in output-clock nanoseconds: the first sample returned for a chunk is the signal
     * at {@code captureNanos - latencyNanos()}.
     */
    public long latencyNanos() {
        return resampler == null ? 0 : resampler.latencySamples() * 1_000_000_000L / in.sampleRate();
    }

    /** The chunk as 16 kHz (output-rate) mono samples; may be empty while the resampler fills its history. */
    public short[] convert(PcmChunk chunk) {
        if (!chunk.format().equals(in)) {
            throw new IllegalArgumentException("chunk format " + chunk.format() + " differs from the source's " + in);
        }
        byte[] pcm = chunk.pcm();
        int channels = in.channels();
        int frames = pcm.length / in.bytesPerFrame();
        short[] mono = new short[frames];
        for (int f = 0; f < frames; f++) {
            int sum = 0;
            for (int c = 0; c < channels; c++) {
                int at = (f * channels + c) * 2;
                sum += (short) ((pcm[at] & 0xff) | (pcm[at + 1] << 8));
            }
            mono[f] = (short) (sum / channels);
        }
        return resampler == null ? mono : resampler.process(mono);
    }

    public int outputRate() {
        return outRate;
    }
}
