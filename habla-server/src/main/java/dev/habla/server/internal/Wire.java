package dev.habla.server.internal;

import java.util.concurrent.CompletableFuture;

/**
 * The socket side of one {@link WsConnection}, as its writer uses it: whole frames out, each send completing when the
 * frame is written (or failing), and the two ways of dropping TCP. {@link NettyFrames} is the implementation.
 *
 * <p>Threads: any thread may call; sends are written in call order and never block.
 */
interface Wire {
    CompletableFuture<Void> sendBinary(byte[] bytes);

    CompletableFuture<Void> sendText(String text);

    /** Sends the close frame ({@code reason} already truncated); the socket closes when the client answers. */
    CompletableFuture<Void> sendClose(int code, String reason);

    /** Closes TCP with an orderly end of stream (FIN). */
    void disconnect();

    /** Closes TCP with a reset (RST): SO_LINGER 0, then close. */
    void reset();

    /** Whether the calling thread is the connection's delivery thread (the one its events and handler run on). */
    boolean onDeliveryThread();

    /** Runs {@code event} on the delivery thread after the client frames read so far. */
    void afterReadFrames(Runnable event);
}
