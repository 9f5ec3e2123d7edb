package dev.habla.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.SourceDataLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class DeviceSpeakerTest {

    @Test
    void opensTheDefaultDeviceOrSaysInOneLineThatThereIsNone() throws Exception {
        boolean hasLine = false;
        for (AudioFormat f : AudioDevices.candidates(AudioFormat.PCM_24K_MONO)) {
            hasLine |= AudioSystem.isLineSupported(new DataLine.Info(SourceDataLine.class, f.toJavaSound()));
        }
        if (!hasLine) {
            assertThatThrownBy(DeviceSpeaker::open)
                    .isInstanceOf(AudioDeviceException.class)
                    .hasMessageStartingWith("No audio output device")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            return;
        }
        try (DeviceSpeaker speaker = DeviceSpeaker.open()) {
            assertThat(AudioDevices.candidates(AudioFormat.PCM_24K_MONO)).contains(speaker.format());
            speaker.write(new byte[(int) speaker.format().bytesFor(Duration.ofMillis(100))]);   // 100 ms of silence
            assertThat(speaker.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(speaker.droppedBytes()).isZero();
            assertThat(speaker.queuedBytes()).isZero();
        }
    }

    @Test
    void writesAfterCloseAreCountedAsDroppedNotThrown() throws Exception {
        DeviceSpeaker speaker;
        try {
            speaker = DeviceSpeaker.open();
        } catch (AudioDeviceException e) {
            return;   // no device here: the test above covers the message
        }
        speaker.close();
        speaker.write(new byte[480]);
        assertThat(speaker.droppedBytes()).isEqualTo(480);
    }
}
