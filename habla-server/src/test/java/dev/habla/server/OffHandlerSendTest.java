package dev.habla.server;

import static dev.habla.server.EchoServerTest.SETUP;
import static dev.habla.server.EchoServerTest.V1BETA;
import static dev.habla.server.EchoServerTest.WAIT;
import static dev.habla.server.EchoServerTest.nextFrame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerMessage;
import dev.habla.testing.RawWs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames sent by a thread that holds no handler lock (as the gateway's session threads do, unlike the handler callbacks
 * {@link EchoServerTest} sends from): the order, a pause and the slow-client limit hold for them too. A guard for any
 * change to the connection's writer (an inline write on the sending thread was tried and must keep these).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffHandlerSendTest {
    LiveServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static ServerMessage numbered(int i) {
        return ServerMessage.ServerContent.modelTurn(Content.text("model", "n" + i));
    }

    private static String textOf(ServerMessage m) {
        return ((ServerMessage.ServerContent) m).modelTurn().parts().getFirst().text();
    }

    @Test
    void framesFromAnotherThreadKeepTheirOrderAndAPauseHoldsTheLaterOnes() throws Exception {
        int n = 500;
        CountDownLatch allSent = new CountDownLatch(1);
        AtomicReference<LiveConnection> conn = new AtomicReference<>();
        AtomicLong heldBytes = new AtomicLong();
        server = LiveServer.create(b -> b.handlers(c -> new SetupFirstHandler(c) {
            @Override
            protected void onSetup(ClientMessage.Setup setup) {
                conn.set(connection);
                connection.send(new ServerMessage.SetupComplete(null));
                // Off the handler's thread and lock: n frames, a pause, n more.
                Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < n; i++) {
                        connection.send(numbered(i));
                    }
                    connection.pauseOutput();
                    for (int i = n; i < 2 * n; i++) {
                        byte[] wire = LiveCodec.encode(dev.habla.protocol.ServerFrame.of(numbered(i)));
                        heldBytes.addAndGet(wire.length);
                        connection.sendEncoded(wire);
                    }
                    allSent.countDown();
                });
            }

            @Override
            protected void onInput(ClientMessage message) {
                connection.resumeOutput();
            }
        }));
        try (RawWs client = RawWs.open(server.wsUrl(V1BETA) + "?key=k", Map.of())) {
            client.send(SETUP);
            assertThat(nextFrame(client).message()).isInstanceOf(ServerMessage.SetupComplete.class);
            for (int i = 0; i < n; i++) {
                assertThat(textOf(nextFrame(client).message())).isEqualTo("n" + i);
            }
            assertThat(allSent.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            // Everything sent after the pause is still held, none of it written inline.
            assertThat(conn.get().queuedBytes()).isEqualTo(heldBytes.get());
            client.send(LiveCodec.encode(ClientMessage.RealtimeInput.ofText("go")));
            for (int i = n; i < 2 * n; i++) {
                assertThat(textOf(nextFrame(client).message())).isEqualTo("n" + i);
            }
        }
    }

    @Test
    void aClientThatDoesNotReadIsClosedWhenTheSenderHoldsNoLock() throws Exception {
        long limit = 1 << 20;
        byte[] pcm = new byte[96_000];
        AtomicLong maxQueued = new AtomicLong();
        AtomicReference<LiveConnection> conn = new AtomicReference<>();
        server = LiveServer.create(b -> b.maxOutboundBytes(limit).handlers(c -> new SetupFirstHandler(c) {
            @Override
            protected void onSetup(ClientMessage.Setup setup) {
                conn.set(connection);
                Thread.ofVirtual().start(() -> {
                    // 400 chunks of ~128 KB (base64) = ~50 MB for a client that reads nothing.
                    for (int i = 0; i < 400 && connection.send(ServerMessage.ServerContent.modelTurn(
                            new Content(List.of(Part.ofInlineData("audio/pcm;rate=24000", pcm)), "model"))); i++) {
                        maxQueued.accumulateAndGet(connection.queuedBytes(), Math::max);
                    }
                });
            }

            @Override
            protected void onInput(ClientMessage message) {
            }
        }));
        try (RawWs client = RawWs.openNotReading(server.wsUrl(V1BETA) + "?key=k", Map.of())) {
            client.send(SETUP);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while ((conn.get() == null || !conn.get().isClosing()) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertThat(conn.get()).isNotNull();
            assertThat(conn.get().isClosing()).isTrue();
            assertThat(maxQueued.get()).isLessThanOrEqualTo(limit);
            client.readAll();
            assertThat(client.awaitClose(Duration.ofSeconds(30)))
                    .isEqualTo(new RawWs.Closed(1008, CloseReasons.slowClient(limit)));
        }
    }
}
