package dev.habla.emulator.internal;

import dev.habla.protocol.RealtimeInputConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Energy voice-activity detector with server-VAD semantics, on audio time (sample counts), so results do not depend
 * on when audio arrives. PCM16 LE mono at any rate is cut into 10 ms frames; a frame is loud when its RMS level in
 * dBFS reaches a threshold.
 *
 * <ul>
 *   <li>Start of speech: loud frames (≥ start threshold) for {@code prefixPaddingMs} in a row. Start sensitivity
 *       HIGH (default) = -50 dBFS, LOW = -38 dBFS.</li>
 *   <li>End of speech: {@code silenceDurationMs} of frames below the end threshold. The end threshold is the start
 *       threshold minus 3 dB (end sensitivity HIGH, default: ends readily) or minus 10 dB (LOW: holds on through quiet
 *       syllables).</li>
 *   <li>The utterance lasts from its first loud frame to the end of its last loud frame.</li>
 * </ul>
 * Defaults: prefixPaddingMs 20, silenceDurationMs 500. Not thread-safe: owned by one session, used under its lock.
 */
final class Vad {
    static final int DEFAULT_PREFIX_PADDING_MS = 20;
    static final int DEFAULT_SILENCE_DURATION_MS = 500;

    sealed interface Event {}

    /** Speech started (committed after the prefix padding); {@code atMicros}: audio time of its first loud frame. */
    record SpeechStart(long atMicros) implements Event {}

    /**
     * Speech ended; {@code seconds} is the utterance's length, {@code atMicros} the audio time where its last loud
     * frame ends.
     */
    record SpeechEnd(double seconds, long atMicros) implements Event {}

    private final double startDb;
    private final double endDb;
    private final long prefixMicros;
    private final long silenceMicros;

    private int rate;
    private short[] frame = new short[0];
    private int fill;
    private int carry = -1; // odd trailing byte of the previous chunk
    private long time; // audio time at the start of the current frame, µs

    private boolean speaking;
    private long candidateStart = -1;
    private long run;
    private long speechStart;
    private long lastSpeechEnd;
    private long silence;

    Vad(RealtimeInputConfig.AutomaticActivityDetection cfg) {
        boolean startLow = cfg != null && cfg.startOfSpeechSensitivity() == RealtimeInputConfig.StartSensitivity.START_SENSITIVITY_LOW;
        boolean endLow = cfg != null && cfg.endOfSpeechSensitivity() == RealtimeInputConfig.EndSensitivity.END_SENSITIVITY_LOW;
        this.startDb = startLow ? -38 : -50;
        this.endDb = startDb - (endLow ? 10 : 3);
        int prefix = cfg != null && cfg.prefixPaddingMs() != null ? Math.max(0, cfg.prefixPaddingMs()) : DEFAULT_PREFIX_PADDING_MS;
        int sil = cfg != null && cfg.silenceDurationMs() != null ? Math.max(0, cfg.silenceDurationMs()) : DEFAULT_SILENCE_DURATION_MS;
        this.prefixMicros = prefix * 1000L;
        this.silenceMicros = sil * 1000L;
    }

    boolean speaking() {
        return speaking;
    }

    /** Feeds PCM16 LE mono at {@code sampleRate}; returns what was detected, in order. */
    List<Event> feed(byte[] pcm, int sampleRate) {
        List<Event> out = new ArrayList<>(1);
        if (sampleRate != rate) {
            rate = sampleRate;
            frame = new short[Math.max(1, sampleRate / 100)];
            fill = 0;
            carry = -1;
        }
        int i = 0;
        if (carry >= 0 && pcm.length > 0) {
            push((short) ((carry & 0xFF) | (pcm[0] << 8)), out);
            carry = -1;
            i = 1;
        }
        for (; i + 1 < pcm.length; i += 2) {
            push((short) ((pcm[i] & 0xFF) | (pcm[i + 1] << 8)), out);
        }
        if (i < pcm.length) {
            carry = pcm[i] & 0xFF;
        }
        return out;
    }

    /** End of the audio stream: a partial frame counts, speech in progress ends, an uncommitted start is dropped. */
    List<Event> flush() {
        List<Event> out = new ArrayList<>(1);
        if (fill > 0) {
            frameDone(fill, out);
        }
        if (speaking) {
            speaking = false;
            out.add(new SpeechEnd((lastSpeechEnd - speechStart) / 1e6, lastSpeechEnd));
        }
        candidateStart = -1;
        run = 0;
        carry = -1;
        return out;
    }

    private void push(short s, List<Event> out) {
        frame[fill++] = s;
        if (fill == frame.length) {
            frameDone(fill, out);
        }
    }

    private void frameDone(int n, List<Event> out) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
            double x = frame[k] / 32768.0;
            sum += x * x;
        }
        double db = sum == 0 ? Double.NEGATIVE_INFINITY : 10 * Math.log10(sum / n);
        long dur = n * 1_000_000L / rate;
        long start = time;
        long end = start + dur;
        time = end;
        fill = 0;
        if (!speaking) {
            if (db >= startDb) {
                if (candidateStart < 0) {
                    candidateStart = start;
                    run = 0;
                }
                run += dur;
                if (run >= prefixMicros) {
                    speaking = true;
                    speechStart = candidateStart;
                    lastSpeechEnd = end;
                    silence = 0;
                    candidateStart = -1;
                    out.add(new SpeechStart(speechStart));
                }
            } else {
                candidateStart = -1;
                run = 0;
            }
        } else if (db >= endDb) {
            lastSpeechEnd = end;
            silence = 0;
        } else {
            silence += dur;
            if (silence >= silenceMicros) {
                speaking = false;
                out.add(new SpeechEnd((lastSpeechEnd - speechStart) / 1e6, lastSpeechEnd));
            }
        }
    }
}
