package dev.habla.audio;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link AudioSource} that plays a WAV file (or PCM in memory) as if it were being spoken into a microphone.
 *
 * <p>{@link Pacing#REAL_TIME}: a chunk is returned once its last sample "has been captured", that is when its end
 * time (open time + audio position) has passed, like a real microphone; {@link Pacing#FAST}: chunks are returned as
 * fast as they are read, with the same timestamps they would have had in real time (so they run ahead of the clock).
 * Optional trailing silence is appended after the data: a server's voice-activity detector only ends an utterance
 * after it has heard some silence.
 *
 * <p>Threads: one reader; {@link #close()} from any thread wakes a paced {@link #read()} at once.
 */
public final class WavSource implements AudioSource {

    /** How fast chunks are delivered. */
    public enum Pacing {
        /** Each chunk when its audio has "been captured": real time. */
        REAL_TIME,
        /** As fast as possible; timestamps still follow the audio's own timeline. */
        FAST
    }

    /** Default chunk length: 20 ms, a typical microphone buffer. */
    public static final Duration DEFAULT_CHUNK = Duration.ofMillis(20);

    private final AudioFormat format;
    private final WavReader reader;      // null for in-memory PCM
    private final byte[] memory;         // null for a file
    private final Pacing pacing;
    private final int chunkBytes;
    private final long silenceBytes;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition closedSignal = lock.newCondition();
    /** Guarded by lock. */
    private boolean closed;

    // Reader-thread state.
    private long startNanos = -1;
    private long position;          // bytes delivered so far (data + silence)
    private long memoryAt;
    private long sequence;
    private boolean dataEnded;
    private long silenceLeft;

    private WavSource(AudioFormat format, WavReader reader, byte[] memory, Pacing pacing, Duration chunk,
                      Duration trailingSilence) {
        this.format = format;
        this.reader = reader;
        this.memory = memory;
        this.pacing = Objects.requireNonNull(pacing, "pacing");
        Objects.requireNonNull(chunk, "chunk");
        Objects.requireNonNull(trailingSilence, "trailingSilence");
        if (chunk.isNegative() || chunk.isZero()) {
            throw new IllegalArgumentException("chunk must be > 0, was " + chunk);
        }
        if (trailingSilence.isNegative()) {
            throw new IllegalArgumentException("trailingSilence must be >= 0, was " + trailingSilence);
        }
        this.chunkBytes = (int) Math.max(format.bytesPerFrame(), format.bytesFor(chunk));
        this.silenceBytes = format.bytesFor(trailingSilence);
        this.silenceLeft = silenceBytes;
    }

    /** Opens a WAV file, 20 ms chunks, no trailing silence. */
    public static WavSource open(Path path, Pacing pacing) {
        return open(path, pacing, DEFAULT_CHUNK, Duration.ZERO);
    }

    /**
     * Opens a WAV file.
     *
     * @param chunk           audio per {@link #read()} (rounded down to whole frames)
     * @param trailingSilence silence appended after the file's data
     * @throws WavFormatException  if it is not 16-bit PCM WAV
     * @throws AudioFileException  if the file cannot be read (the cause says why)
     */
    public static WavSource open(Path path, Pacing pacing, Duration chunk, Duration trailingSilence) {
        WavReader reader = WavReader.open(path);
        try {
            return new WavSource(reader.format(), reader, null, pacing, chunk, trailingSilence);
        } catch (RuntimeException e) {
            try {
                reader.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A source over PCM in memory (the array is not copied; do not modify it). */
    public static WavSource of(AudioFormat format, byte[] pcm, Pacing pacing, Duration chunk, Duration trailingSilence) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(pcm, "pcm");
        return new WavSource(format, null, pcm, pacing, chunk, trailingSilence);
    }

    /** A source over a whole WAV in memory, 20 ms chunks, no trailing silence. */
    public static WavSource of(WavData wav, Pacing pacing) {
        return of(wav.format(), wav.pcm(), pacing, DEFAULT_CHUNK, Duration.ZERO);
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    public Pacing pacing() {
        return pacing;
    }

    /** Audio delivered so far (data and silence). */
    public Duration position() {
        return format.durationOf(position);
    }

    @Override
    public PcmChunk read() throws IOException, InterruptedException {
        if (isClosed()) {
            return null;
        }
        if (startNanos < 0) {
            startNanos = System.nanoTime();
        }
        byte[] chunk;
        try {
            chunk = next();
        } catch (IOException e) {
            if (isClosed()) {
                return null;   // closed under us: the end of the stream, not a failure
            }
            throw e;
        }
        if (chunk == null) {
            return null;
        }
        long capture = startNanos + format.durationOf(position).toNanos();
        position += chunk.length;
        if (pacing == Pacing.REAL_TIME) {
            long due = startNanos + format.durationOf(position).toNanos();
            if (!awaitUntil(due)) {
                return null;
            }
        }
        return new PcmChunk(sequence++, capture, format, chunk);
    }

    /** The next chunk's bytes from the data, then from the trailing silence; null at the end. */
    private byte[] next() throws IOException {
        if (!dataEnded) {
            byte[] buf = new byte[chunkBytes];
            int n = 0;
            while (n < chunkBytes) {
                int r = readData(buf, n, chunkBytes - n);
                if (r < 0) {
                    dataEnded = true;
                    break;
                }
                n += r;
            }
            n -= n % format.bytesPerFrame();   // a truncated file may end mid-frame
            if (n > 0) {
                return n == chunkBytes ? buf : java.util.Arrays.copyOf(buf, n);
            }
        }
        if (silenceLeft > 0) {
            int n = (int) Math.min(chunkBytes, silenceLeft);
            silenceLeft -= n;
            return new byte[n];
        }
        return null;
    }

    private int readData(byte[] buf, int offset, int length) throws IOException {
        if (reader != null) {
            return reader.read(buf, offset, length);
        }
        if (memoryAt >= memory.length) {
            return -1;
        }
        int n = (int) Math.min(length, memory.length - memoryAt);
        System.arraycopy(memory, (int) memoryAt, buf, offset, n);
        memoryAt += n;
        return n;
    }

    /** Waits until System.nanoTime() reaches {@code due}; false if closed meanwhile. */
    private boolean awaitUntil(long due) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long wait;
            while (!closed && (wait = due - System.nanoTime()) > 0) {
                closedSignal.await(wait, TimeUnit.NANOSECONDS);
            }
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closedSignal.signalAll();
        } finally {
            lock.unlock();
        }
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException ignored) {
                // Read-only file: nothing was lost.
            }
        }
    }

    @Override
    public String toString() {
        return "WavSource[" + format + ", " + pacing + (silenceBytes > 0 ? ", +" + format.durationOf(silenceBytes).toMillis()
                + " ms silence" : "") + "]";
    }
}
