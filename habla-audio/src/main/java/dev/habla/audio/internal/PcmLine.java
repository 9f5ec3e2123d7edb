package dev.habla.audio.internal;

/**
 * The few operations {@link PlaybackPump} needs from an output line; {@code SourceDataLine} in production, a fake in
 * tests. {@link #write} blocks until the device has taken the bytes (that is what paces playback).
 */
public interface PcmLine {

    /** Blocks until all {@code length} bytes are in the device buffer. */
    void write(byte[] pcm, int offset, int length);

    /** Discards what the device has buffered but not played. May be called while another thread is in write. */
    void flush();

    /** Blocks until the device buffer has played out. */
    void drain();

    /** Releases the device. */
    void close();
}
