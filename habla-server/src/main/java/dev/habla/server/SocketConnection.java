package dev.habla.server;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@link SocketRoute} connection as its {@link SocketHandler} sees it: the same single bounded writer as a
 * {@link LiveConnection} (sends queue in order and never block; a client that lets {@code maxOutboundBytes} fill is
 * closed 1008), sending text frames.
 */
public interface SocketConnection {
    /** Server-unique id ({@code s1}, {@code s2}, …, shared with the Live connections' numbering). */
    String id();

    /** The upgrade request (path, query, headers, subprotocols). */
    SocketRequest request();

    /** Held around every handler callback and taken by the writer before each write (see {@link LiveConnection#lock()}). */
    ReentrantLock lock();

    /** Queues a text frame; false (nothing queued) once the connection is closing. */
    boolean sendText(String text);

    /** Sends a close frame after what is queued (reason cut to 123 bytes); later sends are ignored. Idempotent. */
    void close(int code, String reason);

    /** Drops TCP now, without a close frame, as a reset (RST): the client sees 1006 or a connection error. */
    void abort();

    /** True once {@link #close} or {@link #abort} was called or the socket closed. */
    boolean isClosing();

    /** Holds output after what is queued now, until {@link #resumeOutput()} (see {@link LiveConnection#pauseOutput()}). */
    void pauseOutput();

    void resumeOutput();

    /** Bytes queued and not yet written. */
    long queuedBytes();
}
