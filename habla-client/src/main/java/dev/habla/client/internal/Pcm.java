package dev.habla.client.internal;

/**
 * PCM16 little-endian mono helpers for providers whose input rate differs from what the caller sends (OpenAI Realtime
 * takes 24 kHz only). Linear interpolation per chunk: good enough for speech recognition; the voice loop sends audio
 * at {@link dev.habla.client.Capabilities#inputSampleRate()} already (its own resampler), so this is the fallback
 * for callers that send 16 kHz to an OpenAI session.
 */
final class Pcm {
    private Pcm() {}

    static byte[] resample(byte[] pcm, int fromRate, int toRate) {
        if (fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException("sample rates must be > 0, were " + fromRate + "/" + toRate);
        }
        int inSamples = pcm.length / 2;
        if (fromRate == toRate || inSamples == 0) {
            return pcm;
        }
        int outSamples = (int) ((long) inSamples * toRate / fromRate);
        byte[] out = new byte[outSamples * 2];
        for (int i = 0; i < outSamples; i++) {
            double pos = (double) i * fromRate / toRate;
            int j = (int) pos;
            double frac = pos - j;
            int a = sample(pcm, Math.min(j, inSamples - 1));
            int b = sample(pcm, Math.min(j + 1, inSamples - 1));
            int v = (int) Math.round(a + (b - a) * frac);
            out[2 * i] = (byte) v;
            out[2 * i + 1] = (byte) (v >> 8);
        }
        return out;
    }

    private static int sample(byte[] pcm, int i) {
        return (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
    }
}
