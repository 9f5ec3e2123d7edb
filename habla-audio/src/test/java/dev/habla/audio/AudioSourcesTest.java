package dev.habla.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** WavSource (fast and real time, trailing silence, close), WavSink, PcmChunk, device lookup errors. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AudioSourcesTest {

    @TempDir
    Path dir;

    private static byte[] pcm(int bytes) {
        byte[] b = new byte[bytes];
        new Random(1).nextBytes(b);
        return b;
    }

    private Path wav(AudioFormat format, byte[] pcm) throws IOException {
        Path p = dir.resolve("in.wav");
        try (WavWriter w = WavWriter.create(p, format)) {
            w.write(pcm);
        }
        return p;
    }

    @Test
    void fastSourceReturnsTheFileThenTheTrailingSilenceInChunksWithAudioTimestamps() throws Exception {
        byte[] data = pcm(32_000 + 100);   // 1 s + 50 samples at 16 kHz
        try (WavSource s = WavSource.open(wav(AudioFormat.PCM_16K_MONO, data), WavSource.Pacing.FAST,
                Duration.ofMillis(20), Duration.ofMillis(100))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            PcmChunk first = s.read();
            PcmChunk c = first;
            long seq = 0;
            PcmChunk last = null;
            while (c != null) {
                assertThat(c.sequence()).isEqualTo(seq++);
                assertThat(c.captureNanos() - first.captureNanos()).isEqualTo(all.size() / 2 * 62_500L);
                all.write(c.pcm());
                last = c;
                c = s.read();
            }
            byte[] got = all.toByteArray();
            assertThat(got).hasSize(data.length + 3_200);
            assertThat(java.util.Arrays.copyOf(got, data.length)).isEqualTo(data);
            assertThat(java.util.Arrays.copyOfRange(got, data.length, got.length)).containsOnly(0);
            assertThat(first.pcm()).hasSize(640);
            assertThat(last.frames()).isLessThanOrEqualTo(320);
            assertThat(s.position()).isEqualTo(Duration.ofNanos((data.length + 3_200) / 2 * 62_500L));
            assertThat(s.read()).isNull();
        }
    }

    @Test
    void realTimeSourceDeliversEachChunkOnceItHasBeenSpoken() throws Exception {
        try (WavSource s = WavSource.of(AudioFormat.PCM_16K_MONO, pcm(16_000), WavSource.Pacing.REAL_TIME,
                Duration.ofMillis(100), Duration.ZERO)) {
            long start = System.nanoTime();
            int chunks = 0;
            PcmChunk c;
            while ((c = s.read()) != null) {
                chunks++;
                assertThat(System.nanoTime()).isGreaterThanOrEqualTo(c.endNanos());
            }
            assertThat(chunks).isEqualTo(5);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(500_000_000L);
        }
    }

    @Test
    void closeWakesAPacedRead() throws Exception {
        WavSource s = WavSource.of(AudioFormat.PCM_16K_MONO, pcm(320_000), WavSource.Pacing.REAL_TIME,
                Duration.ofSeconds(5), Duration.ZERO);
        CompletableFuture<PcmChunk> read = CompletableFuture.supplyAsync(() -> {
            try {
                return s.read();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        s.close();
        assertThat(read.get(2, TimeUnit.SECONDS)).isNull();
        s.close();   // idempotent
    }

    @Test
    void wavSinkRecordsEverythingAndFixesTheHeader() throws Exception {
        Path out = dir.resolve("out.wav");
        byte[] a = pcm(4_800);
        byte[] b = pcm(2_400);
        try (WavSink sink = WavSink.create(out, AudioFormat.PCM_24K_MONO)) {
            sink.write(a);
            sink.flush();   // nothing queued: a file keeps what it was given
            sink.write(b);
            assertThat(sink.drain(Duration.ZERO)).isTrue();
            assertThat(sink.duration()).isEqualTo(Duration.ofMillis(150));
        }
        WavData wav = WavReader.read(out);
        assertThat(wav.format()).isEqualTo(AudioFormat.PCM_24K_MONO);
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        assertThat(wav.pcm()).isEqualTo(both);
    }

    @Test
    void wavSinkAfterCloseCountsDroppedBytesInsteadOfThrowing() throws Exception {
        WavSink sink = WavSink.create(dir.resolve("x.wav"), AudioFormat.PCM_24K_MONO);
        sink.close();
        sink.write(new byte[100]);
        assertThat(sink.droppedBytes()).isEqualTo(100);
        assertThat(sink.failure()).isNull();
    }

    @Test
    void pcmChunkChecksFramesAndPrintsSizes() {
        AudioFormat stereo = new AudioFormat(48_000, 2);
        assertThatThrownBy(() -> new PcmChunk(0, 0, stereo, new byte[6])).hasMessageContaining("whole 4-byte frames");
        PcmChunk c = new PcmChunk(3, 1_000, stereo, new byte[192]);
        assertThat(c.frames()).isEqualTo(48);
        assertThat(c.duration()).isEqualTo(Duration.ofMillis(1));
        assertThat(c.endNanos()).isEqualTo(1_001_000);
        assertThat(c).hasToString("PcmChunk[#3, 192 bytes, 48000 Hz, 16-bit, stereo]");
        assertThat(c).isEqualTo(new PcmChunk(3, 1_000, stereo, new byte[192]));
    }

    @Test
    void anUnknownDeviceNameIsAOneLineError() {
        assertThatThrownBy(() -> JavaSoundMicrophone.open("no-such-device-xyz", AudioFormat.PCM_16K_MONO,
                Duration.ofMillis(20))).isInstanceOf(AudioDeviceException.class)
                .hasMessageStartingWith("No audio input device").hasMessageContaining("no-such-device-xyz")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> DeviceSpeaker.open("no-such-device-xyz", AudioFormat.PCM_24K_MONO))
                .isInstanceOf(AudioDeviceException.class).hasMessageStartingWith("No audio output device");
    }

    @Test
    void deviceListingNeverFailsAndListsOnlyUsableMixers() {
        for (AudioDevices.Device d : AudioDevices.list()) {
            assertThat(d.canCapture() || d.canPlay()).isTrue();
            assertThat(d.captureFormats()).allSatisfy(f -> assertThat(f.channels()).isBetween(1, 2));
        }
    }
}
