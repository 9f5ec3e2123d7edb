package dev.habla.voice;

/**
 * Estimates, frame by frame, how likely a stretch of microphone audio is speech.
 *
 * <p>A detector works on fixed-size frames of mono 16-bit PCM at {@link #sampleRate()} ({@link #frameSamples()}
 * samples each; 512 at 16 kHz = 32 ms for both implementations here). Detectors are <b>stateful</b>: a recurrent
 * model such as Silero carries context from frame to frame, so frames must be fed in order, without gaps, and
 * {@link #reset()} must be called when the stream is interrupted (new microphone, new conversation).
 *
 * <p>Raw probabilities flicker; turn them into speech start/stop events with a {@link VadSegmenter}.
 *
 * <p>Thread-safety: none. One detector belongs to one audio stream and is called from that stream's thread (the
 * mic pump). Create one detector per stream.
 */
public interface VoiceActivityDetector extends AutoCloseable {

    /** The sample rate both implementations expect. */
    int SAMPLE_RATE = 16_000;

    /** Samples per frame at {@link #SAMPLE_RATE}: 512 = 32 ms, the size Silero v5 was trained on. */
    int FRAME_SAMPLES = 512;

    /**
     * The probability, 0 to 1, that {@code frame} is speech.
     *
     * @param frame exactly {@link #frameSamples()} samples at {@link #sampleRate()}
     * @throws IllegalArgumentException if the frame has the wrong length
     * @throws IllegalStateException    if the detector is closed
     * @throws VadException             if the model fails
     */
    float speechProbability(short[] frame);

    /** Samples per frame that {@link #speechProbability} accepts. */
    default int frameSamples() {
        return FRAME_SAMPLES;
    }

    /** Sample rate of the frames, in Hz. */
    default int sampleRate() {
        return SAMPLE_RATE;
    }

    /** Forgets all context carried from earlier frames, as if freshly created. */
    void reset();

    /** Releases native resources. Idempotent; later calls to {@link #speechProbability} throw. */
    @Override
    void close();
}
