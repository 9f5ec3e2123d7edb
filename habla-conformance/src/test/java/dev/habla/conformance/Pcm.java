package dev.habla.conformance;

/** Test audio: PCM16 little-endian mono. */
final class Pcm {
    private Pcm() {}

    /**
     * A loud, speech-like signal: a 140 Hz voice with harmonics, its amplitude modulated at 4 Hz like syllables but never
     * below 20 % (so an energy VAD hears one utterance).
     */
    static byte[] speech(int ms, int rate) {
        int n = rate * ms / 1000;
        byte[] b = new byte[n * 2];
        for (int i = 0; i < n; i++) {
            double t = (double) i / rate;
            double envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t);
            double voice = Math.sin(2 * Math.PI * 140 * t) + 0.5 * Math.sin(2 * Math.PI * 280 * t) + 0.25 * Math.sin(2 * Math.PI * 420 * t);
            int s = (int) Math.round(9000 * envelope * voice);
            b[2 * i] = (byte) s;
            b[2 * i + 1] = (byte) (s >> 8);
        }
        return b;
    }

    static byte[] silence(int ms, int rate) {
        return new byte[rate * ms / 1000 * 2];
    }
}
