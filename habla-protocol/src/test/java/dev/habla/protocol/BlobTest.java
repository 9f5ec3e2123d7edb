package dev.habla.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BlobTest {
    @Test
    void sampleRateComesFromTheMimeType() {
        assertThat(Blob.sampleRate("audio/pcm;rate=24000", 16_000)).isEqualTo(24_000);
        assertThat(Blob.sampleRate("audio/pcm; rate=8000", 16_000)).isEqualTo(8_000);
        assertThat(Blob.sampleRate("audio/l16; rate = 8000", 24_000)).isEqualTo(8_000);
        assertThat(Blob.sampleRate("audio/pcm;RATE=44100", 16_000)).isEqualTo(44_100);
    }

    @Test
    void sampleRateFallsBackWhenNoneIsNamed() {
        assertThat(Blob.sampleRate("audio/pcm", 16_000)).isEqualTo(16_000);
        assertThat(Blob.sampleRate(null, 16_000)).isEqualTo(16_000);
        assertThat(Blob.sampleRate("", 24_000)).isEqualTo(24_000);
        assertThat(Blob.sampleRate("audio/pcm;rate=99999999999", 24_000)).isEqualTo(24_000);
        assertThat(Blob.sampleRate("audio/pcm;rate=0", 16_000)).isEqualTo(16_000);
        assertThat(Blob.sampleRate("audio/pcm;rate=fast", 16_000)).isEqualTo(16_000);
        assertThat(Blob.sampleRate("audio/pcm;bitrate=8000", 16_000)).isEqualTo(16_000);
    }

    @Test
    void pcmMimeTypeIsWhatTheServiceWritesAndReadsBack() {
        assertThat(Blob.pcmMimeType(24_000)).isEqualTo("audio/pcm;rate=24000");
        assertThat(Blob.sampleRate(Blob.pcmMimeType(8_000), 16_000)).isEqualTo(8_000);
    }
}
