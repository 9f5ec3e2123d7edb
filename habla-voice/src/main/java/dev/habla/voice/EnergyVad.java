package dev.habla.voice;

/**
 * A cheap fallback detector: the frame's RMS level against a fixed threshold, mapped to a probability.
 *
 * <p>It cannot tell speech from any other sound (a tone, noise, music, the assistant's own voice through the
 * speaker all count as "speech"), so use it only where {@link SileroVad} cannot run, or as a pre-gate. The
 * probability is a logistic curve of the level: 0.5 exactly at {@link #thresholdDbfs()}, about 0.12 at 4 dB
 * below and 0.88 at 4 dB above, so a {@link VadSegmenter} with its default thresholds gets a little hysteresis.
 *
 * <p>Stateless: {@link #reset()} and {@link #close()} do nothing. Thread-safe.
 */
public final class EnergyVad implements VoiceActivityDetector {

    /** Default threshold: quiet speech close to a laptop microphone is about -35 dBFS, room noise below -50. */
    public static final double DEFAULT_THRESHOLD_DBFS = -42;

    /** dB over which the probability goes from 0.5 to about 0.73 (the logistic curve's scale). */
    private static final double SLOPE_DB = 2.0;

    private final double thresholdDbfs;

    /** A detector with {@link #DEFAULT_THRESHOLD_DBFS}. */
    public EnergyVad() {
        this(DEFAULT_THRESHOLD_DBFS);
    }

    /** A detector whose probability is 0.5 at {@code thresholdDbfs} (RMS, dB relative to full scale). */
    public EnergyVad(double thresholdDbfs) {
        if (!(thresholdDbfs < 0) || thresholdDbfs < -120) {
            throw new IllegalArgumentException("thresholdDbfs must be in [-120, 0), was " + thresholdDbfs);
        }
        this.thresholdDbfs = thresholdDbfs;
    }

    public double thresholdDbfs() {
        return thresholdDbfs;
    }

    @Override
    public float speechProbability(short[] frame) {
        if (frame.length != FRAME_SAMPLES) {
            throw new IllegalArgumentException("EnergyVad needs frames of " + FRAME_SAMPLES + " samples, got "
                    + frame.length);
        }
        double level = Pcm16.dbfs(frame);
        if (level == Double.NEGATIVE_INFINITY) {
            return 0f;
        }
        return (float) (1 / (1 + Math.exp(-(level - thresholdDbfs) / SLOPE_DB)));
    }

    @Override
    public void reset() {
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "EnergyVad[threshold " + thresholdDbfs + " dBFS]";
    }
}
