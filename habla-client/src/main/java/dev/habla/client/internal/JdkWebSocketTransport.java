package dev.habla.client.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
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
    }

    /**
     * Adapts JDK callbacks. The JDK calls them one at a time (never concurrently), so the part buffers need no lock;
     * they are only touched by whichever thread the JDK uses for the current callback.
     */
    private static final class Adapter implements WebSocket.Listener {
        private final Listener listener;
        private volatile JdkConnection connection;
        private StringBuilder textParts;
        private ByteArrayOutputStream binaryParts;
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
            // The JDK may reuse the buffer once we return (we return null), so copy now.
            if (binaryParts == null && last) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                deliver(ws, new InboundFrame(null, b));
                return null;
            }
            if (binaryParts == null) {
                binaryParts = new ByteArrayOutputStream(Math.max(1024, data.remaining() * 2));
            }
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binaryParts.writeBytes(chunk);
            if (binaryParts.size() > MAX_MESSAGE_BYTES) {
                tooLarge(ws, binaryParts.size());
                return null;
            }
            if (last) {
                byte[] b = binaryParts.toByteArray();
                binaryParts = null;
                deliver(ws, new InboundFrame(null, b));
            } else {
                ws.request(1);
            }
            return null;
        }

        private void deliver(WebSocket ws, InboundFrame frame) {
            connection(ws);
            // No request(1) here: the session asks for the next message when its inbound buffer has room.
            listener.onMessage(frame);
        }

        private void tooLarge(WebSocket ws, long size) {
            failed = true;
            textParts = null;
            binaryParts = null;
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
