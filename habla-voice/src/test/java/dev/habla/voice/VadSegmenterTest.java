package dev.habla.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The segmenter's state machine on hand-made probability sequences: all positions are exact sample counts. */
class VadSegmenterTest {

    static final int F = 512;

    /** Feeds one frame per probability; each frame's samples hold its frame index, so the pre-roll is checkable. */
    static List<VadEvent> feed(VadSegmenter s, double... probabilities) {
        List<VadEvent> out = new ArrayList<>();
        for (double p : probabilities) {
            short index = (short) (s.position() / F);
            short[] frame = new short[F];
            java.util.Arrays.fill(frame, index);
            s.accept(frame, (float) p).ifPresent(out::add);
        }
        return out;
    }

    static double[] repeat(double p, int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, p);
        return a;
    }

    @Test
    void startsAfterMinSpeechWithPreRollAndStopsAfterMinSilence() {
        // 128 ms min speech = 4 frames, 500 ms min silence = 15.6 -> 16 frames, 500 ms pre-roll = 8000 samples.
        VadSegmenter s = new VadSegmenter();
        assertThat(feed(s, repeat(0.1, 20))).isEmpty();
        List<VadEvent> started = feed(s, 0.9, 0.8, 0.7);
        assertThat(started).isEmpty();
        assertThat(s.isSpeaking()).isFalse();
        started = feed(s, 0.9);
        assertThat(started).hasSize(1);
        VadEvent.SpeechStarted start = (VadEvent.SpeechStarted) started.get(0);
        assertThat(start.startSample()).isEqualTo(20L * F);
        assertThat(start.detectedSample()).isEqualTo(24L * F);
        assertThat(start.start()).isEqualTo(Duration.ofMillis(640));
        assertThat(start.preRoll()).hasSize(8000 + 4 * F);
        // The pre-roll's first sample is 8000 samples before the start: inside frame (20*512 - 8000) / 512 = 4.
        assertThat(start.preRoll()[0]).isEqualTo((short) 4);
        assertThat(start.preRoll()[start.preRoll().length - 1]).isEqualTo((short) 23);
        assertThat(s.isSpeaking()).isTrue();

        // Silence shorter than 500 ms does not end the utterance; a frame >= start threshold resets it.
        assertThat(feed(s, repeat(0.1, 15))).isEmpty();
        assertThat(feed(s, 0.9)).isEmpty();
        // Between the thresholds neither starts nor cancels a pending stop.
        assertThat(feed(s, 0.4, 0.45)).isEmpty();
        List<VadEvent> stopped = feed(s, repeat(0.2, 16));
        assertThat(stopped).hasSize(1);
        VadEvent.SpeechStopped stop = (VadEvent.SpeechStopped) stopped.get(0);
        // Frames so far: 24 + 15 + 1 = 40 speech-ish, 2 in-between (no pending stop yet), then silence from 42.
        assertThat(stop.endSample()).isEqualTo(42L * F);
        assertThat(stop.detectedSample()).isEqualTo(58L * F);
        assertThat(stop.startSample()).isEqualTo(20L * F);
        assertThat(stop.speech()).isEqualTo(Duration.ofMillis(22 * 32));
        assertThat(s.isSpeaking()).isFalse();
    }

    @Test
    void blipsShorterThanMinSpeechAreIgnored() {
        VadSegmenter s = new VadSegmenter();
        assertThat(feed(s, 0.1, 0.95, 0.9, 0.9, 0.2, 0.1, 0.99, 0.2, 0.1)).isEmpty();
        // A dip below the end threshold cancels the candidate; speech must then last 4 frames again.
        assertThat(feed(s, 0.9, 0.9, 0.3, 0.9, 0.9, 0.9)).isEmpty();
        assertThat(feed(s, 0.9)).hasSize(1);
    }

    @Test
    void preRollIsLimitedByTheStartOfTheStream() {
        VadSegmenter s = new VadSegmenter();
        List<VadEvent> e = feed(s, 0.1, 0.9, 0.9, 0.9, 0.9);
        VadEvent.SpeechStarted start = (VadEvent.SpeechStarted) e.get(0);
        assertThat(start.startSample()).isEqualTo(F);
        assertThat(start.preRoll()).hasSize(5 * F);
        assertThat(start.preRollDuration()).isEqualTo(Duration.ofMillis(160));
    }

    @Test
    void finishEndsAnUtteranceInProgressAndResets() {
        VadSegmenter s = new VadSegmenter();
        feed(s, repeat(0.9, 10));
        feed(s, 0.1, 0.1);
        Optional<VadEvent> end = s.finish();
        assertThat(end).containsInstanceOf(VadEvent.SpeechStopped.class);
        VadEvent.SpeechStopped stop = (VadEvent.SpeechStopped) end.orElseThrow();
        assertThat(stop.endSample()).isEqualTo(10L * F);
        assertThat(stop.detectedSample()).isEqualTo(12L * F);
        assertThat(s.position()).isZero();
        assertThat(s.isSpeaking()).isFalse();
        assertThat(s.finish()).isEmpty();
    }

    @Test
    void configurableThresholdsAndDurations() {
        VadConfig c = VadConfig.create(b -> b.startThreshold(0.8f).endThreshold(0.6f).minSpeech(Duration.ZERO)
                .minSilence(Duration.ofMillis(64)).preRoll(Duration.ZERO));
        VadSegmenter s = new VadSegmenter(c);
        assertThat(feed(s, 0.7)).isEmpty();
        VadEvent.SpeechStarted start = (VadEvent.SpeechStarted) feed(s, 0.85).get(0);
        assertThat(start.preRoll()).hasSize(F);   // just the confirming frame: streaming resumes after it
        assertThat(feed(s, 0.5)).isEmpty();
        assertThat(feed(s, 0.5)).hasSize(1);
        assertThat(s.config()).isEqualTo(c);
    }

    @Test
    void processSlicesAnyChunkSizeLikeFrames() {
        // A fake detector: the probability is the frame's first sample / 1000.
        VoiceActivityDetector fake = new VoiceActivityDetector() {
            @Override
            public float speechProbability(short[] frame) {
                return frame[0] / 1000f;
            }

            @Override
            public void reset() {
            }

            @Override
            public void close() {
            }
        };
        short[] audio = new short[45 * F];
        for (int i = 10 * F; i < 25 * F; i++) {
            audio[i] = 900;
        }
        VadSegmenter byFrames = new VadSegmenter();
        List<VadEvent> expected = new ArrayList<>(byFrames.process(fake, audio));
        VadSegmenter byChunks = new VadSegmenter();
        List<VadEvent> actual = new ArrayList<>();
        for (int at = 0; at < audio.length; at += 333) {
            actual.addAll(byChunks.process(fake, java.util.Arrays.copyOfRange(audio, at,
                    Math.min(audio.length, at + 333))));
        }
        assertThat(actual).isEqualTo(expected).hasSize(2);
        assertThat(((VadEvent.SpeechStarted) actual.get(0)).startSample()).isEqualTo(10L * F);
        assertThat(((VadEvent.SpeechStopped) actual.get(1)).endSample()).isEqualTo(25L * F);
    }

    @Test
    void validatesInput() {
        VadSegmenter s = new VadSegmenter();
        assertThatThrownBy(() -> s.accept(new short[0], 0.5f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.accept(new short[F], 1.5f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.accept(new short[F], Float.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VadConfig.create(b -> b.endThreshold(0.7f)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endThreshold");
        assertThatThrownBy(() -> VadConfig.create(b -> b.minSilence(Duration.ofMillis(-1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatCode(() -> s.process(new EnergyVad(), new short[10])).doesNotThrowAnyException();
        VadSegmenter at8k = new VadSegmenter(VadConfig.create(b -> b.sampleRate(8000)));
        assertThatThrownBy(() -> at8k.process(new EnergyVad(), new short[10]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8000");
    }

    @Test
    void eventsPrintSizesNotSamples() {
        VadEvent.SpeechStarted a = new VadEvent.SpeechStarted(16_000, 18_048, 16_000, new short[10_048]);
        VadEvent.SpeechStarted b = new VadEvent.SpeechStarted(16_000, 18_048, 16_000, new short[10_048]);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.toString()).isEqualTo("SpeechStarted[start=1000 ms, detected=1128 ms, preRoll=10048 samples]");
        assertThat(a.detectedAt()).isEqualTo(Duration.ofMillis(1128));
    }
}
