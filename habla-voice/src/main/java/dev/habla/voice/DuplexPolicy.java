package dev.habla.voice;

/**
 * Decides whether speech heard by the microphone may interrupt the assistant (barge-in), given what the speaker is
 * playing.
 *
 * <p>The voice loop feeds the policy two streams on one clock (e.g. {@link System#nanoTime()}):
 * <ul>
 *   <li>the <b>far end</b>: every piece of audio handed to the speaker, with the time its first sample is expected
 *       to leave the speaker ({@link #onPlayed}), called from the playback pump <i>when</i> it hands the audio to
 *       the device (not after the device has played it: the reference must be there before its echo reaches the
 *       mic pump, or the echo is judged with nothing to compare against);</li>
 *   <li>the <b>near end</b>: every microphone frame with the capture time of its first sample
 *       ({@link #isLikelyUserSpeech}), called from the mic pump.</li>
 * </ul>
 * Derive both kinds of timestamp from sample counters (stream start time + samples so far / rate) rather than a
 * fresh clock reading per chunk: the echo gate lines the two streams up to the sample, and per-chunk scheduling
 * jitter would smear that alignment.
 *
 * <p>Combine it with a detector: zero the speech probability of a frame the policy rejects before handing it to a
 * {@link VadSegmenter}, so only speech that is not the assistant's own voice can start a turn or a barge-in.
 *
 * <p>Implementations: {@link EchoGate} (full duplex: compares the mic with the predicted echo),
 * {@link HalfDuplex} (kiosks: the mic is deaf while the speaker plays), {@link #fullDuplex()} (headphones: every
 * frame passes).
 *
 * <p>Thread-safety: implementations in this package are safe for one thread calling {@link #onPlayed} and another
 * calling {@link #isLikelyUserSpeech} at the same time.
 */
public interface DuplexPolicy {

    /**
     * Records far-end audio: {@code pcm} (mono, at the rate the policy was created for) whose first sample plays
     * at {@code playTimeNanos}.
     */
    void onPlayed(short[] pcm, long playTimeNanos);

    /** {@link #onPlayed(short[], long)} for little-endian PCM16 bytes. */
    default void onPlayed(byte[] pcm, long playTimeNanos) {
        onPlayed(Pcm16.toShorts(pcm), playTimeNanos);
    }

    /**
     * Whether the energy in {@code micFrame} (16 kHz mono, up to 320 ms, first sample captured at
     * {@code micTimeNanos}) may be the user's: true unless it is explained by what the speaker played. The policy
     * does not judge whether the frame is speech at all; that is the detector's job.
     */
    boolean isLikelyUserSpeech(short[] micFrame, long micTimeNanos);

    /** Forgets the far end and any learned state (a new session or a new audio device). */
    void reset();

    /** No gating: every frame may be the user's. Right for headphones and for browser audio with AEC. */
    static DuplexPolicy fullDuplex() {
        return FullDuplex.INSTANCE;
    }

    /** See {@link #fullDuplex()}. */
    enum FullDuplex implements DuplexPolicy {
        INSTANCE;

        @Override
        public void onPlayed(short[] pcm, long playTimeNanos) {
        }

        @Override
        public boolean isLikelyUserSpeech(short[] micFrame, long micTimeNanos) {
            return true;
        }

        @Override
        public void reset() {
        }
    }
}
