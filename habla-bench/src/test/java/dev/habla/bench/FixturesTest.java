package dev.habla.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The benchmark compares like with like: both sides produce and consume the same data. */
@Timeout(60)
class FixturesTest {
    @Test
    void bothSidesAreEquivalent() {
        Fixtures f = new Fixtures();
        assertThat(f.pcm16k).hasSize(3_200);
        assertThat(f.pcm24k).hasSize(4_800);
        assertThatCode(f::verify).doesNotThrowAnyException();
    }

    @Test
    void everyBenchmarkRuns() {
        CodecBenchmark b = new CodecBenchmark();
        b.setup();
        assertThat(b.clientEncode_habla()).startsWith("{\"realtimeInput\":{\"audio\":");
        assertThat(b.clientEncode_sdk()).startsWith("{\"realtime_input\":{\"audio\":");
        assertThat(b.clientDecode_habla().message()).isNotNull();
        assertThat(b.clientDecode_sdk().realtimeInput()).isPresent();
        assertThat(b.serverDecode_habla().message()).isNotNull();
        assertThat(b.serverDecode_sdk().serverContent()).isPresent();
        assertThat(b.serverDecode_sdkSession().serverContent()).isPresent();
        assertThat(b.serverEncode_habla()).isNotEmpty();
        assertThat(b.serverEncode_sdk()).contains("inlineData");
    }
}
