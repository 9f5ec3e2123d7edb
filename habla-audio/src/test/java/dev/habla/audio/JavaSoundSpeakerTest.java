package dev.habla.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.SourceDataLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class JavaSoundSpeakerTest {

    @Test
    void opensTheDefaultDeviceOrSaysInOneLineThatThereIsNone() throws Exception {
        boolean hasLine = AudioSystem.isLineSupported(
                new javax.sound.sampled.DataLine.Info(SourceDataLine.class, AudioFormat.PCM_24K_MONO.toJavaSound()));
        if (!hasLine) {
            assertThatThrownBy(() -> JavaSoundSpeaker.open(AudioFormat.PCM_24K_MONO))
                    .isInstanceOf(AudioDeviceException.class)
                    .hasMessageStartingWith("No audio output device")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            return;
        }
        try (JavaSoundSpeaker speaker = JavaSoundSpeaker.open(AudioFormat.PCM_24K_MONO)) {
            speaker.write(new byte[4800]);   // 100 ms of silence
            assertThat(speaker.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(speaker.droppedBytes()).isZero();
        }
    }
}
