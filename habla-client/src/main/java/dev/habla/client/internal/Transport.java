package dev.habla.client.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The WebSocket underneath a session, reduced to what the session needs. The JDK implementation is
 * {@link JdkWebSocketTransport}; an in-memory one can stand in for tests. Frames are whole messages: the transport
 * joins parts.
 */
public interface Transport {

    /** Where and how to connect. {@code description} is the redacted form for logs. */
    record ConnectRequest(URI uri, Map<String, String> headers, String description) {
        public ConnectRequest {
            headers = Map.copyOf(headers);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** One whole inbound message: {@code text} for a text frame, {@code bytes} (UTF-8) for a binary frame. */
    record InboundFrame(String text, byte[] bytes) {
        /** Byte length (or char length of text), for accounting. */
        public int size() {
            return text != null ? text.length() : bytes.length;
        }

        /** The frame as a string (binary frames are UTF-8 JSON on this API). */
        public String asString() {
            return text != null ? text : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return (text != null ? "text " : "binary ") + size();
        }
    }

    /**
     * Callbacks of one connection. Calls are sequential (never concurrent) but may come from any thread; they must not
     * block. After {@link #onMessage} the transport delivers nothing more until {@link Connection#request(long)}.
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

        /** Sends a ping; does not block. */
        CompletableFuture<?> sendPing();

        /** Sends a close frame; does not block. Idempotent in effect (later calls fail quietly). */
        CompletableFuture<?> sendClose(int code, String reason);

        /** Allows {@code n} more messages to be delivered to {@link Listener#onMessage}. */
        void request(long n);

        /** Closes the TCP connection now. Idempotent. */
        void abort();
    }

    /**
     * Opens a connection. The future fails with the transport's exception (handshake status, refused, timeout…);
     * mapping it to a {@code LiveException} is the provider's job.
     */
    CompletableFuture<Connection> open(ConnectRequest request, Duration timeout, Listener listener);
}
