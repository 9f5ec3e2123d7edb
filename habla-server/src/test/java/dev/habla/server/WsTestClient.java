package dev.habla.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A loopback Live client on the JDK's WebSocket: whole messages and the close into one queue. Test-only. */
final class WsTestClient implements AutoCloseable {
    /** A whole server message (binary frames decoded as UTF-8) or the close. */
    sealed interface Event {}

    record Message(String json, boolean binary) implements Event {}

    record Closed(int code, String reason) implements Event {}

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final WebSocket ws;
    private final boolean autoRead;

    private WsTestClient(URI uri, Map<String, String> headers, boolean autoRead) throws Exception {
        this.autoRead = autoRead;
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(b::header);
        ws = b.buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
    }

    /** Connects and reads everything the server sends. */
    static WsTestClient connect(String url, Map<String, String> headers) throws Exception {
        return new WsTestClient(URI.create(url), headers, true);
    }

    /** Connects and reads nothing until {@link #readAll()}: a client that does not read. */
    static WsTestClient connectNotReading(String url, Map<String, String> headers) throws Exception {
        return new WsTestClient(URI.create(url), headers, false);
    }

    void send(String json) throws Exception {
        ws.sendText(json, true).get(10, TimeUnit.SECONDS);
    }

    void readAll() {
        ws.request(Long.MAX_VALUE);
    }

    Event next(Duration timeout) throws InterruptedException {
        Event e = events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (e == null) {
            throw new AssertionError("nothing from the server within " + timeout);
        }
        return e;
    }

    /** Skips messages until the close. */
    Closed awaitClose(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event e = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (e instanceof Closed c) {
                return c;
            }
        }
    }

    @Override
    public void close() {
        ws.abort();
        http.close();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private ByteBuffer binary = ByteBuffer.allocate(0);

        @Override
        public void onOpen(WebSocket webSocket) {
            if (autoRead) {
                webSocket.request(Long.MAX_VALUE);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                events.add(new Message(text.toString(), false));
                text.setLength(0);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            ByteBuffer joined = ByteBuffer.allocate(binary.remaining() + data.remaining());
            joined.put(binary).put(data).flip();
            binary = joined;
            if (last) {
                byte[] b = new byte[binary.remaining()];
                binary.get(b);
                events.add(new Message(new String(b, StandardCharsets.UTF_8), true));
                binary = ByteBuffer.allocate(0);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            events.add(new Closed(statusCode, reason));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            events.add(new Closed(1006, String.valueOf(error)));
        }
    }
}
