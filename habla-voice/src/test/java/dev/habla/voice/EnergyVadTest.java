package dev.habla.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EnergyVadTest {

    @Test
    void probabilityFollowsTheLevel() {
        try (EnergyVad vad = new EnergyVad(-40)) {
            assertThat(vad.speechProbability(new short[512])).isZero();
            // A sine of amplitude A has RMS A/sqrt(2): pick amplitudes at -50, -40 and -30 dBFS RMS.
            float quiet = vad.speechProbability(sine(-50));
            float edge = vad.speechProbability(sine(-40));
            float loud = vad.speechProbability(sine(-30));
            assertThat(quiet).isLessThan(0.01f);
            assertThat(edge).isBetween(0.45f, 0.55f);
            assertThat(loud).isGreaterThan(0.99f);
            assertThat(vad.thresholdDbfs()).isEqualTo(-40);
            assertThat(vad.frameSamples()).isEqualTo(512);
            assertThat(vad.sampleRate()).isEqualTo(16_000);
        }
        assertThatThrownBy(() -> new EnergyVad(3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EnergyVad().speechProbability(new short[100]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static short[] sine(double rmsDbfs) {
        double amplitude = Pcm16.FULL_SCALE * Math.pow(10, rmsDbfs / 20) * Math.sqrt(2);
        short[] s = TestSignals.sine(16_000, 16_000.0 / 64, 0.032, amplitude);
        return s;
    }
}
