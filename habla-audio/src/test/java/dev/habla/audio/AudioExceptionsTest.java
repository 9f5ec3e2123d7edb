package dev.habla.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factories' failures are unchecked, typed, and name the file and the I/O cause. */
class AudioExceptionsTest {

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsAnAudioFileExceptionWithItsPathAndCause() {
        Path missing = dir.resolve("missing.wav");
        // Usable where no checked exception may be thrown, such as a builder lambda.
        Supplier<AudioSource> open = () -> WavSource.open(missing, WavSource.Pacing.FAST);
        assertThatThrownBy(open::get).isInstanceOf(AudioFileException.class).isInstanceOf(AudioException.class)
                .hasCauseInstanceOf(NoSuchFileException.class).hasMessageContaining(missing.toString())
                .satisfies(e -> assertThat(((AudioFileException) e).path()).isEqualTo(missing));
        assertThatThrownBy(() -> WavReader.read(missing)).isInstanceOf(AudioFileException.class)
                .hasCauseInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aFileThatCannotBeCreatedIsAnAudioFileException() {
        Path inMissingDir = dir.resolve("no/such/dir/out.wav");
        assertThatThrownBy(() -> WavSink.create(inMissingDir, AudioFormat.PCM_24K_MONO))
                .isInstanceOf(AudioFileException.class).hasCauseInstanceOf(NoSuchFileException.class)
                .satisfies(e -> assertThat(((AudioFileException) e).path()).isEqualTo(inMissingDir));
        assertThatThrownBy(() -> WavWriter.create(dir, AudioFormat.PCM_24K_MONO))   // a directory
                .isInstanceOf(AudioFileException.class).hasMessageStartingWith("Cannot create " + dir);
    }

    @Test
    void notWavIsAWavFormatExceptionWithThePath() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.wav"), "hello, not a RIFF file");
        assertThatThrownBy(() -> WavSource.open(text, WavSource.Pacing.FAST)).isInstanceOf(WavFormatException.class)
                .isInstanceOf(AudioFileException.class).hasNoCause()
                .satisfies(e -> assertThat(((WavFormatException) e).path()).isEqualTo(text));
    }

    @Test
    void noSuchDeviceIsAnAudioDeviceExceptionThrownFromAPlainSupplier() {
        Supplier<AudioSink> speaker = () -> DeviceSpeaker.open("no-such-device-xyz", AudioFormat.PCM_24K_MONO);
        assertThatThrownBy(speaker::get).isInstanceOf(AudioDeviceException.class).isInstanceOf(AudioException.class)
                .hasMessageStartingWith("No audio output device");
    }
}
