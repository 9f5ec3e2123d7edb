package dev.habla.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class Pcm16Test {

    @Test
    void roundTripsLittleEndian() {
        short[] s = {0, 1, -1, Short.MAX_VALUE, Short.MIN_VALUE, 0x1234};
        byte[] b = Pcm16.toBytes(s);
        assertThat(b).startsWith(0, 0, 1, 0, -1, -1, -1, 0x7F, 0, -128, 0x34, 0x12);
        assertThat(Pcm16.toShorts(b)).containsExactly(s);
        assertThat(Pcm16.toShorts(b, 2, 4)).containsExactly(1, -1);
        assertThatThrownBy(() -> Pcm16.toShorts(new byte[3])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("even");
    }

    @Test
    void levels() {
        short[] square = new short[100];
        java.util.Arrays.fill(square, (short) 16384);
        assertThat(Pcm16.rms(square)).isEqualTo(16384.0);
        assertThat(Pcm16.dbfs(square)).isCloseTo(-6.02, offset(0.01));
        assertThat(Pcm16.dbfs(new short[10])).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Pcm16.rms(new short[0])).isZero();
        assertThat(Pcm16.clip(40_000.4)).isEqualTo(Short.MAX_VALUE);
        assertThat(Pcm16.clip(-40_000)).isEqualTo(Short.MIN_VALUE);
        assertThat(Pcm16.clip(-2.5)).isEqualTo((short) -2);
    }
}
