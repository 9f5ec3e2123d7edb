package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The small pieces of the resilient session: the user-audio activity tracker and the bounded transcript. */
class ResilienceInternalsTest {

    private static byte[] tone(int ms, int amplitude) {
        return tone(ms, amplitude, 16000);
    }

    private static byte[] tone(int ms, int amplitude, int rate) {
        int n = rate / 1000 * ms;
        byte[] pcm = new byte[n * 2];
        for (int i = 0; i < n; i++) {
            int v = (int) (amplitude * Math.sin(2 * Math.PI * 200 * i / (double) rate));
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        return pcm;
    }

    @Test
    void audioActivityMeasuresTheQuietTailInAudioTime() {
        AudioActivity a = new AudioActivity(-45);
        assertThat(a.quietNanos()).as("no audio yet: quiet forever").isEqualTo(Long.MAX_VALUE);
        assertThat(a.feed(tone(100, 3000), 16000)).isZero();
        assertThat(a.speechSinceMark()).isTrue();
        a.mark();
        assertThat(a.speechSinceMark()).isFalse();
        assertThat(a.feed(tone(250, 20), 16000)).as("-64 dBFS is quiet").isEqualTo(250_000_000L);
        // 25 ms chunks: frames straddle chunk boundaries and are still counted once.
        for (int i = 0; i < 10; i++) {
            a.feed(tone(25, 0), 16000);
        }
        assertThat(a.quietNanos()).isEqualTo(500_000_000L);
        assertThat(a.speechSinceMark()).isFalse();
        assertThat(a.feed(tone(10, 3000), 16000)).isZero();
        assertThat(a.speechSinceMark()).isTrue();
        assertThat(a.feed(tone(40, 0, 48000), 48000)).as("other sample rates in audio time too").isEqualTo(40_000_000L);
    }

    @Test
    void transcriptKeepsTheNewestTurnsWithinItsLimits() {
        ReseedTranscript t = new ReseedTranscript(3, 20);
        t.add("user", "one");
        t.add("model", "  ");
        t.add("model", "two");
        t.add("user", "three");
        t.add("model", "four");
        assertThat(t.turns()).extracting(c -> c.parts().getFirst().text()).containsExactly("two", "three", "four");
        t.add("user", "a much longer sentence than twenty");
        assertThat(t.turns()).hasSize(1);
        String longer = "a much longer sentence than twenty";
        assertThat(t.turns().getFirst().parts().getFirst().text()).as("an over-long turn keeps its end")
                .isEqualTo(longer.substring(longer.length() - 20));
        assertThat(new ReseedTranscript(0, 100)).satisfies(z -> {
            z.add("user", "x");
            assertThat(z.isEmpty()).isTrue();
        });
    }
}
