package dev.habla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.testing.RawWs;
import java.time.Duration;
import java.util.List;
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

    @Test
    void anIdleSocketIsClosed1001() throws Exception {
        try (LiveServer server = LiveServer.create(b -> b.idleTimeout(Duration.ofMillis(300)).handlers(conn -> message -> { }))) {
            RawWs client = RawWs.connect(server.wsUrl(EchoServerTest.V1BETA), "k");
            RawWs.Closed closed = client.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(1001);
            assertThat(closed.reason()).isEqualTo("Connection Idle Timeout");
        }
    }
}
