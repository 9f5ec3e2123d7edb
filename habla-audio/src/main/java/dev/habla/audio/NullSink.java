package dev.habla.audio;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** An {@link AudioSink} that plays nothing and only counts the bytes it was given. Thread-safe. */
public final class NullSink implements AudioSink {

    private final AudioFormat format;
    private final AtomicLong bytesWritten = new AtomicLong();

    public NullSink(AudioFormat format) {
        this.format = java.util.Objects.requireNonNull(format, "format");
    }

    @Override
    public AudioFormat format() {
        return format;
    }

    @Override
    public void write(byte[] pcm) {
        bytesWritten.addAndGet(pcm.length);
    }

    /** Total bytes passed to {@link #write}. */
    public long bytesWritten() {
        return bytesWritten.get();
    }

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

    @Override
    public void close() {
    }
}
