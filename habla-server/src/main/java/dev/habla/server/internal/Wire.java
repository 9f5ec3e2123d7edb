package dev.habla.server.internal;

import java.util.concurrent.CompletableFuture;

/**
 * The socket side of one {@link WsConnection}: whole frames out for its writer, each send completing when the frame is
 * written (or failing), the two ways of dropping TCP, and the order of its delivery thread (where a close stops the
 * client's messages). {@link NettyFrames} is the implementation.
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

    /** The executor of the thread that reads and writes the socket (its Netty event loop). */
    java.util.concurrent.Executor ioExecutor();
}
