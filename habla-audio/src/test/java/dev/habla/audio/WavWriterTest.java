package dev.habla.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class WavWriterTest {

    @TempDir
    Path dir;

    @Test
    void headerOfA24kMonoFileHasCanonicalFieldsAndSizes() throws IOException {
        Path file = dir.resolve("answer.wav");
        byte[] pcm = randomPcm(48_000 + 960);   // 1.02 s at 24 kHz
        try (WavWriter w = WavWriter.create(file, AudioFormat.PCM_24K_MONO)) {
            w.write(pcm, 0, 1000);
            w.write(pcm, 1000, pcm.length - 1000);
            assertThat(w.dataBytes()).isEqualTo(pcm.length);
            assertThat(w.duration()).isEqualTo(Duration.ofMillis(1020));
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).hasSize(44 + pcm.length);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(ascii(bytes, 0)).isEqualTo("RIFF");
        assertThat(b.getInt(4)).isEqualTo(36 + pcm.length);
        assertThat(ascii(bytes, 8)).isEqualTo("WAVE");
        assertThat(ascii(bytes, 12)).isEqualTo("fmt ");
        assertThat(b.getInt(16)).isEqualTo(16);
        assertThat(b.getShort(20)).isEqualTo((short) 1);        // PCM
        assertThat(b.getShort(22)).isEqualTo((short) 1);        // mono
        assertThat(b.getInt(24)).isEqualTo(24_000);             // sample rate
        assertThat(b.getInt(28)).isEqualTo(48_000);             // byte rate
        assertThat(b.getShort(32)).isEqualTo((short) 2);        // block align
        assertThat(b.getShort(34)).isEqualTo((short) 16);       // bits
        assertThat(ascii(bytes, 36)).isEqualTo("data");
        assertThat(b.getInt(40)).isEqualTo(pcm.length);
        assertThat(java.util.Arrays.copyOfRange(bytes, 44, bytes.length)).isEqualTo(pcm);
    }

    @Test
    void headerIsValidForAnEmptyFileBeforeAndAfterClose() throws IOException {
        Path file = dir.resolve("empty.wav");
        try (WavWriter w = WavWriter.create(file, AudioFormat.PCM_16K_MONO)) {
            // Before close the file already parses as empty: a crash leaves a playable file.
            assertThat(Files.size(file)).isEqualTo(44);
            assertThat(WavReader.read(file).pcm()).isEmpty();
            assertThat(w.dataBytes()).isZero();
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(4)).isEqualTo(36);
        assertThat(b.getInt(40)).isZero();
        assertThat(b.getInt(24)).isEqualTo(16_000);
    }

    @Test
    void stereoHeaderCountsBothChannels() {
        ByteBuffer b = WavWriter.header(new AudioFormat(48_000, 2), 1_000).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getShort(22)).isEqualTo((short) 2);
        assertThat(b.getInt(28)).isEqualTo(192_000);
        assertThat(b.getShort(32)).isEqualTo((short) 4);
    }

    @Test
    void oddLengthGetsAPadByteCountedOnlyInTheRiffSize() throws IOException {
        Path file = dir.resolve("odd.wav");
        try (WavWriter w = WavWriter.create(file, AudioFormat.PCM_24K_MONO)) {
            w.write(new byte[] {1, 2, 3});
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).hasSize(44 + 4);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(40)).isEqualTo(3);
        assertThat(b.getInt(4)).isEqualTo(36 + 4);
    }

    @Test
    void closeIsIdempotentAndWritesAfterCloseFail() throws IOException {
        Path file = dir.resolve("closed.wav");
        WavWriter w = WavWriter.create(file, AudioFormat.PCM_24K_MONO);
        w.write(new byte[4]);
        w.close();
        w.close();
        assertThat(Files.size(file)).isEqualTo(48);
        assertThatThrownBy(() -> w.write(new byte[2])).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    @Test
    void createTruncatesAnExistingFile() throws IOException {
        Path file = dir.resolve("again.wav");
        Files.write(file, new byte[10_000]);
        try (WavWriter w = WavWriter.create(file, AudioFormat.PCM_24K_MONO)) {
            w.write(new byte[10]);
        }
        assertThat(Files.size(file)).isEqualTo(54);
    }

    @Test
    void javaSoundReadsTheFileBack() throws Exception {
        Path file = dir.resolve("js.wav");
        byte[] pcm = randomPcm(4800);
        try (WavWriter w = WavWriter.create(file, AudioFormat.PCM_24K_MONO)) {
            w.write(pcm);
        }
        try (var in = javax.sound.sampled.AudioSystem.getAudioInputStream(file.toFile())) {
            javax.sound.sampled.AudioFormat f = in.getFormat();
            assertThat(f.getSampleRate()).isEqualTo(24_000f);
            assertThat(f.getSampleSizeInBits()).isEqualTo(16);
            assertThat(f.getChannels()).isEqualTo(1);
            assertThat(f.isBigEndian()).isFalse();
            assertThat(in.getFrameLength()).isEqualTo(2400);
            assertThat(in.readAllBytes()).isEqualTo(pcm);
        }
    }

    static byte[] randomPcm(int n) {
        byte[] pcm = new byte[n];
        new Random(n).nextBytes(pcm);
        return pcm;
    }

    private static String ascii(byte[] bytes, int at) {
        return new String(bytes, at, 4, StandardCharsets.US_ASCII);
    }
}
