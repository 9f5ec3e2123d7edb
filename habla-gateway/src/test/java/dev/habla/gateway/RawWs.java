package dev.habla.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw JDK WebSocket client that records every frame the server sends, exactly as sent (no Habla decoding), for the
 * proto oracle and for close-code assertions. Listener callbacks run on the HttpClient's threads and only append to
 * the queue; the test thread reads it with bounded polls.
 */
final class RawWs implements AutoCloseable { // a copy of habla-conformance's, plus Origin and raw bytes
    /** Something the server did: a whole message, or the close. */
    sealed interface Event permits Frame, Closed, Failed {}

    /** One server message (fragments joined). */
    record Frame(String json, boolean binary) implements Event {}

    /** The server's close frame. */
    record Closed(int code, String reason) implements Event {}

    /** The connection failed (e.g. TCP drop). */
    record Failed(Throwable error) implements Event {}

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** Every server frame in arrival order (also the ones already taken from the queue). Guarded by itself. */
    private final List<Frame> frames = new ArrayList<>();
    private final WebSocket ws;

    private RawWs(String url, String origin) throws Exception {
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (origin != null) {
            b.header("Origin", origin);
        }
        ws = b.buildAsync(URI.create(url), new Listener()).get(10, TimeUnit.SECONDS);
    }

    /** Connects to {@code wsUrl} with {@code ?key=KEY}. */
    static RawWs open(String url, String origin) throws Exception {
        return new RawWs(url, origin);
    }

    static RawWs connect(String wsUrl, String key) throws Exception {
        return new RawWs(wsUrl + "?key=" + key, null);
    }

    void sendBytes(byte[] bytes) {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** Sends unless the server has already closed (a refusal right after the upgrade may beat the first frame). */
    void trySend(String json) {
        ws.sendText(json, true).exceptionally(t -> null).join();
    }

    void send(String json) {
        ws.sendText(json, true).join();
    }

    void sendBinary(String json) {
        ws.sendBinary(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), true).join();
    }

    /** The next event, or null after {@code timeout}. */
    Event poll(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Frames until (and including) the first one matching {@code until}; fails after {@code timeout} or on close. */
    List<Frame> framesUntil(Predicate<String> until, Duration timeout) throws InterruptedException {
        List<Frame> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Event e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("timed out waiting for a frame; got " + out);
            }
            if (!(e instanceof Frame f)) {
                throw new AssertionError("connection ended (" + e + ") while waiting; got " + out);
            }
            out.add(f);
            if (until.test(f.json())) {
                return out;
            }
        }
    }

    /** The close event, skipping frames; fails after {@code timeout}. */
    Closed awaitClose(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Event e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no close within " + timeout);
            }
            if (e instanceof Closed c) {
                return c;
            }
            if (e instanceof Failed f) {
                throw new AssertionError("connection failed instead of closing", f.error());
            }
        }
    }

    /** Every frame received so far. */
    List<Frame> allFrames() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(t -> null);
        }
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                add(new Frame(text.toString(), false));
                text.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                add(new Frame(binary.toString(StandardCharsets.UTF_8), true));
                binary = new java.io.ByteArrayOutputStream();
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            events.add(new Closed(code, reason));
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            events.add(new Failed(error));
        }

        private void add(Frame f) {
            synchronized (frames) {
                frames.add(f);
            }
            events.add(f);
        }
    }
}
