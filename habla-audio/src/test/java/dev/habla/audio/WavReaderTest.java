package dev.habla.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class WavReaderTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsWhatWavWriterWrote() throws IOException {
        Path file = dir.resolve("rt.wav");
        byte[] pcm = WavWriterTest.randomPcm(32_000);
        try (WavWriter w = WavWriter.create(file, AudioFormat.PCM_16K_MONO)) {
            w.write(pcm);
        }
        WavData data = WavReader.read(file);
        assertThat(data.format()).isEqualTo(AudioFormat.PCM_16K_MONO);
        assertThat(data.pcm()).isEqualTo(pcm);
        assertThat(data.duration()).isEqualTo(Duration.ofSeconds(1));
        assertThat(data.toString()).isEqualTo("WavData[16000 Hz, 16-bit, mono, 32000 bytes]");
    }

    @Test
    void streamsInPieces() throws IOException {
        Path file = dir.resolve("pieces.wav");
        byte[] pcm = WavWriterTest.randomPcm(10_001 * 2);
        try (WavWriter w = WavWriter.create(file, AudioFormat.PCM_24K_MONO)) {
            w.write(pcm);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (WavReader r = WavReader.open(file)) {
            assertThat(r.dataBytes()).isEqualTo(pcm.length);
            byte[] buf = new byte[777];
            int n;
            while ((n = r.read(buf, 0, buf.length)) >= 0) {
                out.write(buf, 0, n);
            }
            assertThat(r.read(buf, 0, 1)).isEqualTo(-1);
        }
        assertThat(out.toByteArray()).isEqualTo(pcm);
    }

    @Test
    void skipsUnknownChunksAndAcceptsExtensiblePcm() throws IOException {
        byte[] pcm = {1, 0, 2, 0, 3, 0, 4, 0};
        ByteBuffer b = ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("RIFF")).putInt(0).put(ascii("WAVE"));
        b.put(ascii("LIST")).putInt(5).put(new byte[] {9, 9, 9, 9, 9}).put((byte) 0);   // odd size + pad
        b.put(ascii("fmt ")).putInt(40).putShort((short) 0xFFFE).putShort((short) 2).putInt(8000)
                .putInt(32_000).putShort((short) 4).putShort((short) 16)
                .putShort((short) 22).putShort((short) 16).putInt(3)
                .putShort((short) 1).put(new byte[14]);                                   // sub-format PCM GUID
        b.put(ascii("data")).putInt(pcm.length).put(pcm);
        Path file = dir.resolve("ext.wav");
        Files.write(file, java.util.Arrays.copyOf(b.array(), b.position()));
        WavData data = WavReader.read(file);
        assertThat(data.format()).isEqualTo(new AudioFormat(8000, 2));
        assertThat(data.pcm()).isEqualTo(pcm);
    }

    @Test
    void unfinishedStreamingFileReadsToTheEnd() throws IOException {
        Path file = dir.resolve("unfinished.wav");
        byte[] pcm = WavWriterTest.randomPcm(1000);
        ByteBuffer header = WavWriter.header(AudioFormat.PCM_24K_MONO, 0);
        header.order(ByteOrder.LITTLE_ENDIAN).putInt(40, 0xFFFF_FFFF);
        byte[] bytes = new byte[44 + pcm.length];
        header.get(0, bytes, 0, 44);
        System.arraycopy(pcm, 0, bytes, 44, pcm.length);
        Files.write(file, bytes);
        assertThat(WavReader.read(file).pcm()).isEqualTo(pcm);
    }

    @Test
    void rejectsWhatIsNotSixteenBitPcmWave() throws IOException {
        Path text = dir.resolve("text.wav");
        Files.writeString(text, "hello, this is not a wav file at all");
        assertThatThrownBy(() -> WavReader.read(text)).isInstanceOf(WavFormatException.class)
                .hasMessageContaining("Not a RIFF/WAVE file");

        Path shortFile = dir.resolve("short.wav");
        Files.write(shortFile, new byte[] {'R', 'I', 'F', 'F'});
        assertThatThrownBy(() -> WavReader.read(shortFile)).isInstanceOf(WavFormatException.class)
                .hasMessageContaining("Truncated");

        ByteBuffer eightBit = WavWriter.header(AudioFormat.PCM_16K_MONO, 0).order(ByteOrder.LITTLE_ENDIAN);
        eightBit.putShort(34, (short) 8);
        Path eight = dir.resolve("eight.wav");
        Files.write(eight, eightBit.array());
        assertThatThrownBy(() -> WavReader.read(eight)).isInstanceOf(WavFormatException.class)
                .hasMessageContaining("16-bit PCM").hasMessageContaining("8 bits");
    }

    /** A WAV header with the given format tag and sample width, then {@code data}. */
    private static byte[] wav(int tag, int bits, int channels, int rate, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        int blockAlign = channels * bits / 8;
        b.put(ascii("RIFF")).putInt(36 + data.length).put(ascii("WAVE"));
        b.put(ascii("fmt ")).putInt(16).putShort((short) tag).putShort((short) channels).putInt(rate)
                .putInt(rate * blockAlign).putShort((short) blockAlign).putShort((short) bits);
        b.put(ascii("data")).putInt(data.length).put(data);
        return b.array();
    }

    @Test
    void convertsThirtyTwoBitFloatToSixteenBitPcm() throws IOException {
        float[] samples = {0f, 0.5f, -0.5f, 1f, -1f, 1.5f, -2f, Float.NaN};
        ByteBuffer data = ByteBuffer.allocate(samples.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : samples) {
            data.putFloat(f);
        }
        Path file = dir.resolve("float.wav");
        Files.write(file, wav(3, 32, 2, 48_000, data.array()));
        WavData read = WavReader.read(file);
        assertThat(read.format()).isEqualTo(new AudioFormat(48_000, 2));
        assertThat(shorts(read.pcm())).containsExactly(0, 16384, -16383, 32767, -32767, 32767, -32767, 0);

        try (WavReader r = WavReader.open(file)) {   // streamed in odd pieces: whole samples, same values
            assertThat(r.dataBytes()).isEqualTo(samples.length * 2);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[5];
            int n;
            while ((n = r.read(buf, 0, buf.length)) >= 0) {
                assertThat(n % 2).isZero();
                out.write(buf, 0, n);
            }
            assertThat(out.toByteArray()).isEqualTo(read.pcm());
        }
    }

    @Test
    void convertsSixtyFourBitFloatAndWiderPcm() throws IOException {
        ByteBuffer doubles = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.25).putDouble(-1);
        Path f64 = dir.resolve("f64.wav");
        Files.write(f64, wav(3, 64, 1, 16_000, doubles.array()));
        assertThat(shorts(WavReader.read(f64).pcm())).containsExactly(8192, -32767);

        Path p24 = dir.resolve("p24.wav");   // 0x123456 and -1 (0xFFFFFF): their top 16 bits
        Files.write(p24, wav(1, 24, 1, 16_000, new byte[] {0x56, 0x34, 0x12, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}));
        assertThat(shorts(WavReader.read(p24).pcm())).containsExactly(0x1234, -1);

        Path p32 = dir.resolve("p32.wav");
        Files.write(p32, wav(1, 32, 1, 16_000, new byte[] {0, 0, 0x00, (byte) 0x80, 1, 2, 3, 4}));
        assertThat(shorts(WavReader.read(p32).pcm())).containsExactly(-32768, 0x0403);
    }

    @Test
    void aBinaryFileIsDescribedInHexNotInRawBytes() throws IOException {
        Path mp3 = dir.resolve("song.wav");
        Files.write(mp3, new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 0, 0x0f, 0x76, 1, 2, 3});
        assertThatThrownBy(() -> WavReader.read(mp3)).isInstanceOf(WavFormatException.class)
                .satisfies(e -> assertThat(((WavFormatException) e).reason())
                        .isEqualTo("Not a RIFF/WAVE file: it starts with bytes 49 44 33 04"))
                .hasMessageContaining(mp3.toString());
    }

    private static int[] shorts(byte[] pcm) {
        ByteBuffer b = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[pcm.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getShort(i * 2);
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
