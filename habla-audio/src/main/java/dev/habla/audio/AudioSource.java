package dev.habla.audio;

import java.io.IOException;

/**
 * Somewhere PCM comes from: a microphone, a file, a test fixture.
 *
 * <p>Contract for implementations: {@link #read()} blocks until the next chunk is available and returns it, or
 * returns {@code null} at the end of the stream (end of a file, or the source was closed). Chunks come in capture
 * order with {@link PcmChunk#sequence()} counting up from 0 and timestamps on the {@link System#nanoTime()} clock.
 * One thread reads (the voice loop's mic pump); {@link #close()} may be called from any other thread and makes a
 * blocked {@code read} return {@code null} promptly. {@code close()} is idempotent.
 */
public interface AudioSource extends AutoCloseable {

    /** The format of every chunk this source returns. */
    AudioFormat format();

    /**
     * The next chunk, waiting for it if necessary.
     *
     * @return the chunk, or null at the end of the stream or after {@link #close()}
     * @throws IOException          when the device or file fails (the source is then unusable)
     * @throws InterruptedException when the reading thread is interrupted
     */
    PcmChunk read() throws IOException, InterruptedException;

    /** Stops capturing and releases the device or file; a blocked {@link #read()} returns null. Idempotent. */
    @Override
    void close();
}
