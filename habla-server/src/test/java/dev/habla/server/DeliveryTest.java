package dev.habla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.testing.RawWs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How client frames reach handlers: on a virtual thread per connection, in order, so that a handler that blocks holds
 * up only its own connection (the socket is not read meanwhile, nothing is lost); and an idle socket's end.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeliveryTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aBlockedHandlerHoldsUpOnlyItsOwnConnectionAndLosesNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> slow = new CopyOnWriteArrayList<>();
        List<String> fast = new CopyOnWriteArrayList<>();
        try (LiveServer server = LiveServer.create(b -> b.handlers(conn -> message -> {
            ClientMessage.RealtimeInput r = (ClientMessage.RealtimeInput) message;
            if (r.text().startsWith("slow")) {
                if (r.text().equals("slow 0")) {
                    try {
                        release.await(); // blocks this connection's delivery thread only
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                slow.add(r.text());
            } else {
                fast.add(r.text());
            }
        }))) {
            String url = server.wsUrl(EchoServerTest.V1BETA);
            RawWs blocked = RawWs.connect(url, "k");
            RawWs other = RawWs.connect(url, "k");
            int n = 2_000; // far past the point where the blocked socket stops being read
            for (int i = 0; i < n; i++) {
                blocked.send("{\"realtimeInput\":{\"text\":\"slow " + i + "\"}}");
            }
            for (int i = 0; i < 10; i++) {
                other.send("{\"realtimeInput\":{\"text\":\"fast " + i + "\"}}");
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (fast.size() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(fast).hasSize(10);
            assertThat(slow).isEmpty();
            release.countDown();
            deadline = System.nanoTime() + WAIT.toNanos();
            while (slow.size() < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(slow).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(slow.get(i)).isEqualTo("slow " + i);
            }
            blocked.close();
            other.close();
        }
    }

    /**
     * A timer closing a connection does not drop what the client sent before the close reached it: the frames the
     * server had read are still handled, in order (a resilient client counts on it when it switches connections).
     * A handler that closes from its own callback makes that message the last.
     */
    @Test
    void anOutsideCloseKeepsWhatWasReadAndAHandlerCloseEndsAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> got = new CopyOnWriteArrayList<>();
        List<LiveConnection> conns = new CopyOnWriteArrayList<>();
        try (LiveServer server = LiveServer.create(b -> b.handlers(conn -> {
            conns.add(conn);
            return message -> {
                String text = ((ClientMessage.RealtimeInput) message).text();
                got.add(text);
                if (text.equals("a 0")) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else if (text.equals("b 0")) {
                    conn.close(1000, "done"); // from inside the callback: b 1.. are not delivered
                }
            };
        }))) {
            CompletableFuture<Void> pong = new CompletableFuture<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(server.wsUrl(EchoServerTest.V1BETA) + "?key=k"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onPong(WebSocket w, java.nio.ByteBuffer message) {
                            pong.complete(null);
                            w.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                ws.sendText("{\"realtimeInput\":{\"text\":\"a " + i + "\"}}", true).get(10, TimeUnit.SECONDS);
            }
            // Pings are answered on the event loop after the frames before them were read: once the pong is back,
            // a 0..a 4 have been read; some or all still wait for the delivery thread (a 0 then blocks it).
            ws.sendPing(java.nio.ByteBuffer.allocate(0)).get(10, TimeUnit.SECONDS);
            pong.get(10, TimeUnit.SECONDS);
            conns.getFirst().close(1000, "lifetime over"); // another thread, as a timer would
            release.countDown();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (got.size() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(got).containsExactly("a 0", "a 1", "a 2", "a 3", "a 4");

            RawWs b = RawWs.connect(server.wsUrl(EchoServerTest.V1BETA), "k");
            for (int i = 0; i < 5; i++) {
                // The handler closes on "b 0": a later send may find the connection closed already (under load).
                b.trySend("{\"realtimeInput\":{\"text\":\"b " + i + "\"}}");
            }
            assertThat(b.awaitClose(WAIT).code()).isEqualTo(1000);
            assertThat(got).containsExactly("a 0", "a 1", "a 2", "a 3", "a 4", "b 0");
        }
    }

    @Test
    void anIdleSocketIsClosed1001() throws Exception {
        try (LiveServer server = LiveServer.create(b -> b.idleTimeout(Duration.ofMillis(300)).handlers(conn -> message -> { }))) {
            RawWs client = RawWs.connect(server.wsUrl(EchoServerTest.V1BETA), "k");
            RawWs.Closed closed = client.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(1001);
            assertThat(closed.reason()).isEqualTo("Connection Idle Timeout");
        }
    }
    /**
     * A handler that takes plain audio on the I/O thread gets it there, and everything else on its delivery thread, in
     * the order sent: audio behind a message that waits for the delivery thread waits too. A busy connection lock sends
     * audio the delivery thread's way instead of blocking the I/O thread.
     */
    @Test
    void plainAudioIsHandledOnTheIoThreadInOrderWithTheRest() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        List<LiveConnection> conns = new CopyOnWriteArrayList<>();
        try (LiveServer server = LiveServer.create(b -> b.handlers(conn -> {
            conns.add(conn);
            return new LiveHandler() {
                @Override
                public void onMessage(ClientMessage message) {
                    String what = message instanceof ClientMessage.Raw raw
                            ? "audio " + raw.message().audio().data().length
                            : "text " + ((ClientMessage.RealtimeInput) message).text();
                    got.add(what);
                    threads.add((message instanceof ClientMessage.Raw ? "audio " : "text ") + Thread.currentThread().getName());
                    if (what.equals("text hold")) {
                        try {
                            release.await(); // the audio sent after it must wait, not overtake it on the I/O thread
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }

                @Override
                public boolean acceptsRawAudio() {
                    return true;
                }

                @Override
                public boolean rawAudioOnIoThread() {
                    return true;
                }
            };
        }))) {
            RawWs ws = RawWs.connect(server.wsUrl(EchoServerTest.V1BETA), "k");
            List<String> sent = new java.util.ArrayList<>();
            for (int round = 0; round < 20; round++) {
                boolean busy = round == 15;
                if (busy) {
                    awaitSize(got, sent.size());
                    conns.getFirst().lock().lock(); // a handler step elsewhere (nothing blocks in the handler now)
                }
                try {
                    for (int i = 1; i <= 5; i++) {
                        String data = "A".repeat(4 * (round * 5 + i));
                        ws.send("{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\"" + data + "\"}}}");
                        sent.add("audio " + data.length() / 4 * 3); // decoded bytes
                    }
                    String text = round == 10 ? "hold" : "t" + round;
                    ws.send("{\"realtimeInput\":{\"text\":\"" + text + "\"}}");
                    sent.add("text " + text);
                    if (busy) {
                        Thread.sleep(100); // this round's audio arrives while the lock is taken
                    }
                } finally {
                    if (busy) {
                        conns.getFirst().lock().unlock();
                    }
                }
                if (round == 12) {
                    Thread.sleep(100); // the audio of rounds 11 and 12 arrived while "hold" blocked the delivery thread
                    release.countDown();
                }
            }
            awaitSize(got, sent.size());
            assertThat(got).containsExactlyElementsOf(sent);
            assertThat(threads).filteredOn(t -> t.startsWith("text ")).allMatch(t -> t.startsWith("text habla-server-s"));
            assertThat(threads).filteredOn(t -> t.startsWith("audio ")).anyMatch(t -> t.startsWith("audio habla-server-io"))
                    .anyMatch(t -> t.startsWith("audio habla-server-s")); // behind "hold", and while the lock was busy
            ws.close();
        }
    }

    private static void awaitSize(List<String> list, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (list.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
