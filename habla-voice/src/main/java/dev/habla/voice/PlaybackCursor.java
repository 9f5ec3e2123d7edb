package dev.habla.voice;

import dev.habla.audio.AudioFormat;
import java.time.Duration;

/**
 * How much of one turn's audio (one epoch) a {@link PlaybackBuffer} has handed to the device.
 *
 * <p>Use it to cut the assistant's transcript at what the user actually heard after a barge-in: the fraction
 * {@code played / received} of the turn's audio, or the absolute {@link #played()} time, marks the cut. "Played"
 * means "read by the speaker pump"; the device's own buffer (typically 20-100 ms) still lies between that and the
 * user's ear, so subtract the device latency via {@link #heard(Duration)} when it is known.
 *
 * @param epoch         the turn epoch this cursor describes
 * @param format        the buffer's PCM format
 * @param receivedBytes bytes of this epoch accepted by {@link PlaybackBuffer#offer}
 * @param playedBytes   bytes of this epoch read by the consumer
 * @param discardedBytes bytes of this epoch thrown away by {@link PlaybackBuffer#flush} or the overflow policy
 * @param complete      whether {@link PlaybackBuffer#endOfTurn} was called for the epoch
 */
public record PlaybackCursor(long epoch, AudioFormat format, long receivedBytes, long playedBytes,
                             long discardedBytes, boolean complete) {

    /** Audio time read by the consumer. */
    public Duration played() {
        return format.durationOf(playedBytes);
    }

    /** Audio time received for the epoch. */
    public Duration received() {
        return format.durationOf(receivedBytes);
    }

    /** {@link #played()} minus what is presumably still in the device buffer, never below zero. */
    public Duration heard(Duration deviceLatency) {
        Duration d = played().minus(deviceLatency);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Fraction (0 to 1) of the received audio that was played; 1 for an epoch that received nothing. */
    public double playedFraction() {
        return receivedBytes == 0 ? 1.0 : Math.min(1.0, (double) playedBytes / receivedBytes);
    }

    @Override
    public String toString() {
        return "PlaybackCursor[epoch=" + epoch + ", played=" + played().toMillis() + " ms of "
                + received().toMillis() + " ms" + (discardedBytes > 0 ? ", discarded " + discardedBytes + " B" : "")
                + (complete ? ", complete" : "") + "]";
    }
}
