package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveException;
import dev.habla.protocol.ClientMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Netty transport on its own against the emulator ({@link TransportContract}: message credit, pongs, close,
 * permessage-deflate, handshake failures), and what is its own: joining a given event loop, sends from the loop in
 * order, refused and unknown hosts. (The whole client suite also runs over it with
 * {@code -Dhabla.client.transport=netty}.)
 */
class NettyTransportTest extends TransportContract<NettyWebSocketTransport> {

    @Override
    NettyWebSocketTransport transport(boolean deflate) {
        return new NettyWebSocketTransport(Duration.ofSeconds(5), deflate);
    }

    /** The inflater is in the pipeline only when deflate was offered and the emulator accepted it. */
    @Override
    boolean deflateNegotiated(Transport.Connection c) {
        return ((NettyConnection) c).channel().pipeline().names().stream()
                .anyMatch(n -> n.contains("Deflate") || n.contains("Inflate"));
    }

    @Override
    String threadNamePrefix(NettyWebSocketTransport t) {
        return t.threadNamePrefix();
    }

    @Test
    void aSendAfterTheCloseFailsTyped() throws Exception {
        try (NettyWebSocketTransport t = transport(false)) {
            TransportRecorder rec = new TransportRecorder();
            Transport.Connection c = t.open(provider.connectRequest(config(KEY), session), WAIT, rec)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            c.sendClose(1000, "done").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(rec.closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)[0]).isEqualTo(1000);
            assertThatThrownBy(() -> c.sendText("{}")).isInstanceOf(java.io.IOException.class);
            assertThat(c.trySendNow("{}")).isFalse();
        }
    }

    @Test
    void aConnectionJoinsTheEventLoopItIsGivenAndItsCallbacksRunThere() throws Exception {
        ClientConfig client = config(KEY);
        io.netty.channel.EventLoopGroup other = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                new io.netty.util.concurrent.DefaultThreadFactory("joined-loop", true),
                io.netty.channel.epoll.Epoll.isAvailable() ? io.netty.channel.epoll.EpollIoHandler.newFactory()
                        : io.netty.channel.nio.NioIoHandler.newFactory());
        try (NettyWebSocketTransport t = new NettyWebSocketTransport(Duration.ofSeconds(5), false)) {
            io.netty.channel.EventLoop loop = other.next();
            assertThat(NettyWebSocketTransport.canJoin(loop)).isTrue();
            assertThat(NettyWebSocketTransport.canJoin(Runnable::run)).isFalse();
            List<String> threads = new CopyOnWriteArrayList<>();
            TransportRecorder rec = new TransportRecorder() {
                @Override
                public void onMessage(Transport.InboundFrame frame) {
                    threads.add(Thread.currentThread().getName());
                    super.onMessage(frame);
                }
            };
            Transport.Connection c = t.open(provider.connectRequest(client, session).withIoAffinity(loop), WAIT, rec)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(((NettyConnection) c).channel().eventLoop()).isSameAs(loop);
            for (String frame : provider.openingFrames(client, session)) {
                c.sendText(frame);
            }
            assertThat(rec.next().asString()).contains("setupComplete");
            // Sends from the loop itself do not wait (they are queued on the channel), and keep their order.
            rec.request(c, 1000);
            loop.submit(() -> {
                c.sendText(provider.encode(ClientMessage.ClientContent.userText("from the loop")).getFirst());
                return null;
            }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            StringBuilder all = new StringBuilder();
            while (!all.toString().contains("turnComplete")) {
                all.append(rec.next().asString());
            }
            assertThat(all).contains("from", "the loop");
            assertThat(threads).isNotEmpty().allMatch(n -> n.startsWith("joined-loop"));
            c.abort();
            assertThat(rec.error.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(java.io.IOException.class);
        } finally {
            other.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void refusedAndUnresolvableAreTypedFailures() throws Exception {
        try (NettyWebSocketTransport t = new NettyWebSocketTransport(Duration.ofSeconds(5), false);
                java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            int closedPort = s.getLocalPort();
            s.close();
            Throwable refused = t.open(new Transport.ConnectRequest(java.net.URI.create("ws://127.0.0.1:" + closedPort + "/ws"),
                    java.util.Map.of(), "refused"), WAIT, new TransportRecorder()).handle((c, e) -> e).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(provider.mapConnectFailure(refused).kind()).isEqualTo(LiveException.Kind.UNAVAILABLE);
            Throwable dns = t.open(new Transport.ConnectRequest(java.net.URI.create("ws://no-such-host.invalid/ws"),
                    java.util.Map.of(), "dns"), WAIT, new TransportRecorder()).handle((c, e) -> e).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(provider.mapConnectFailure(dns).getMessage()).contains("host not found");
        }
    }

    @Test
    void theTransportIsChosenInTheConfig() {
        assertThat(ClientConfig.create(b -> b.apiKey("k").transport(ClientConfig.Transport.NETTY).permessageDeflate(true))
                .permessageDeflate()).isTrue();
        assertThatThrownBy(() -> ClientConfig.create(b -> b.apiKey("k")
                        .transport(ClientConfig.Transport.JDK).permessageDeflate(true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NETTY or JETTY");
    }
}
