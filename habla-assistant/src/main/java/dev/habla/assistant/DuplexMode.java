package dev.habla.assistant;

/**
 * How the loop keeps the assistant from hearing (and interrupting) itself through the speakers.
 *
 * @see dev.habla.voice.DuplexPolicy
 */
public enum DuplexMode {
    /**
     * Headphones, or a device with its own echo cancellation: every microphone frame may be the user's. Also right
     * for file-to-file runs, where no echo is possible.
     */
    HEADPHONES,
    /**
     * Full duplex on open speakers: an {@link dev.habla.voice.EchoGate} compares each microphone frame with what the
     * speaker pump played (the far-end reference, with timing); frames it explains as echo count as silence for the
     * local VAD and are replaced by silence in the uplink, so neither the local nor the server VAD barges in on the
     * assistant's own voice, while the user talking over it still does. The default.
     */
    ECHO_GATE,
    /**
     * Kiosks: the microphone is deaf while the speaker plays and for a short hangover afterwards
     * ({@link dev.habla.voice.HalfDuplex}). The user cannot interrupt by voice (typed text and push-to-talk still can).
     */
    HALF_DUPLEX
}
