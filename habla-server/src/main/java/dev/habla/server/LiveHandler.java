package dev.habla.server;

import dev.habla.protocol.ClientMessage;

/**
 * The application side of one authenticated Live connection. Created by a {@link Factory} when the socket opens.
 *
 * <p>Threads: every callback runs with {@link LiveConnection#lock()} held, one at a time, on the connection's delivery
 * thread (a virtual thread; callbacks may block, though the socket is not read while many wait), except plain audio
 * for a handler that asks for it on the I/O thread ({@link #rawAudioOnIoThread()}); the connection's writer takes the same lock before each write, so a callback
 * that queues frames has returned before the client can see them. A callback that throws closes only its connection
 * (1011 {@code Internal error encountered.}).
 */
public interface LiveHandler {
    /**
     * A strictly decoded client message (or, if {@link #acceptsRawAudio()}, a {@link ClientMessage.Raw} for plain audio
     * input), in arrival order, including {@code setup}. Messages read after the connection started closing are not
     * delivered; those the server had read when another thread (a timer, the server shutting down) closed it still
     * are, in order, and a close from inside a callback makes that callback's message the last. Frames the decoder
     * rejects never get here: the server closes 1007.
     */
    void onMessage(ClientMessage message);

    /**
     * Whether this handler takes plain audio input as {@link ClientMessage.Raw} (its decoded message plus the text it
     * arrived in, for a relay that forwards the text as is) instead of the decoded record alone. Asked once, when the
     * handler opens. Default false: every message arrives decoded.
     */
    default boolean acceptsRawAudio() {
        return false;
    }

    /**
     * Whether plain audio input ({@link ClientMessage.Raw}, so only with {@link #acceptsRawAudio()}) may be handed to
     * {@link #onMessage} on the connection's I/O thread (its event loop), when nothing waits for the delivery thread and
     * {@link LiveConnection#lock()} is free, instead of waking the delivery thread: no thread switch per audio message.
     * For such a message {@link #onMessage} must then not block (locks held briefly only, no waiting on I/O or on other
     * threads): every connection sharing that thread waits meanwhile. Every other message still arrives on the delivery
     * thread, in order. Asked once, when the handler opens. Default false.
     */
    default boolean rawAudioOnIoThread() {
        return false;
    }

    /**
     * The socket closed (close frame from either side, TCP drop, or server shutdown); called once. Nothing can be sent
     * any more.
     */
    default void onClose(int statusCode, String reason) {}

    /** Creates the handler of each authenticated connection. */
    @FunctionalInterface
    interface Factory {
        /**
         * Called once per authenticated connection when its socket opens, with {@link LiveConnection#lock()} held; may
         * already send. Rejected connections get no handler.
         */
        LiveHandler open(LiveConnection connection);
    }
}
