package dev.habla.client.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A minimal energy detector over the audio the user sends (PCM16 little-endian mono), in audio time: it tells how
 * long the tail of the stream has been quiet, so a handover does not cut an utterance in two, and whether the user
 * spoke since the last reply. Not thread-safe: the owner guards it (the resilient session's send lock).
 */
final class AudioActivity {
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    /** 10-ms analysis frames, like the service's VAD. */
    private static final int FRAME_MILLIS = 10;

    private final double thresholdSquared;
    private boolean any;
    private int rate;
    private int frameSamples;
    private long frameSum;
    private int frameCount;
    /** Audio time (ns) since the last loud frame; Long.MAX_VALUE before any audio. */
    private long quietNanos = Long.MAX_VALUE;
    private boolean speechSinceMark;
    /** Loud frames seen so far, for telling whether a chunk carried speech. */
    private long loudFrames;

    AudioActivity(double quietLevelDbfs) {
        double amplitude = 32768 * Math.pow(10, quietLevelDbfs / 20);
        this.thresholdSquared = amplitude * amplitude;
    }

    /** Feeds one chunk; returns the quiet time after it. */
    long feed(byte[] pcm, int sampleRate) {
        if (sampleRate != rate) {
            rate = sampleRate;
            frameSamples = Math.max(1, sampleRate * FRAME_MILLIS / 1000);
            frameSum = 0;
            frameCount = 0;
        }
        if (!any) {
            any = true;
            quietNanos = 0;
        }
        long frameNanos = FRAME_MILLIS * 1_000_000L;
        // Frame by frame: the inner loop is a plain sum of squares (one little-endian short load per sample), which
        // the JIT compiles tightly; a gateway feeds every client's audio through here, 1,600 samples per message.
        int samples = pcm.length / 2;
        int at = 0;
        while (samples > 0) {
            int take = Math.min(samples, frameSamples - frameCount);
            long sum = frameSum;
            for (int end = at + 2 * take; at < end; at += 2) {
                int s = (short) SHORTS.get(pcm, at);
                sum += (long) s * s;
            }
            frameSum = sum;
            frameCount += take;
            samples -= take;
            if (frameCount == frameSamples) {
                if ((double) frameSum / frameCount > thresholdSquared) {
                    quietNanos = 0;
                    speechSinceMark = true;
                    loudFrames++;
                } else if (quietNanos != Long.MAX_VALUE) {
                    quietNanos += frameNanos;
                }
                frameSum = 0;
                frameCount = 0;
            }
        }
        return quietNanos;
    }

    /** Audio time since the last loud frame (Long.MAX_VALUE if no audio was ever sent). */
    long quietNanos() {
        return quietNanos;
    }

    /** Loud frames seen so far (grows when a chunk carried speech). */
    long loudFrames() {
        return loudFrames;
    }

    /** Whether a loud frame was seen since the last {@link #mark()}. */
    boolean speechSinceMark() {
        return speechSinceMark;
    }

    /** Starts a new "spoke since" window (at the start of a model reply). */
    void mark() {
        speechSinceMark = false;
    }
}
