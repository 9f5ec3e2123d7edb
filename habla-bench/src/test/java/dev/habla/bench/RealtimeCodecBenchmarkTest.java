package dev.habla.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.ServerEvent;
import org.junit.jupiter.api.Test;

/** The benchmark's two sides do the same work: setup() cross-checks them; every benchmark method returns the data. */
class RealtimeCodecBenchmarkTest {
    @Test
    void bothSidesProduceAndConsumeTheSameFrames() throws Exception {
        RealtimeCodecBenchmark b = new RealtimeCodecBenchmark();
        b.setup();
        assertThat(RealtimeCodecBenchmark.JACKSON.readTree(b.appendEncode_habla()))
                .isEqualTo(RealtimeCodecBenchmark.JACKSON.readTree(b.appendEncode_jackson()));
        assertThat(((ServerEvent.ResponseOutputAudioDelta) b.deltaDecode_habla()).delta()).isEqualTo(b.deltaDecode_jackson().delta());
        assertThat(((ClientEvent.InputAudioBufferAppend) b.appendDecode_habla()).audio()).isEqualTo(b.appendDecode_jackson().audio());
        assertThat(RealtimeCodecBenchmark.JACKSON.readTree(b.deltaEncode_habla()))
                .isEqualTo(RealtimeCodecBenchmark.JACKSON.readTree(b.deltaEncode_jackson()));
        assertThat(b.pcm).hasSize(4800);
    }
}
