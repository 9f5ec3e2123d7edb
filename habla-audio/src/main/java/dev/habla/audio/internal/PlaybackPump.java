package dev.habla.audio.internal;

import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSink;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link PcmLine} from a bounded in-memory queue on its own virtual thread, so that {@link #write} never
 * blocks its caller (the socket reader).
 *
 * <p>Threads: any thread calls {@link #write}, {@link #flush}, {@link #drain} and {@link #close}; the one
 * {@code habla-playback} virtual thread takes chunks off the queue and blocks in {@link PcmLine#write}.
 *
 * <p>Bound: at most {@code maxQueuedBytes} wait in the queue; when a write would exceed it, the oldest chunks are
 * dropped (and counted in {@link #droppedBytes()}): late audio is worth less than current audio.
 *
 * <p>Flush: every chunk is written to the line in pieces of about 20 ms, and the pump re-checks the flush epoch
 * between pieces, so a flush silences output within one piece plus whatever the line itself buffers (which
 * {@link PcmLine#flush()} discards).
 */
public final class PlaybackPump implements AudioSink {

    private static final Logger log = LoggerFactory.getLogger(PlaybackPump.class);
    private static final Duration PIECE = Duration.ofMillis(20);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

    private final AudioFormat format;
    private final PcmLine line;
    private final long maxQueuedBytes;
    private final int pieceBytes;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a chunk is queued or the pump closes. */
    private final Condition notEmpty = lock.newCondition();
    /** Signalled when the queue is empty and no chunk is being written. */
    private final Condition idle = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    /** Guarded by {@link #lock}. */
    private long queuedBytes;
    /** Guarded by {@link #lock}: true while the playback thread writes a chunk it took off the queue. */
    private boolean writing;
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** Bumped by {@link #flush()}; read without the lock by the playback thread between pieces. */
    private volatile long epoch;
    private volatile Throwable failure;
    private final AtomicLong droppedBytes = new AtomicLong();
    private final AtomicLong playedBytes = new AtomicLong();

    private PlaybackPump(AudioFormat format, PcmLine line, long maxQueuedBytes, String threadName) {
        if (maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("maxQueuedBytes must be > 0, was " + maxQueuedBytes);
        }
        this.format = format;
        this.line = line;
        this.maxQueuedBytes = maxQueuedBytes;
        this.pieceBytes = (int) Math.max(format.bytesPerFrame(), format.bytesFor(PIECE));
        this.thread = Thread.ofVirtual().name(threadName).unstarted(this::run);
    }

    /**
     * Starts a pump that plays into {@code line} (already open and started); the pump owns the line from now on and
     * closes it in {@link #close()}.
     */
    public static PlaybackPump start(AudioFormat format, PcmLine line, long maxQueuedBytes, String threadName) {
        PlaybackPump pump = new PlaybackPump(format, line, maxQueuedBytes, threadName);
        pump.thread.start();
        return pump;
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public void write(byte[] pcm) {
        if (pcm.length == 0) {
            return;
        }
        byte[] copy = pcm.clone();   // the caller may reuse its buffer
        lock.lock();
        try {
            if (closed || failure != null) {
                droppedBytes.addAndGet(copy.length);
                return;
            }
            while (queuedBytes + copy.length > maxQueuedBytes && !queue.isEmpty()) {
                byte[] old = queue.removeFirst();
                queuedBytes -= old.length;
                droppedBytes.addAndGet(old.length);
            }
            queue.addLast(copy);
            queuedBytes += copy.length;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() {
        lock.lock();
        try {
            queue.clear();
            queuedBytes = 0;
            epoch++;
            if (!writing) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
        // Outside the lock: the playback thread may be blocked in line.write, and flushing the line is what
        // unblocks it.
        line.flush();
    }

    @Override
    public void drain() throws InterruptedException {
        lock.lock();
        try {
            while (!closed && (writing || !queue.isEmpty())) {
                idle.await();
            }
        } finally {
            lock.unlock();
        }
        line.drain();
    }

    @Override
    public boolean drain(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (!closed && (writing || !queue.isEmpty())) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
        line.drain();
        return true;
    }

    /** Bytes waiting in the queue (not counting what the line buffers). */
    public long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes dropped because the queue was full or the pump was closed or failed. */
    public long droppedBytes() {
        return droppedBytes.get();
    }

    /** Bytes handed to the line. */
    public long playedBytes() {
        return playedBytes.get();
    }

    /** The error that stopped playback, or null. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            queuedBytes = 0;
            epoch++;
            notEmpty.signalAll();
            idle.signalAll();
        } finally {
            lock.unlock();
        }
        line.flush();
        try {
            if (!thread.join(CLOSE_WAIT)) {
                thread.interrupt();
                log.warn("Playback thread {} did not stop within {} ms", thread.getName(), CLOSE_WAIT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            line.close();
        }
    }

    private void run() {
        try {
            while (true) {
                byte[] chunk;
                long chunkEpoch;
                lock.lock();
                try {
                    while (queue.isEmpty() && !closed) {
                        writing = false;
                        idle.signalAll();
                        notEmpty.await();
                    }
                    if (closed) {
                        writing = false;
                        return;
                    }
                    chunk = queue.removeFirst();
                    queuedBytes -= chunk.length;
                    writing = true;
                    chunkEpoch = epoch;
                } finally {
                    lock.unlock();
                }
                for (int at = 0; at < chunk.length && epoch == chunkEpoch; at += pieceBytes) {
                    int n = Math.min(pieceBytes, chunk.length - at);
                    line.write(chunk, at, n);
                    playedBytes.addAndGet(n);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e;
            log.warn("Audio playback stopped: {}", e.toString());
        } finally {
            lock.lock();
            try {
                writing = false;
                queue.clear();
                queuedBytes = 0;
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
