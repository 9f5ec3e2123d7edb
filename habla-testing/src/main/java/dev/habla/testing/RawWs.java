package dev.habla.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw WebSocket test client on the JDK's {@code java.net.http.WebSocket}: sends exactly the text or bytes given and
 * records every server message exactly as sent (no Habla decoding), for wire-level and close-code assertions.
 *
 * <p>Listener callbacks run on the HttpClient's threads and only append to the event queue and the frame list; the
 * test thread reads them with bounded waits ({@link #poll}, {@link #framesUntil}, {@link #awaitClose}).
 */
public final class RawWs implements AutoCloseable {
    /** Something the server did: a whole message, or the close. */
    public sealed interface Event permits Frame, Closed, Failed {}

    /** One server message (fragments joined). */
    public record Frame(String json, boolean binary) implements Event {}

    /** The server's close frame. */
    public record Closed(int code, String reason) implements Event {}

    /** The connection failed (e.g. TCP drop). */
    public record Failed(Throwable error) implements Event {}

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** Every server frame in arrival order (also the ones already taken from the queue). Guarded by itself. */
    private final List<Frame> frames = new ArrayList<>();
    private final WebSocket ws;

    private RawWs(String url, Map<String, String> headers, boolean reading) throws Exception {
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(b::header);
        ws = b.buildAsync(URI.create(url), new Listener(reading)).get(10, TimeUnit.SECONDS);
    }

    /** Connects to {@code url} as given, with these extra handshake headers (e.g. Origin, Authorization). */
    public static RawWs open(String url, Map<String, String> headers) throws Exception {
        return new RawWs(url, headers, true);
    }

    /**
     * Connects like {@link #open} but reads nothing until {@link #readAll()}: a client that does not read, whose
     * socket buffers fill up (the server's back-pressure and slow-client limits).
     */
    public static RawWs openNotReading(String url, Map<String, String> headers) throws Exception {
        return new RawWs(url, headers, false);
    }

    /** Connects to {@code wsUrl} with {@code ?key=KEY}. */
    public static RawWs connect(String wsUrl, String key) throws Exception {
        return new RawWs(wsUrl + "?key=" + key, Map.of(), true);
    }

    /** Starts reading everything the server sends (after {@link #openNotReading}). */
    public void readAll() {
        ws.request(Long.MAX_VALUE);
    }

    /** Sends these bytes as one binary message. */
    public void sendBytes(byte[] bytes) {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** Sends unless the server has already closed (a refusal right after the upgrade may beat the first frame). */
    public void trySend(String json) {
        ws.sendText(json, true).exceptionally(t -> null).join();
    }

    /** Sends one text message. */
    public void send(String json) {
        ws.sendText(json, true).join();
    }

    /** Sends {@code json} as one binary message (UTF-8). */
    public void sendBinary(String json) {
        ws.sendBinary(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), true).join();
    }

    /** The next event, or null after {@code timeout}. */
    public Event poll(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Frames until (and including) the first one matching {@code until}; fails after {@code timeout} or on close. */
    public List<Frame> framesUntil(Predicate<String> until, Duration timeout) throws InterruptedException {
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
    public Closed awaitClose(Duration timeout) throws InterruptedException {
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
    public List<Frame> allFrames() {
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
        private final boolean reading;

        Listener(boolean reading) {
            this.reading = reading;
        }

        @Override
        public void onOpen(WebSocket w) {
            if (reading) {
                w.request(1);   // then one more after each message
            }
        }

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
            Closed closed = new Closed(code, reason);
            if (!w.isOutputClosed() && (code == 1000 || (code >= 3000 && code <= 4999))) {
                // Answer the close first, then report it. Reported first (and the JDK answering only once this
                // returns), a caller that closes this RawWs as soon as it sees the close raced the JDK's reply: its
                // own 1000, or the abort, could reach the server instead of the echoed code.
                return w.sendClose(code, "").handle((x, error) -> {
                    events.add(closed);
                    return null;
                });
            }
            events.add(closed);
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
