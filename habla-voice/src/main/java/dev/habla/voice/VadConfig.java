package dev.habla.voice;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a {@link VadSegmenter} turns per-frame speech probabilities into speech start and stop events.
 *
 * <p>Create with {@link #create(Consumer)}, e.g. {@code VadConfig.create(c -> c.minSilence(Duration.ofMillis(800)))};
 * unset fields keep the defaults below. All durations are <b>audio</b> time, converted to sample counts at
 * {@link #sampleRate()}; the segmenter never reads a clock.
 *
 * @param startThreshold probability at or above which a frame can start speech (and cancels a pending stop)
 * @param endThreshold   probability below which a frame counts as silence; must be {@code <= startThreshold}. The
 *                       gap between the two is the hysteresis: frames in between continue whatever is going on
 * @param minSpeech      speech must last this long (frames at or above {@code endThreshold} after a frame at or
 *                       above {@code startThreshold}) before {@link VadEvent.SpeechStarted} is emitted; shorter
 *                       blips (a cough, a click) produce no events
 * @param minSilence     the hangover: speech ends only after this much continuous silence
 * @param preRoll        audio kept from before the detected start and handed over with
 *                       {@link VadEvent.SpeechStarted#preRoll()}, so the first syllable is not cut
 * @param sampleRate     sample rate of the frames, Hz
 */
public record VadConfig(float startThreshold, float endThreshold, Duration minSpeech, Duration minSilence,
                        Duration preRoll, int sampleRate) {

    /** Silero's own default threshold. */
    public static final float DEFAULT_START_THRESHOLD = 0.5f;
    /** Silero's streaming iterator ends speech 0.15 below the start threshold. */
    public static final float DEFAULT_END_THRESHOLD = 0.35f;
    /** Four 32 ms frames: short enough for "yes"/"no" and a quick barge-in, long enough to ignore clicks. */
    public static final Duration DEFAULT_MIN_SPEECH = Duration.ofMillis(128);
    /** Half a second of silence ends a turn: shorter cuts people off mid-sentence, longer feels sluggish. */
    public static final Duration DEFAULT_MIN_SILENCE = Duration.ofMillis(500);
    /** Half a second of pre-roll covers a soft onset plus {@link #DEFAULT_MIN_SPEECH} with room to spare. */
    public static final Duration DEFAULT_PRE_ROLL = Duration.ofMillis(500);

    /** All defaults, 16 kHz. */
    public static final VadConfig DEFAULTS = new VadConfig(DEFAULT_START_THRESHOLD, DEFAULT_END_THRESHOLD,
            DEFAULT_MIN_SPEECH, DEFAULT_MIN_SILENCE, DEFAULT_PRE_ROLL, VoiceActivityDetector.SAMPLE_RATE);

    public VadConfig {
        Objects.requireNonNull(minSpeech, "minSpeech");
        Objects.requireNonNull(minSilence, "minSilence");
        Objects.requireNonNull(preRoll, "preRoll");
        if (!(startThreshold > 0 && startThreshold < 1)) {
            throw new IllegalArgumentException("startThreshold must be in (0, 1), was " + startThreshold);
        }
        if (!(endThreshold > 0 && endThreshold <= startThreshold)) {
            throw new IllegalArgumentException("endThreshold must be in (0, startThreshold=" + startThreshold
                    + "], was " + endThreshold);
        }
        if (minSpeech.isNegative() || minSilence.isNegative() || preRoll.isNegative()) {
            throw new IllegalArgumentException("durations must be >= 0, were minSpeech=" + minSpeech + ", minSilence="
                    + minSilence + ", preRoll=" + preRoll);
        }
        if (preRoll.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("preRoll must be <= 10 s, was " + preRoll);
        }
        if (sampleRate < 1000 || sampleRate > 192_000) {
            throw new IllegalArgumentException("sampleRate must be 1000..192000 Hz, was " + sampleRate);
        }
    }

    /** The defaults with {@code customizer}'s changes applied. */
    public static VadConfig create(Consumer<Builder> customizer) {
        Builder b = new Builder();
        customizer.accept(b);
        return b.build();
    }

    /** {@link #minSpeech()} in samples. */
    public long minSpeechSamples() {
        return samples(minSpeech);
    }

    /** {@link #minSilence()} in samples. */
    public long minSilenceSamples() {
        return samples(minSilence);
    }

    /** {@link #preRoll()} in samples. */
    public int preRollSamples() {
        return (int) samples(preRoll);
    }

    private long samples(Duration d) {
        return d.toNanos() * sampleRate / 1_000_000_000L;
    }

    /** Mutable builder; see the record components for the meaning of each field. */
    public static final class Builder {
        private float startThreshold = DEFAULT_START_THRESHOLD;
        private float endThreshold = DEFAULT_END_THRESHOLD;
        private Duration minSpeech = DEFAULT_MIN_SPEECH;
        private Duration minSilence = DEFAULT_MIN_SILENCE;
        private Duration preRoll = DEFAULT_PRE_ROLL;
        private int sampleRate = VoiceActivityDetector.SAMPLE_RATE;

        private Builder() {
        }

        public Builder startThreshold(float v) {
            startThreshold = v;
            return this;
        }

        public Builder endThreshold(float v) {
            endThreshold = v;
            return this;
        }

        public Builder minSpeech(Duration v) {
            minSpeech = v;
            return this;
        }

        public Builder minSilence(Duration v) {
            minSilence = v;
            return this;
        }

        public Builder preRoll(Duration v) {
            preRoll = v;
            return this;
        }

        public Builder sampleRate(int v) {
            sampleRate = v;
            return this;
        }

        public VadConfig build() {
            return new VadConfig(startThreshold, endThreshold, minSpeech, minSilence, preRoll, sampleRate);
        }
    }
}
