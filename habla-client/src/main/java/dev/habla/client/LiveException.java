package dev.habla.client;

import java.util.Objects;

/**
 * A typed failure of a live session: connect errors, server closes mapped by code and reason, local failures.
 * Switch on {@link #kind()}; {@link #closeCode()}/{@link #closeReason()} carry what the server sent (or -1/"" when
 * the failure was not a WebSocket close), {@link #httpStatus()} the handshake status (or -1).
 *
 * <p>Messages never contain API keys or tokens.
 */
public final class LiveException extends Exception {

    /** What went wrong, in the vocabulary of the service's status codes. */
    public enum Kind {
        /** The request was malformed or unsupported (close 1007, HTTP 400). */
        INVALID_ARGUMENT,
        /** Unknown model or entity (close 1008 "… not found …", HTTP 404). */
        NOT_FOUND,
        /** Bad, expired or missing credentials (close 1007/1008 mentioning the API key, HTTP 401/403). */
        UNAUTHENTICATED,
        /** Quota, rate or billing limits (close 1011 with a quota text, HTTP 429). */
        RESOURCE_EXHAUSTED,
        /** The server's deadline expired (close 1011 "Deadline expired…", typically the ~58-minute session cap). */
        DEADLINE_EXCEEDED,
        /** Other server errors (close 1011, HTTP 500). */
        INTERNAL,
        /**
         * Could not reach the server or lost the connection: refused, DNS, TCP drop (1006), handshake failure,
         * HTTP 502/503/504, an unexpected close by the server, a missing pong. Usually worth a retry.
         */
        UNAVAILABLE,
        /** Connect (handshake plus setup) did not finish within the connect timeout. */
        TIMEOUT,
        /** The server broke the protocol: an undecodable or oversized frame, or a first message other than setupComplete. */
        PROTOCOL,
        /** The {@link SessionListener} threw; the session was failed on purpose (close 1011 sent). */
        LISTENER_FAILED,
        /** The session or client was closed (or the connecting thread interrupted) before the operation finished. */
        CLOSED;

        /** True for kinds where reconnecting (with the resumption handle) may succeed. */
        public boolean retryable() {
            return switch (this) {
                case UNAVAILABLE, TIMEOUT, DEADLINE_EXCEEDED, INTERNAL -> true;
                case INVALID_ARGUMENT, NOT_FOUND, UNAUTHENTICATED, RESOURCE_EXHAUSTED, PROTOCOL, LISTENER_FAILED, CLOSED -> false;
            };
        }
    }

    private final Kind kind;
    private final int closeCode;
    private final String closeReason;
    private final int httpStatus;

    /**
     * @param kind        the category
     * @param message     human-readable description (must not contain secrets)
     * @param closeCode   the WebSocket close code, or -1
     * @param closeReason the close reason as sent by the peer, or ""
     * @param httpStatus  the handshake HTTP status, or -1
     * @param cause       the underlying exception, or null
     */
    public LiveException(Kind kind, String message, int closeCode, String closeReason, int httpStatus, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.closeCode = closeCode;
        this.closeReason = closeReason == null ? "" : closeReason;
        this.httpStatus = httpStatus;
    }

    /** A failure that was not a close and not a handshake status. */
    public LiveException(Kind kind, String message, Throwable cause) {
        this(kind, message, -1, "", -1, cause);
    }

    /** A failure that was not a close and not a handshake status, without cause. */
    public LiveException(Kind kind, String message) {
        this(kind, message, -1, "", -1, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The WebSocket close code behind this failure, or -1. */
    public int closeCode() {
        return closeCode;
    }

    /** The close reason as the server sent it (at most 123 bytes), or "". */
    public String closeReason() {
        return closeReason;
    }

    /** The HTTP status of a failed handshake, or -1. */
    public int httpStatus() {
        return httpStatus;
    }

    @Override
    public String toString() {
        return "LiveException[" + kind + "]: " + getMessage();
    }
}
