package dev.habla.client;

/**
 * Where a {@link LiveSession} is in its life. Transitions only move forward:
 * {@code CONNECTING → OPEN → CLOSING → CLOSED}, and any state may go to {@code FAILED} (or straight to
 * {@code CLOSED} when the peer closes cleanly). See {@link LiveSession} for what each state allows.
 */
public enum SessionState {
    /** The WebSocket handshake or the {@code setup}/{@code setupComplete} exchange is under way. */
    CONNECTING,
    /** {@code setupComplete} received: sends are accepted and events flow. */
    OPEN,
    /** {@link LiveSession#close()} was called: queued messages are flushed, then a close frame; new sends return {@link SendResult#CLOSED}. */
    CLOSING,
    /** Closed without error (the client asked to close). Terminal. */
    CLOSED,
    /** Closed because of an error (see the {@link LiveEvent.Closed#error()} of the terminal event). Terminal. */
    FAILED;

    /** True for {@link #CLOSED} and {@link #FAILED}. */
    public boolean isTerminal() {
        return this == CLOSED || this == FAILED;
    }
}
