package dev.habla.voice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SampleRingTest {

    static short[] seq(int from, int n) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
            s[i] = (short) (from + i);
        }
        return s;
    }

    static short[] read(SampleRing r, long at, int n) {
        short[] out = new short[n];
        r.read(at, out, 0, n);
        return out;
    }

    @Test
    void keepsTheNewestSamplesByAbsoluteIndex() {
        SampleRing r = new SampleRing(10);
        assertThat(r.isEmpty()).isTrue();
        r.writeAt(-5, seq(100, 4), 0, 4);   // indices -5..-2
        assertThat(r.end()).isEqualTo(-1);
        assertThat(read(r, -6, 6)).containsExactly(0, 100, 101, 102, 103, 0);
        r.append(seq(200, 8), 0, 8);        // -1..6, wraps, drops -5 and -4 ... keeps [-3, 7)
        assertThat(r.start()).isEqualTo(-3);
        assertThat(read(r, -4, 11)).containsExactly(0, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207);
        // A gap after the end reads as silence; an overwrite replaces.
        r.writeAt(9, seq(300, 2), 0, 2);    // gap at 7, 8
        assertThat(read(r, 5, 6)).containsExactly(206, 207, 0, 0, 300, 301);
        r.writeAt(8, seq(400, 1), 0, 1);
        assertThat(read(r, 8, 3)).containsExactly(400, 300, 301);
        // A write longer than the ring keeps its tail; one older than the ring is ignored.
        r.append(seq(0, 25), 0, 25);
        assertThat(read(r, r.end() - 10, 10)).containsExactly(seq(15, 10));
        r.writeAt(-100, seq(1, 5), 0, 5);
        assertThat(read(r, r.end() - 10, 10)).containsExactly(seq(15, 10));
        r.clear();
        assertThat(r.isEmpty()).isTrue();
        assertThat(read(r, 0, 3)).containsExactly(0, 0, 0);
    }
}
