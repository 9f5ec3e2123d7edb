package dev.habla.audio;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link AudioSink} that records everything written to it into a WAV file, for tests and for
 * {@code habla talk --output reply.wav}.
 *
 * <p>Nothing is queued: {@link #write} appends to the file at once (a local file write, fast enough for the
 * "never blocks" contract), so {@link #flush()} has nothing to drop and {@link #drain()} returns at once. The first
 * I/O error is kept ({@link #failure()}); later writes are then counted as dropped instead of thrown, because the
 * caller is a playback thread that cannot do anything useful with an exception. {@link #close()} fixes the WAV
 * header. Thread-safe.
 */
public final class WavSink implements AudioSink {

    private final WavWriter writer;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private IOException failure;
    /** Guarded by lock. */
    private long droppedBytes;
    /** Guarded by lock. */
    private boolean closed;

    private WavSink(WavWriter writer) {
        this.writer = writer;
    }

    /**
     * Creates (or truncates) {@code path} for PCM in {@code format}.
     *
     * @throws AudioFileException if the file cannot be created (the cause says why)
     */
    public static WavSink create(Path path, AudioFormat format) {
        return new WavSink(WavWriter.create(Objects.requireNonNull(path, "path"), Objects.requireNonNull(format, "format")));
    }

    @Override
    public AudioFormat format() {
        return writer.format();
    }

    public Path path() {
        return writer.path();
    }

    @Override
    public void write(byte[] pcm) {
        lock.lock();
        try {
            if (closed || failure != null) {
                droppedBytes += pcm.length;
                return;
            }
            writer.write(pcm);
        } catch (IOException e) {
            failure = e;
            droppedBytes += pcm.length;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of PCM in the file so far. */
    public long bytesWritten() {
        return writer.dataBytes();
    }

    /** Play time of the PCM in the file so far. */
    public Duration duration() {
        return writer.duration();
    }

    /** Bytes not written because of an earlier I/O error or because the sink was closed. */
    public long droppedBytes() {
        lock.lock();
        try {
            return droppedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** The first write error, or null. */
    public IOException failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    /** Nothing is queued: a file has no audio "not yet played". */
    @Override
    public void flush() {
    }

    @Override
    public void drain() {
    }

    @Override
    public boolean drain(Duration timeout) {
        return true;
    }

    /** Fixes the header and closes the file; an error doing so is kept in {@link #failure()}. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            writer.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "WavSink[" + writer.path() + ", " + writer.format() + "]";
    }
}
