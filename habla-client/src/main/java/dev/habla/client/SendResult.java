package dev.habla.client;

/**
 * Outcome of a {@code LiveSession.send…} call. Sends never block on the network and never throw for a closed session;
 * callers check this value instead.
 */
public enum SendResult {
    /** Accepted into the outbound queue; the single writer thread will send it in order. */
    QUEUED,
    /**
     * Refused because the outbound queue is over its byte budget even after dropping older queued media (audio and
     * video). Counted in {@link LiveSession#droppedMessages()} and {@link LiveSession#droppedBytes()}.
     */
    DROPPED_OVER_BUDGET,
    /** The session is closing or closed; nothing was queued. */
    CLOSED
}
