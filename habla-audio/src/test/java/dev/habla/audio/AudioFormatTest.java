package dev.habla.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AudioFormatTest {

    @Test
    void derivedSizes() {
        assertThat(AudioFormat.PCM_24K_MONO.bytesPerSecond()).isEqualTo(48_000);
        assertThat(AudioFormat.PCM_16K_MONO.bytesPerFrame()).isEqualTo(2);
        assertThat(AudioFormat.PCM_24K_MONO.durationOf(120_000)).isEqualTo(Duration.ofMillis(2500));
        assertThat(AudioFormat.PCM_24K_MONO.durationOf(3)).isEqualTo(Duration.ofNanos(41_666));
        assertThat(AudioFormat.PCM_16K_MONO.bytesFor(Duration.ofMillis(20))).isEqualTo(640);
        assertThat(AudioFormat.PCM_16K_MONO.mimeType()).isEqualTo("audio/pcm;rate=16000");
        assertThat(AudioFormat.mono(24_000)).isEqualTo(AudioFormat.PCM_24K_MONO);
        assertThat(new AudioFormat(44_100, 2).toJavaSound().getFrameSize()).isEqualTo(4);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new AudioFormat(0, 1)).hasMessageContaining("sampleRate");
        assertThatThrownBy(() -> new AudioFormat(16_000, 0)).hasMessageContaining("channels");
    }
}
