package dev.habla.client.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The WebSocket underneath a session, reduced to what the session needs. Implementations:
 * {@link NettyWebSocketTransport} (Netty's codec), {@link JettyWebSocketTransport} (Jetty 12's client) and
 * {@link JdkWebSocketTransport} ({@code java.net.http});
 * an in-memory one can stand in for tests. Frames are whole messages: the transport joins parts. One transport serves
 * all sessions of a client; {@link #close()} releases what it owns (threads, selectors).
 */
public interface Transport extends AutoCloseable {

    /**
     * The server answered the upgrade with {@code status} instead of 101; the provider maps the status to a kind (as
     * the JDK's {@code WebSocketHandshakeException}).
     */
    final class HandshakeStatusException extends java.io.IOException {
        private final int status;

        public HandshakeStatusException(int status, Throwable cause) {
            super("WebSocket handshake failed: expected HTTP 101 but was " + status, cause);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * Where and how to connect. {@code description} is the redacted form for logs. {@code ioAffinity} (may be null): an
     * executor whose thread should run the connection's I/O, if the transport can use it (the Netty transport joins a
     * Netty event loop given here; the others ignore it).
     */
    record ConnectRequest(URI uri, Map<String, String> headers, String description, Executor ioAffinity) {
        public ConnectRequest {
            headers = Map.copyOf(headers);
        }

        public ConnectRequest(URI uri, Map<String, String> headers, String description) {
            this(uri, headers, description, null);
        }

        /** The same request, its I/O preferably on {@code executor}'s thread. */
        public ConnectRequest withIoAffinity(Executor executor) {
            return new ConnectRequest(uri, headers, description, executor);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /**
     * One whole inbound message: {@code text} for a text frame, or the first {@code length} bytes of {@code bytes}
     * (UTF-8) for a binary frame. The array may be longer than the message (a transport joining parts hands over its
     * buffer instead of copying it to size); nobody else holds it.
     */
    record InboundFrame(String text, byte[] bytes, int length) {
        public InboundFrame {
            if ((text == null) == (bytes == null)) {
                throw new IllegalArgumentException("exactly one of text and bytes");
            }
            if (bytes != null && (length < 0 || length > bytes.length)) {
                throw new IllegalArgumentException("length " + length + " outside 0.." + bytes.length);
            }
        }

        /** A text frame ({@code bytes == null}), or a binary frame of all of {@code bytes}. */
        public InboundFrame(String text, byte[] bytes) {
            this(text, bytes, bytes == null ? 0 : bytes.length);
        }

        /** Byte length (or char length of text), for accounting. */
        public int size() {
            return text != null ? text.length() : length;
        }

        /** The frame as a string (binary frames are UTF-8 JSON on this API). */
        public String asString() {
            return text != null ? text : new String(bytes, 0, length, java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return (text != null ? "text " : "binary ") + size();
        }
    }

    /**
     * Callbacks of one connection. Calls are sequential (never concurrent) but may come from any thread; they must not
     * block. Messages are pulled: the transport delivers one message after {@link #onOpen} and, after that, one more per
     * unit of {@link Connection#request(long)} (credit adds up, as in reactive streams). Pongs and the parts of a
     * message do not use credit up, but while it is zero nothing at all arrives (the JDK delivers pongs on demand too).
     */
    interface Listener {
        /** The handshake succeeded; called before the first message and before the open future completes. */
        void onOpen(Connection connection);

        /** One whole message. */
        void onMessage(InboundFrame frame);

        /** A pong arrived (answer to {@link Connection#sendPing()}). */
        void onPong();

        /** The peer sent a close frame. Last call. */
        void onClose(int code, String reason);

        /** The connection broke (or a frame was unacceptable). Last call. */
        void onError(Throwable error);
    }

    /** An open connection. Thread-safe except that at most one {@link #sendText} may be in flight. */
    interface Connection {
        /** Sends one text message and blocks until it was handed to the socket. Only one call at a time. */
        void sendText(String text) throws Exception;

        /**
         * Sends one text message if that needs no waiting now, and says whether it did; never blocks. The same rule
         * as {@link #sendText}: not while a {@code sendText} is in flight. Transports whose sends always wait for the
         * socket return false (the default), and the message goes the writer's way.
         */
        default boolean trySendNow(String text) {
            return false;
        }

        /** Sends a ping; does not block. */
        CompletableFuture<?> sendPing();

        /** Sends a close frame; does not block. Idempotent in effect (later calls fail quietly). */
        CompletableFuture<?> sendClose(int code, String reason);

        /** Allows {@code n} more messages to be delivered to {@link Listener#onMessage}; any thread, never blocks. */
        void request(long n);

        /** Closes the TCP connection now. Idempotent. */
        void abort();
    }

    /**
     * Opens a connection. The future fails with the transport's exception (handshake status, refused, timeout…);
     * mapping it to a {@code LiveException} is the provider's job.
     */
    CompletableFuture<Connection> open(ConnectRequest request, Duration timeout, Listener listener);

    /** Releases the transport's own resources; sessions are aborted before. Idempotent. Default: nothing to release. */
    @Override
    default void close() {}
}
