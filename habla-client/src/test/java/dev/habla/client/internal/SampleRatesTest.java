package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SampleRatesTest {
    @Test
    void eachDirectionHasItsDefaultAndTheCacheFollowsTheType() {
        assertThat(SampleRates.INPUT.of(null)).isEqualTo(16_000);
        assertThat(SampleRates.INPUT.of("audio/pcm")).isEqualTo(16_000);
        assertThat(SampleRates.OUTPUT.of("audio/pcm")).isEqualTo(24_000);
        // The same type again (the cached entry), then another one: each answer is that type's rate.
        assertThat(SampleRates.INPUT.of("audio/pcm;rate=8000")).isEqualTo(8_000);
        assertThat(SampleRates.INPUT.of("audio/pcm;rate=8000")).isEqualTo(8_000);
        assertThat(SampleRates.INPUT.of("audio/pcm;rate=48000")).isEqualTo(48_000);
        assertThat(SampleRates.INPUT.of(null)).isEqualTo(16_000);
        assertThat(SampleRates.INPUT.of("audio/pcm;rate=48000")).isEqualTo(48_000);
    }
}
