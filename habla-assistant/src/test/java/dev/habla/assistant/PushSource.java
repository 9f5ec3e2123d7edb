package dev.habla.assistant;

import dev.habla.time.Scheduler;
import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSource;
import dev.habla.audio.PcmChunk;
import dev.habla.voice.Pcm16;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A microphone the test speaks into: {@link #push} queues audio that the loop reads at once ("fast"), with capture
 * timestamps continuing a timeline that never falls behind the clock; {@link #pushPaced} queues audio that becomes
 * readable chunk by chunk as it "is spoken" (real time on the clock), like a real microphone, without blocking the
 * test thread. 20 ms chunks, 16 kHz mono.
 */
class PushSource implements AudioSource {

    static final AudioFormat FORMAT = AudioFormat.PCM_16K_MONO;
    private static final int CHUNK = 320;

    private record Item(PcmChunk chunk, long readyAt) {}

    private final Scheduler clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private long sequence;
    private long nextCapture;
    /** End of the paced audio queued so far (and of fast audio queued behind it), on the clock. */
    private long pacedEnd = Long.MIN_VALUE;
    private boolean ended;
    private boolean closed;
    /** Most a paced chunk was handed to the reader after it became readable (clock nanos), since the last take. */
    private long maxLateness;

    PushSource(Scheduler clock) {
        this.clock = clock;
    }

    PushSource() {
        this(Scheduler.system());
    }

    @Override
    public AudioFormat format() {
        return FORMAT;
    }

    /**
     * Queues {@code samples} to be read at once, as if a burst of audio captured just now arrived late: their capture
     * times end now. Returns the capture time of their first sample.
     */
    long push(short[] samples) {
        return enqueue(samples, false);
    }

    /** Queues {@code samples} to be read in real time, each chunk when its end "has been captured". */
    long pushPaced(short[] samples) {
        return enqueue(samples, true);
    }

    /** No more audio: the loop's source reaches its end after what is queued. */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private long enqueue(short[] samples, boolean paced) {
        lock.lock();
        try {
            // Paced audio is captured from now on; a fast burst "was captured" just before now. Bursts pushed in
            // quick succession then overlap in time, which is fiction either way; what matters is that audio pushed
            // paced after a burst is not scheduled behind a timeline that ran ahead of the clock.
            long now = clock.nanoTime();
            long duration = samples.length * 1_000_000_000L / FORMAT.sampleRate();
            if (paced) {
                nextCapture = Math.max(now, pacedEnd);
            } else {
                nextCapture = pacedEnd > now ? pacedEnd : now - duration;
            }
            long first = nextCapture;
            for (int at = 0; at < samples.length; at += CHUNK) {
                int n = Math.min(CHUNK, samples.length - at);
                byte[] pcm = Pcm16.toBytes(samples, at, n);
                long capture = nextCapture;
                nextCapture += n * 1_000_000_000L / FORMAT.sampleRate();
                queue.addLast(new Item(new PcmChunk(sequence++, capture, FORMAT, pcm), paced ? nextCapture : 0));
            }
            if (paced || pacedEnd > now) {
                pacedEnd = nextCapture;   // later audio follows audio that is still being "spoken"
            }
            changed.signalAll();
            return first;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public PcmChunk read() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (true) {
                if (closed) {
                    return null;
                }
                Item head = queue.peekFirst();
                if (head == null) {
                    if (ended) {
                        return null;
                    }
                    changed.await();
                    continue;
                }
                long wait = head.readyAt() - clock.nanoTime();
                if (wait > 0) {
                    changed.await(Math.max(1, clock.toRealNanos(wait)), TimeUnit.NANOSECONDS);
                    continue;
                }
                queue.pollFirst();
                if (head.readyAt() != 0) {
                    // How long the reader was not there to take it: its thread waiting for a CPU, or still busy.
                    maxLateness = Math.max(maxLateness, clock.nanoTime() - head.readyAt());
                }
                return head.chunk();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The most any paced chunk was taken after it became readable, since the last call (which this resets): how far
     * the reader lagged behind the "microphone", in clock nanos.
     */
    long takeMaxLateness() {
        lock.lock();
        try {
            long m = maxLateness;
            maxLateness = 0;
            return m;
        } finally {
            lock.unlock();
        }
    }

    /** Chunks not read yet. */
    int pending() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
