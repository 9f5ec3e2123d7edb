package dev.habla.client.internal;

import java.io.IOException;
import java.net.ProtocolException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link Transport} over {@code java.net.http.WebSocket}. The JDK rules it wraps: one outstanding text/binary send
 * (the session's single writer guarantees it), messages may arrive in parts (joined here), and delivery is pulled
 * with {@code request(n)} (parts of one message are requested here; whole messages only when the session asks).
 */
public final class JdkWebSocketTransport implements Transport {
    /** Larger frames are refused: inline media from the service stays far below this (the SDK parser allows 20 MB). */
    static final int MAX_MESSAGE_BYTES = 64 << 20;
    /** Cap on the first allocation for a message arriving in parts: one huge message must not make every later one huge. */
    private static final int MAX_SIZE_GUESS = 64 << 10;

    private final HttpClient http;

    public JdkWebSocketTransport(HttpClient http) {
        this.http = http;
    }

    @Override
    public CompletableFuture<Connection> open(ConnectRequest request, Duration timeout, Listener listener) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(timeout);
        request.headers().forEach(builder::header);
        Adapter adapter = new Adapter(listener);
        CompletableFuture<Connection> result = new CompletableFuture<>();
        builder.buildAsync(request.uri(), adapter).whenComplete((ws, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(adapter.connection(ws));
            }
        });
        return result;
    }

    /** The JDK connection behind {@link Connection}. */
    private record JdkConnection(WebSocket ws) implements Connection {
        @Override
        public void sendText(String text) throws Exception {
            // get() rather than join(): interruptible, so a writer blocked on a stalled socket can be released.
            ws.sendText(text, true).get();
        }

        @Override
        public CompletableFuture<?> sendPing() {
            return ws.sendPing(ByteBuffer.allocate(0));
        }

        @Override
        public CompletableFuture<?> sendClose(int code, String reason) {
            try {
                return ws.sendClose(code, reason);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public void request(long n) {
            ws.request(n);
        }

        @Override
        public void abort() {
            ws.abort();
        }
    }

    /** A frame over {@link #MAX_MESSAGE_BYTES}. */
    static final class MessageTooLargeException extends IOException {
        MessageTooLargeException(long size) {
            super("server message exceeds " + MAX_MESSAGE_BYTES + " bytes (" + size + " so far)");
        }

        /** Also what {@link JettyWebSocketTransport} and {@link NettyWebSocketTransport} report, with their message. */
        MessageTooLargeException(String message) {
            super("server message exceeds " + MAX_MESSAGE_BYTES + " bytes: " + message);
        }
    }

    /**
     * Another transport's error as this one reports it: a frame the peer got wrong as {@link ProtocolException}, a
     * closed channel as an {@link IOException}, anything else as it is; so the session maps them the same way.
     */
    static Throwable asJdkError(Throwable cause, boolean protocolError) {
        if (protocolError) {
            ProtocolException p = new ProtocolException(cause.getMessage());
            p.initCause(cause);
            return p;
        }
        if (cause instanceof java.nio.channels.ClosedChannelException) {
            return new IOException("connection closed", cause);
        }
        return cause;
    }

    /**
     * Adapts JDK callbacks. The JDK calls them one at a time (never concurrently), so the part buffers need no lock;
     * they are only touched by whichever thread the JDK uses for the current callback.
     *
     * <p>Demand: every JDK delivery (part, ping, pong, whole message) uses one unit of the JDK's demand. Parts, pings
     * and pongs put theirs back here, so the JDK's outstanding demand is exactly the session's unused message credit.
     */
    static final class Adapter implements WebSocket.Listener {
        private final Listener listener;
        private volatile JdkConnection connection;
        private StringBuilder textParts;
        /** The binary message being joined: {@code binaryLength} bytes so far; handed over whole, then dropped. */
        private byte[] binaryParts;
        private int binaryLength;
        /**
         * Size of the last message that came in parts (at most {@link #MAX_SIZE_GUESS}): the first guess for the next
         * one, so that a run of similar messages (audio chunks) needs no growing.
         */
        private int lastJoinedSize = 1024;
        private boolean failed;

        Adapter(Listener listener) {
            this.listener = listener;
        }

        JdkConnection connection(WebSocket ws) {
            JdkConnection c = connection;
            if (c == null) {
                c = new JdkConnection(ws);
                connection = c;
            }
            return c;
        }

        @Override
        public void onOpen(WebSocket ws) {
            listener.onOpen(connection(ws));
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (failed) {
                return null;
            }
            if (textParts == null && last) {
                deliver(ws, new InboundFrame(data.toString(), null));
                return null;
            }
            if (textParts == null) {
                textParts = new StringBuilder(data.length() * 2);
            }
            textParts.append(data);
            if (textParts.length() > MAX_MESSAGE_BYTES) {
                tooLarge(ws, textParts.length());
                return null;
            }
            if (last) {
                String text = textParts.toString();
                textParts = null;
                deliver(ws, new InboundFrame(text, null));
            } else {
                ws.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            if (failed) {
                return null;
            }
            // The JDK may reuse the buffer once we return (we return null), so copy now: once, straight into the
            // array the session will decode from.
            int n = data.remaining();
            if (binaryParts == null && last) {
                byte[] b = new byte[n];
                data.get(b);
                deliver(ws, new InboundFrame(null, b, n));
                return null;
            }
            long size = (long) binaryLength + n;
            if (size > MAX_MESSAGE_BYTES) {
                tooLarge(ws, size);
                return null;
            }
            if (binaryParts == null) {
                binaryParts = new byte[Math.max(lastJoinedSize, Math.max(1024, n * 2))];
            } else if (size > binaryParts.length) {
                binaryParts = Arrays.copyOf(binaryParts, (int) Math.min(MAX_MESSAGE_BYTES,
                        Math.max(size, (long) binaryParts.length * 2)));
            }
            data.get(binaryParts, binaryLength, n);
            binaryLength = (int) size;
            if (last) {
                byte[] b = binaryParts;
                int len = binaryLength;
                binaryParts = null;
                binaryLength = 0;
                lastJoinedSize = Math.min(len, MAX_SIZE_GUESS);
                deliver(ws, new InboundFrame(null, b, len));
            } else {
                ws.request(1);
            }
            return null;
        }

        private void deliver(WebSocket ws, InboundFrame frame) {
            connection(ws);
            // No request here: the session grants message credit as its inbound buffer drains.
            listener.onMessage(frame);
        }

        private void tooLarge(WebSocket ws, long size) {
            failed = true;
            textParts = null;
            binaryParts = null;
            binaryLength = 0;
            listener.onError(new MessageTooLargeException(size));
            ws.abort();
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            // The JDK answers pings with pongs by itself.
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            listener.onPong();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            if (!failed) {
                listener.onClose(statusCode, reason);
            }
            // null: the JDK answers with a close frame of the same code right away.
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            if (!failed) {
                failed = true;
                listener.onError(error);
            }
        }
    }
}
