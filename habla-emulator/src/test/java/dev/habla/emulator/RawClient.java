package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Strictness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A raw Live API client over the JDK WebSocket, for tests: records every frame, in order, with its opcode. */
final class RawClient implements AutoCloseable {
    /** Longest wait for one expected event: generous, since CI machines have 2 cores and may be busy. */
    static final Duration WAIT = Duration.ofSeconds(12);

    sealed interface Event {}

    record Frame(String json, boolean binary) implements Event {
        ServerFrame decode() {
            return LiveCodec.decodeServer(json, Strictness.STRICT);
        }
    }

    record Closed(int code, String reason) implements Event {}

    record Failed(Throwable error) implements Event {}

    record Pong(ByteBuffer data) implements Event {}

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final WebSocket ws;
    private final HttpClient http;

    private RawClient(URI uri, Map<String, String> headers) throws Exception {
        this.http = HttpClient.newHttpClient();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(b::header);
        this.ws = b.buildAsync(uri, new Listener()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    static RawClient connect(LiveEmulator emu) throws Exception {
        return connect(URI.create(emu.wsUrl("v1beta") + "?key=test-key"));
    }

    static RawClient connect(URI uri) throws Exception {
        return new RawClient(uri, Map.of());
    }

    static RawClient connect(URI uri, Map<String, String> headers) throws Exception {
        return new RawClient(uri, headers);
    }

    /** Connects and completes a setup; returns after setupComplete. */
    static RawClient setUp(LiveEmulator emu, Fixtures.SetupJson setup) throws Exception {
        RawClient c = connect(emu);
        c.sendText(setup.json());
        assertThat(c.next().message()).isInstanceOf(ServerMessage.SetupComplete.class);
        return c;
    }

    void send(ClientMessage m) {
        sendText(LiveCodec.encode(m));
    }

    void sendText(String text) {
        ws.sendText(text, true).join();
    }

    void sendBinary(String text) {
        ws.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true).join();
    }

    /** The next event, or fails after {@link #WAIT}. */
    Event nextEvent(Duration timeout) throws InterruptedException {
        Event e = events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        assertThat(e).as("an event within " + timeout).isNotNull();
        return e;
    }

    /** The next event if one arrives within {@code timeout}, else null. */
    Event pollEvent(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    Frame nextFrame() throws InterruptedException {
        Event e = nextEvent(WAIT);
        assertThat(e).as("expected a frame").isInstanceOf(Frame.class);
        return (Frame) e;
    }

    /** The next server frame, decoded strictly (the emulator must emit only valid frames). */
    ServerFrame next() throws InterruptedException {
        return nextFrame().decode();
    }

    /** Frames until one matches (inclusive). */
    List<ServerFrame> until(Predicate<ServerFrame> stop) throws InterruptedException {
        List<ServerFrame> out = new ArrayList<>();
        while (true) {
            ServerFrame f = next();
            out.add(f);
            if (stop.test(f)) {
                return out;
            }
        }
    }

    List<ServerFrame> untilTurnComplete() throws InterruptedException {
        return until(RawClient::isTurnComplete);
    }

    static boolean isTurnComplete(ServerFrame f) {
        return f.message() instanceof ServerMessage.ServerContent sc && sc.turnComplete();
    }

    /** Waits for the close; fails if a frame arrives first. */
    Closed awaitClose() throws InterruptedException {
        Event e = nextEvent(WAIT);
        assertThat(e).as("expected a close").isInstanceOf(Closed.class);
        return (Closed) e;
    }

    /** Skips frames until the close. */
    Closed skipToClose() throws InterruptedException {
        while (true) {
            Event e = nextEvent(WAIT);
            if (e instanceof Closed c) {
                return c;
            }
            if (e instanceof Failed f) {
                throw new AssertionError("connection failed", f.error());
            }
        }
    }

    void ping() {
        ws.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).join();
    }

    boolean isOpen() {
        return !ws.isInputClosed();
    }

    void abort() {
        ws.abort();
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(t -> null);
        }
        ws.abort();
        http.shutdownNow();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream bin = new java.io.ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                events.add(new Frame(text.toString(), false));
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bin.writeBytes(b);
            if (last) {
                events.add(new Frame(bin.toString(StandardCharsets.UTF_8), true));
                bin.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            events.add(new Pong(message));
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            events.add(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            events.add(new Failed(error));
        }
    }
}
