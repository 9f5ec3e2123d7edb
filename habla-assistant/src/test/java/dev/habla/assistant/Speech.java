package dev.habla.assistant;

import dev.habla.audio.WavData;
import dev.habla.audio.WavReader;
import dev.habla.voice.Pcm16;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Random;

/** Audio fixtures: the espeak-ng speech in src/test/resources/speech and simple signals, 16 kHz mono. */
final class Speech {
    static final int RATE = 16_000;

    private Speech() {
    }

    static short[] load(String name) {
        try {
            Path p = Path.of(Speech.class.getResource("/speech/" + name).toURI());
            WavData wav = WavReader.read(p);
            if (wav.format().sampleRate() != RATE || wav.format().channels() != 1) {
                throw new IllegalStateException(name + " is " + wav.format());
            }
            return Pcm16.toShorts(wav.pcm());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path path(String name) {
        try {
            return Path.of(Speech.class.getResource("/speech/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "hello world, this is a test of voice activity detection", 3.48 s. */
    static short[] hello() {
        return load("hello-16k.wav");
    }

    /** "wait, stop please", 1.12 s. */
    static short[] stop() {
        return load("stop-16k.wav");
    }

    /** "what time is it", 1.51 s. */
    static short[] question() {
        return load("question-16k.wav");
    }

    static short[] silence(int ms) {
        return new short[ms * RATE / 1000];
    }

    static short[] concat(short[]... parts) {
        int n = 0;
        for (short[] p : parts) {
            n += p.length;
        }
        short[] out = new short[n];
        int at = 0;
        for (short[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static short[] gain(short[] s, double db) {
        double g = Math.pow(10, db / 20);
        short[] out = new short[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Pcm16.clip(s[i] * g);
        }
        return out;
    }

    static short[] noise(long seed, int ms, double dbfs) {
        Random r = new Random(seed);
        double rms = Pcm16.FULL_SCALE * Math.pow(10, dbfs / 20);
        short[] out = new short[ms * RATE / 1000];
        for (int i = 0; i < out.length; i++) {
            out[i] = Pcm16.clip(r.nextGaussian() * rms);
        }
        return out;
    }

    static short[] tone(double hz, int ms, double dbfs) {
        double amp = Pcm16.FULL_SCALE * Math.pow(10, dbfs / 20) * Math.sqrt(2);
        short[] out = new short[ms * RATE / 1000];
        for (int i = 0; i < out.length; i++) {
            out[i] = Pcm16.clip(amp * Math.sin(2 * Math.PI * hz * i / RATE));
        }
        return out;
    }

    /**
     * {@code s} with gaussian noise at {@code dbfs} added: no two stretches of the result are equal (digital silence
     * repeats), so audio sent up can be located in it byte for byte; at -70 dBFS it is silence to any VAD.
     */
    static short[] withFloor(short[] s, long seed, double dbfs) {
        Random r = new Random(seed);
        double rms = Pcm16.FULL_SCALE * Math.pow(10, dbfs / 20);
        short[] out = new short[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Pcm16.clip(s[i] + r.nextGaussian() * rms);
        }
        return out;
    }

    /** Leading part of {@code s}. */
    static short[] head(short[] s, int ms) {
        return java.util.Arrays.copyOf(s, Math.min(s.length, ms * RATE / 1000));
    }
}
