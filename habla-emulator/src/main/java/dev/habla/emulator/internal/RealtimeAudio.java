package dev.habla.emulator.internal;

import dev.habla.realtime.AudioFormat;

/**
 * Audio of the OpenAI Realtime formats: PCM16 at 24 kHz (the default) or G.711 μ-law / A-law at 8 kHz, one byte per
 * sample. The emulator's VAD and recordings work on PCM16; G.711 input is expanded and output is made by taking every
 * third 24 kHz sample (the synthetic speech has little energy above 4 kHz) and compressing it. Stateless.
 */
final class RealtimeAudio {
    private RealtimeAudio() {}

    static boolean isPcm(AudioFormat f) {
        return f.type().equals("audio/pcm");
    }

    static int sampleRate(AudioFormat f) {
        return isPcm(f) ? 24_000 : 8_000;
    }

    /** Milliseconds of audio in {@code bytes} of format {@code f}. */
    static double millis(AudioFormat f, long bytes) {
        return isPcm(f) ? bytes / 48.0 : bytes / 8.0;
    }

    /** Bytes of {@code ms} of audio in format {@code f}. */
    static long bytes(AudioFormat f, double ms) {
        return isPcm(f) ? Math.round(ms * 48) & ~1L : Math.round(ms * 8);
    }

    /** Input audio as PCM16 LE (G.711 expanded). */
    static byte[] toPcm16(AudioFormat f, byte[] data) {
        if (isPcm(f)) {
            return data;
        }
        boolean ulaw = f.type().equals("audio/pcmu");
        byte[] out = new byte[data.length * 2];
        for (int i = 0; i < data.length; i++) {
            int s = ulaw ? ulawToLinear(data[i]) : alawToLinear(data[i]);
            out[2 * i] = (byte) s;
            out[2 * i + 1] = (byte) (s >> 8);
        }
        return out;
    }

    /** 24 kHz PCM16 LE output in format {@code f}. */
    static byte[] fromPcm24k(AudioFormat f, byte[] pcm) {
        if (isPcm(f)) {
            return pcm;
        }
        boolean ulaw = f.type().equals("audio/pcmu");
        int samples = pcm.length / 2;
        byte[] out = new byte[samples / 3];
        for (int i = 0; i < out.length; i++) {
            int j = i * 3 * 2;
            short s = (short) ((pcm[j] & 0xFF) | (pcm[j + 1] << 8));
            out[i] = ulaw ? linearToUlaw(s) : linearToAlaw(s);
        }
        return out;
    }

    static int ulawToLinear(byte b) {
        int u = ~b & 0xFF;
        int t = ((u & 0x0F) << 3) + 0x84;
        t <<= (u & 0x70) >> 4;
        return (u & 0x80) != 0 ? 0x84 - t : t - 0x84;
    }

    static int alawToLinear(byte b) {
        int a = (b ^ 0x55) & 0xFF;
        int t = (a & 0x0F) << 4;
        int seg = (a & 0x70) >> 4;
        t = switch (seg) {
            case 0 -> t + 8;
            case 1 -> t + 0x108;
            default -> (t + 0x108) << (seg - 1);
        };
        return (a & 0x80) != 0 ? t : -t;
    }

    static byte linearToUlaw(short sample) {
        int s = sample;
        int sign = (s >> 8) & 0x80;
        if (sign != 0) {
            s = -s;
        }
        s = Math.min(s, 32635) + 0x84;
        int exp = 7;
        for (int mask = 0x4000; (s & mask) == 0 && exp > 0; mask >>= 1) {
            exp--;
        }
        int mantissa = (s >> (exp + 3)) & 0x0F;
        return (byte) ~(sign | (exp << 4) | mantissa);
    }

    static byte linearToAlaw(short sample) {
        int s = sample;
        int sign = s >= 0 ? 0x80 : 0;
        if (sign == 0) {
            s = -s - 1;
        }
        s = Math.min(s, 32767);
        int exp = 7;
        for (int mask = 0x4000; (s & mask) == 0 && exp > 0; mask >>= 1) {
            exp--;
        }
        int mantissa = exp == 0 ? (s >> 4) & 0x0F : (s >> (exp + 3)) & 0x0F;
        return (byte) ((sign | (exp << 4) | mantissa) ^ 0x55);
    }
}
