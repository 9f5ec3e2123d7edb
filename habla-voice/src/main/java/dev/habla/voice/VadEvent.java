package dev.habla.voice;

import java.time.Duration;
import java.util.Arrays;

/**
 * A change in whether the user is speaking, as decided by a {@link VadSegmenter}.
 *
 * <p>All positions are sample indices in the segmenter's stream (0 = the first sample it was given), at
 * {@link #sampleRate()}. {@link #detectedSample()} is where the decision was made (the end of the frame that
 * settled it); {@code SpeechStarted.startSample()} and {@code SpeechStopped.endSample()} date the actual edges,
 * which lie earlier by the confirmation delay ({@code minSpeech}, {@code minSilence}).
 */
public sealed interface VadEvent {

    /** Sample index (exclusive end of the frame) at which the segmenter emitted this event. */
    long detectedSample();

    /** Sample rate the sample indices count in. */
    int sampleRate();

    /** {@link #detectedSample()} as audio time since the start of the stream. */
    default Duration detectedAt() {
        return toDuration(detectedSample(), sampleRate());
    }

    private static Duration toDuration(long sample, int rate) {
        return Duration.ofNanos(Math.multiplyExact(sample, 1_000_000_000L) / rate);
    }

    /**
     * The user started speaking.
     *
     * @param startSample    first sample of the first speech frame
     * @param detectedSample end of the frame that confirmed the start (at least {@code minSpeech} after the start)
     * @param preRoll        the audio from {@code max(0, startSample - preRoll)} up to {@code detectedSample}
     *                       (exclusive): everything the listener needs so that, together with the audio from
     *                       {@code detectedSample} on, no part of the utterance is lost. Its first sample is at
     *                       {@code detectedSample - preRoll.length}
     */
    record SpeechStarted(long startSample, long detectedSample, int sampleRate, short[] preRoll) implements VadEvent {

        /** {@link #startSample()} as audio time. */
        public Duration start() {
            return toDuration(startSample, sampleRate);
        }

        /** Length of {@link #preRoll()} as audio time. */
        public Duration preRollDuration() {
            return toDuration(preRoll.length, sampleRate);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SpeechStarted s && s.startSample == startSample && s.detectedSample == detectedSample
                    && s.sampleRate == sampleRate && Arrays.equals(s.preRoll, preRoll);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(startSample) * 31 + Long.hashCode(detectedSample) + Arrays.hashCode(preRoll);
        }

        @Override
        public String toString() {
            return "SpeechStarted[start=" + start().toMillis() + " ms, detected=" + detectedAt().toMillis()
                    + " ms, preRoll=" + preRoll.length + " samples]";
        }
    }

    /**
     * The user stopped speaking.
     *
     * @param startSample    the {@link SpeechStarted#startSample()} of this utterance
     * @param endSample      first sample of the silence that ended it (exclusive end of the speech)
     * @param detectedSample end of the frame that completed {@code minSilence}, or the stream position if the
     *                       stop was forced by {@link VadSegmenter#finish()}
     */
    record SpeechStopped(long startSample, long endSample, long detectedSample, int sampleRate) implements VadEvent {

        /** {@link #endSample()} as audio time. */
        public Duration end() {
            return toDuration(endSample, sampleRate);
        }

        /** How long the utterance lasted, start to end. */
        public Duration speech() {
            return toDuration(endSample - startSample, sampleRate);
        }

        @Override
        public String toString() {
            return "SpeechStopped[end=" + end().toMillis() + " ms, speech=" + speech().toMillis() + " ms, detected="
                    + detectedAt().toMillis() + " ms]";
        }
    }
}
