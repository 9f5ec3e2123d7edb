package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSink;
import dev.habla.audio.NullSink;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ConvertingSinkTest {

    /** A device that keeps what it is given; counts flushes. */
    static final class Device implements AudioSink {
        final AudioFormat format;
        final ByteArrayOutputStream played = new ByteArrayOutputStream();
        int flushes;

        Device(AudioFormat format) {
            this.format = format;
        }

        @Override public AudioFormat format() { return format; }
        @Override public synchronized void write(byte[] pcm) { played.writeBytes(pcm); }
        @Override public synchronized void flush() { flushes++; }
        @Override public void drain() {}
        @Override public boolean drain(Duration timeout) { return true; }
        @Override public void close() {}
    }

    private static byte[] tone(int samples) {
        byte[] b = new byte[samples * 2];
        for (int i = 0; i < samples; i++) {
            short v = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / 24_000.0));
            b[2 * i] = (byte) v;
            b[2 * i + 1] = (byte) (v >> 8);
        }
        return b;
    }

    @Test
    void aDeviceThatPlaysTheModelFormatIsUsedAsItIs() {
        NullSink device = new NullSink(AudioFormat.PCM_24K_MONO);
        assertThat(ConvertingSink.to(AudioFormat.PCM_24K_MONO, device)).isSameAs(device);
    }

    @Test
    void modelAudioIsResampledAndSpreadOverTheDeviceChannels() throws Exception {
        AudioFormat stereo48 = new AudioFormat(48_000, 2);
        Device device = new Device(stereo48);
        AudioSink sink = ConvertingSink.to(AudioFormat.PCM_24K_MONO, device);
        assertThat(sink.format()).isEqualTo(AudioFormat.PCM_24K_MONO);
        for (int i = 0; i < 10; i++) {
            sink.write(tone(2_400));   // 10 × 100 ms
        }
        assertThat(sink.drain(Duration.ofSeconds(1))).isTrue();
        byte[] out = device.played.toByteArray();
        // One second in, one second out (the resampler's tail included): 48,000 frames of 4 bytes, both channels equal.
        assertThat(out.length / 4).isBetween(47_900, 48_100);
        for (int i = 0; i < out.length; i += 4) {
            assertThat(out[i]).isEqualTo(out[i + 2]);
            assertThat(out[i + 1]).isEqualTo(out[i + 3]);
        }
        sink.flush();
        assertThat(device.flushes).isEqualTo(1);
    }
}
