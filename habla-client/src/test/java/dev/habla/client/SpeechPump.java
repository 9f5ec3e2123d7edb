package dev.habla.client;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A microphone stand-in: streams speech-like 16 kHz PCM16 into a session in chunks of 20-100 ms, at a multiple of real
 * time, and remembers every byte it got accepted.
 *
 * <p>The signal alternates utterances (voiced harmonics on a pitch contour with a 4.5 Hz syllable envelope, ~-14 dBFS)
 * with pauses long enough for the server's VAD to end the turn. Every sample's low 4 bits carry a hash of its global
 * sample index, so any lost, duplicated or reordered chunk shows up byte for byte; in pauses that pattern is all there
 * is (|s| ≤ 15, about -67 dBFS: silence to any VAD).
 *
 * <p>Back-pressure: it waits while the session has more than {@link #MAX_QUEUED} bytes queued, so nothing is ever
 * evicted for budget reasons; a send that is not QUEUED is counted in {@link #refused()}.
 */
final class SpeechPump implements AutoCloseable {
    static final int RATE = 16_000;
    static final long MAX_QUEUED = 256 * 1024;

    private final LiveSession session;
    private final double speed;
    private final SplittableRandom rnd;
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final List<int[]> chunks = new ArrayList<>();
    private final AtomicLong refused = new AtomicLong();
    private final long minPauseMs;
    private final long maxPauseMs;
    private volatile boolean running = true;
    private Thread thread;
    private long sample;
    private long segmentEnd;
    private boolean speaking;
    private double phase;

    SpeechPump(LiveSession session, long seed, double speed, long minPauseMs, long maxPauseMs) {
        this.session = session;
        this.speed = speed;
        this.rnd = new SplittableRandom(seed);
        this.minPauseMs = minPauseMs;
        this.maxPauseMs = maxPauseMs;
    }

    SpeechPump start() {
        thread = Thread.ofVirtual().name("speech-pump").start(this::run);
        return this;
    }

    private void run() {
        long t0 = System.nanoTime();
        while (running) {
            int ms = 20 + rnd.nextInt(81);
            byte[] pcm = next(RATE * ms / 1000);
            while (running && session.queuedBytes() > MAX_QUEUED) {
                LockSupport.parkNanos(500_000);
            }
            if (!running) {
                break;
            }
            SendResult r = session.sendAudio(pcm, RATE);
            if (r == SendResult.QUEUED) {
                synchronized (this) {
                    chunks.add(new int[] {sent.size(), pcm.length});
                    sent.writeBytes(pcm);
                }
            } else {
                refused.incrementAndGet();
            }
            // Pace at `speed` x real time (a pump, not a wait for events).
            long due = t0 + (long) (sample * 1e9 / RATE / speed);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    /** The next {@code n} samples of the signal. */
    private byte[] next(int n) {
        byte[] out = new byte[n * 2];
        for (int i = 0; i < n; i++, sample++) {
            if (sample >= segmentEnd) {
                speaking = !speaking;
                long ms = speaking ? 250 + rnd.nextInt(350) : minPauseMs + rnd.nextLong(maxPauseMs - minPauseMs + 1);
                segmentEnd = sample + RATE * ms / 1000;
            }
            int v = 0;
            if (speaking) {
                double t = sample / (double) RATE;
                double f0 = 140 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
                phase += 2 * Math.PI * f0 / RATE;
                double voiced = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase);
                double envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4.5 * t);
                v = (int) (9000 * envelope * voiced) & ~0xF;
            }
            int s = v | pattern(sample);
            out[2 * i] = (byte) s;
            out[2 * i + 1] = (byte) (s >> 8);
        }
        return out;
    }

    /** 4 bits derived from the global sample index. */
    static int pattern(long index) {
        long h = index * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 60);
    }

    /** Stops pumping and waits for the pump thread (bounded). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(5_000);
        }
    }

    synchronized byte[] sent() {
        return sent.toByteArray();
    }

    synchronized List<int[]> chunks() {
        return List.copyOf(chunks);
    }

    long refused() {
        return refused.get();
    }

    double seconds() {
        return sample / (double) RATE;
    }
}
