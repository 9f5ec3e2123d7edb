package dev.habla.server;

import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One Live WebSocket connection as its {@link LiveHandler} sees it: a typed outbound API over a single writer.
 *
 * <p>Thread-safe: any thread may send. Sends are queued in order and written by the connection's one writer thread
 * (server frames as binary UTF-8 JSON, like the service); they never block. The queue is bounded in bytes
 * ({@link LiveServer.Builder#maxOutboundBytes}): a client that does not read and lets it fill is closed 1008
 * ({@link CloseReasons#slowClient}) and its queued frames are dropped.
 */
public interface LiveConnection {
    /** Server-unique id ({@code s1}, {@code s2}, …, in upgrade order, counting rejected upgrades too). */
    String id();

    LiveEndpoint endpoint();

    /** What the authenticator accepted the connection as. */
    String principal();

    /**
     * The lock the server holds around every {@link LiveHandler} callback and that the writer takes before each write.
     * Handlers use it to guard their own state from their own timers.
     */
    ReentrantLock lock();

    /** Queues a server frame; false (nothing queued) once the connection is closing. */
    boolean send(ServerFrame frame);

    /** Queues a server message without usage metadata. */
    default boolean send(ServerMessage message) {
        return send(ServerFrame.of(message));
    }

    /**
     * Queues a server frame already encoded as UTF-8 JSON (a relay forwarding its upstream's frame as is), as a binary
     * frame like {@link #send(ServerFrame)}; the array is the connection's from now on. False once closing.
     */
    boolean sendEncoded(byte[] utf8Json);

    /** Queues pre-encoded JSON as a binary (UTF-8) or text frame, for tests of odd wire shapes. */
    boolean sendRaw(String json, boolean binary);

    /**
     * Sends a close frame after the frames already queued (reason cut to 123 bytes); later sends are ignored. If the
     * client does not answer within the server's close grace, TCP is dropped. Idempotent.
     */
    void close(int code, String reason);

    /**
     * Drops TCP now, without a close frame, as a reset (RST); queued frames are discarded. The client sees 1006 or a
     * connection error (the JDK client may miss a plain FIN when it is not reading at that moment, never a reset).
     */
    void abort();

    /** True once {@link #close} or {@link #abort} was called or the socket closed. */
    boolean isClosing();

    /**
     * Holds output: frames queued before this call still go out; later ones wait until {@link #resumeOutput()}. Calling
     * it again while held is a no-op. Frames held still count against the outbound budget.
     */
    void pauseOutput();

    /** Releases {@link #pauseOutput()}. */
    void resumeOutput();

    /** Bytes queued and not yet written. */
    long queuedBytes();

    /**
     * The executor of the thread that reads and writes this connection's socket (one of the server's event loops; null
     * before the socket is attached). Never block on it. What it is for: a client connection made on this one's behalf
     * can join the same thread ({@code LiveClient.connectResilientAsync(…, ioExecutor)} with habla-client's Netty
     * transport), so that frames between the two sockets cross no thread.
     */
    java.util.concurrent.Executor ioExecutor();
}
