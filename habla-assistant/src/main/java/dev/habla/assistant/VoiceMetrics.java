package dev.habla.assistant;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counters and latency distributions of one {@link VoiceLoop}, for tests, the CLI and monitoring. Thread-safe;
 * {@link #snapshot()} is consistent per distribution. Latency distributions keep the most recent
 * {@value #WINDOW} samples.
 */
public final class VoiceMetrics {

    /** Samples kept per distribution. */
    public static final int WINDOW = 4096;

    /**
     * A latency distribution.
     *
     * @param count samples recorded since the start (the percentiles cover the last {@value #WINDOW})
     */
    public record Latency(long count, Duration p50, Duration p95, Duration max, Duration mean) {

        static final Latency EMPTY = new Latency(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);

        @Override
        public String toString() {
            return count == 0 ? "n=0" : String.format(java.util.Locale.ROOT, "n=%d p50=%.3f ms p95=%.3f ms max=%.3f ms",
                    count, ms(p50), ms(p95), ms(max));
        }

        private static double ms(Duration d) {
            return d.toNanos() / 1e6;
        }
    }

    /**
     * Everything at one moment.
     *
     * @param interruptToSilence   server {@code interrupted} reaching the loop → speaker silenced (buffer and sink
     *                             flushed; no audio of the cut turn written after it)
     * @param localOnsetToSilence  local speech onset (capture time of its first sample) → speaker silenced, for local
     *                             barge-ins ({@link VadMode#ASSIST}, {@link VadMode#MANUAL}); includes the VAD's
     *                             confirmation delay ({@code minSpeech})
     * @param localDetectToSilence the frame that confirmed local speech was captured → speaker silenced
     * @param vadPerFrame          CPU time of the detector per 32 ms frame
     * @param micFramePerFrame     CPU time of the whole per-frame mic work (echo policy, VAD, segmenter, send)
     * @param bargeIns             silencings by trigger: server, local VAD, push-to-talk
     * @param framesProcessed      microphone frames (512 samples at 16 kHz) processed
     * @param echoFrames           frames the duplex policy judged to be the assistant's own voice
     * @param underruns            playback buffer underruns (ran dry mid-turn)
     * @param staleBytesDropped    late audio of cut turns dropped (turn epochs)
     * @param flushedBytes         queued audio discarded by barge-ins
     * @param streamEnds           {@code audioStreamEnd} messages sent
     * @param connectionLostTurns  assistant turns cut short because their connection was lost (resilient session)
     */
    public record Snapshot(Latency interruptToSilence, Latency localOnsetToSilence, Latency localDetectToSilence,
                           Latency vadPerFrame, Latency micFramePerFrame, long serverBargeIns, long localBargeIns,
                           long pushToTalkBargeIns, long framesProcessed, long echoFrames, long underruns,
                           long staleBytesDropped, long flushedBytes, long streamEnds,
                           long connectionLostTurns) {
    }

    final Reservoir interruptToSilence = new Reservoir();
    final Reservoir localOnsetToSilence = new Reservoir();
    final Reservoir localDetectToSilence = new Reservoir();
    final Reservoir vadPerFrame = new Reservoir();
    final Reservoir micFramePerFrame = new Reservoir();
    final AtomicLong serverBargeIns = new AtomicLong();
    final AtomicLong localBargeIns = new AtomicLong();
    final AtomicLong pushToTalkBargeIns = new AtomicLong();
    final AtomicLong framesProcessed = new AtomicLong();
    final AtomicLong echoFrames = new AtomicLong();
    final AtomicLong staleBytesDropped = new AtomicLong();
    final AtomicLong flushedBytes = new AtomicLong();
    final AtomicLong streamEnds = new AtomicLong();
    final AtomicLong connectionLostTurns = new AtomicLong();
    /** Underruns come from the playback buffer; the loop sets this supplier. */
    volatile java.util.function.LongSupplier underruns = () -> 0;

    VoiceMetrics() {
    }

    public Snapshot snapshot() {
        return new Snapshot(interruptToSilence.latency(), localOnsetToSilence.latency(), localDetectToSilence.latency(),
                vadPerFrame.latency(), micFramePerFrame.latency(), serverBargeIns.get(), localBargeIns.get(),
                pushToTalkBargeIns.get(), framesProcessed.get(), echoFrames.get(), underruns.getAsLong(),
                staleBytesDropped.get(), flushedBytes.get(), streamEnds.get(),
                connectionLostTurns.get());
    }

    /** The most recent {@link #WINDOW} samples of one latency, in nanoseconds. */
    static final class Reservoir {
        private final ReentrantLock lock = new ReentrantLock();
        private final long[] samples = new long[WINDOW];
        private long count;
        private long max;

        void record(long nanos) {
            long v = Math.max(0, nanos);
            lock.lock();
            try {
                samples[(int) (count % WINDOW)] = v;
                count++;
                max = Math.max(max, v);
            } finally {
                lock.unlock();
            }
        }

        Latency latency() {
            long[] copy;
            long n;
            long mx;
            lock.lock();
            try {
                n = count;
                mx = max;
                copy = Arrays.copyOf(samples, (int) Math.min(n, WINDOW));
            } finally {
                lock.unlock();
            }
            if (copy.length == 0) {
                return Latency.EMPTY;
            }
            Arrays.sort(copy);
            double sum = 0;
            for (long v : copy) {
                sum += v;
            }
            return new Latency(n, Duration.ofNanos(percentile(copy, 0.50)), Duration.ofNanos(percentile(copy, 0.95)),
                    Duration.ofNanos(mx), Duration.ofNanos(Math.round(sum / copy.length)));
        }

        /** Nearest-rank percentile of sorted values. */
        static long percentile(long[] sorted, double q) {
            int rank = (int) Math.ceil(q * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }
    }
}
