package dev.habla.audio;

import java.time.Duration;

/**
 * Somewhere PCM goes to be heard: a speaker, a file, nowhere.
 *
 * <p>Contract for implementations: {@link #write} never blocks the caller (it is called from a socket reader that
 * must keep reading), so a sink that plays in real time queues what it cannot play yet. {@link #flush()} drops
 * everything queued at once (barge-in); {@link #drain()} waits until everything queued has been played.
 * {@link #close()} drops whatever is still queued and releases the device; it is idempotent.
 */
public interface AudioSink extends AutoCloseable {

    /** The format {@link #write} expects. */
    AudioFormat format();

    /** Queues {@code pcm} (whole frames of {@link #format()}) for playback; returns at once. */
    void write(byte[] pcm);

    /** Drops all queued audio now, including what the device has buffered but not yet played. */
    void flush();

    /** Blocks until all queued audio has been played (or the sink is flushed or closed). */
    void drain() throws InterruptedException;

    /**
     * Like {@link #drain()} but gives up after {@code timeout}.
     *
     * @return true if drained, false on timeout
     */
    boolean drain(Duration timeout) throws InterruptedException;

    /** Stops playback, drops queued audio and releases the device. Idempotent. */
    @Override
    void close();
}
