package dev.habla.server;

import static dev.habla.server.EchoServerTest.SETUP;
import static dev.habla.server.EchoServerTest.V1BETA;
import static dev.habla.server.EchoServerTest.WAIT;
import static dev.habla.server.EchoServerTest.nextFrame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ServerMessage;
import dev.habla.testing.RawWs;
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
 * {@link EchoServerTest} sends from): the order and a pause hold for them too (the slow-client limit for them: EchoServerTest). A guard for any
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
}
