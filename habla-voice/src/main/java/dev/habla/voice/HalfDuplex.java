package dev.habla.voice;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Half duplex: the microphone is deaf while the speaker plays and for a hangover afterwards, so the assistant can
 * never interrupt itself, and the user cannot interrupt it either.
 *
 * <p>Meant for kiosks and loud open speakers where echo is strong and barge-in is not wanted. Prefer
 * {@link EchoGate} wherever the user should be able to talk over the assistant.
 *
 * <p>"Playing" means far-end audio louder than {@value #AUDIBLE_DBFS} dBFS (the digital silence a pump writes
 * between turns does not count). A mic frame is rejected if its span, widened by {@code hangover} into the past
 * (the echo arrives late and rings on), overlaps any audible far-end audio.
 *
 * <p>Thread-safety: a lock guards the interval list; {@link #onPlayed} and {@link #isLikelyUserSpeech} may be called
 * from different threads.
 */
public final class HalfDuplex implements DuplexPolicy {

    /** Default hangover: covers acoustic delay plus room reverberation on ordinary hardware. */
    public static final Duration DEFAULT_HANGOVER = Duration.ofMillis(400);

    /** Far-end audio quieter than this (RMS) is silence. */
    static final double AUDIBLE_DBFS = -60;

    private static final long MIC_RATE = VoiceActivityDetector.SAMPLE_RATE;

    private final int farEndRate;
    private final long hangoverNanos;
    private final ReentrantLock lock = new ReentrantLock();
    /** Audible far-end spans as [start, end) nanos, oldest first, merged when adjacent; guarded by lock. */
    private final ArrayDeque<long[]> audible = new ArrayDeque<>();

    /**
     * @param farEndRate sample rate of the audio passed to {@link #onPlayed}
     * @param hangover   how long after audible far-end audio the mic stays deaf
     */
    public HalfDuplex(int farEndRate, Duration hangover) {
        if (farEndRate < 1000) {
            throw new IllegalArgumentException("farEndRate must be >= 1000 Hz, was " + farEndRate);
        }
        Objects.requireNonNull(hangover, "hangover");
        if (hangover.isNegative()) {
            throw new IllegalArgumentException("hangover must be >= 0, was " + hangover);
        }
        this.farEndRate = farEndRate;
        this.hangoverNanos = hangover.toNanos();
    }

    /** Half duplex with {@link #DEFAULT_HANGOVER}. */
    public HalfDuplex(int farEndRate) {
        this(farEndRate, DEFAULT_HANGOVER);
    }

    @Override
    public void onPlayed(short[] pcm, long playTimeNanos) {
        if (pcm.length == 0 || Pcm16.dbfs(pcm) < AUDIBLE_DBFS) {
            return;
        }
        long end = playTimeNanos + pcm.length * 1_000_000_000L / farEndRate;
        lock.lock();
        try {
            long[] last = audible.peekLast();
            if (last != null && playTimeNanos <= last[1] + 1_000_000 && end >= last[0]) {
                last[0] = Math.min(last[0], playTimeNanos);
                last[1] = Math.max(last[1], end);
            } else {
                audible.addLast(new long[] {playTimeNanos, end});
            }
            // Keep a bounded history: spans that ended long ago can no longer overlap any mic frame.
            while (audible.size() > 1024 || (audible.size() > 1 && audible.peekFirst()[1] < end - 60_000_000_000L)) {
                audible.pollFirst();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isLikelyUserSpeech(short[] micFrame, long micTimeNanos) {
        long from = micTimeNanos - hangoverNanos;
        long to = micTimeNanos + micFrame.length * 1_000_000_000L / MIC_RATE;
        lock.lock();
        try {
            for (long[] span : audible) {
                if (span[0] < to && span[1] > from) {
                    return false;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void reset() {
        lock.lock();
        try {
            audible.clear();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "HalfDuplex[hangover " + hangoverNanos / 1_000_000 + " ms]";
    }
}
