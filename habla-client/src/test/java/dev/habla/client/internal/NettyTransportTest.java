package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ResponseModality;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Netty transport on its own against the emulator: message credit, pongs, close, permessage-deflate, handshake
 * failures, joining a given event loop. (The whole client suite also runs over it with
 * {@code -Dhabla.client.transport=netty}.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NettyTransportTest {
    private static final String KEY = "test-key";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final EmulatorExtension extension = EmulatorExtension.create(x -> x.emulator(b -> b.apiKey(KEY)));
    private LiveEmulator emulator;
    private final GeminiProvider provider = GeminiProvider.INSTANCE;
    private final SessionConfig session = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001")
            .responseModality(ResponseModality.TEXT));

    @BeforeEach
    void bind(LiveEmulator emulator) {
        this.emulator = emulator;
    }

    private ClientConfig config(String key) {
        return ClientConfig.create(b -> b.apiKey(key).baseUrl(emulator.baseUrl()));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void messagesFollowTheCreditAndDeflateIsNegotiatedOnlyWhenAsked(boolean deflate) throws Exception {
        ClientConfig client = config(KEY);
        try (NettyWebSocketTransport t = new NettyWebSocketTransport(Duration.ofSeconds(5), deflate)) {
            TransportRecorder rec = new TransportRecorder();
            Transport.Connection c = t.open(provider.connectRequest(client, session), WAIT, rec)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(rec.opened).isCompletedWithValue(c);
            io.netty.channel.Channel ch = ((NettyWebSocketTransport.Handler) c).channel();
            // The inflater is in the pipeline only when deflate was offered (and the emulator accepted it).
            assertThat(ch.pipeline().names().stream().anyMatch(n -> n.contains("Deflate") || n.contains("Inflate")))
                    .as("pipeline %s", ch.pipeline().names()).isEqualTo(deflate);

            for (String frame : provider.openingFrames(client, session)) {
                c.sendText(frame);
            }
            // setupComplete is the one message a transport delivers unasked.
            assertThat(rec.next().asString()).contains("setupComplete");
            c.sendText(provider.encode(ClientMessage.ClientContent.userText("credit, one at a time")).getFirst());
            // One message per unit of credit, until the turn is complete: the reply arrives in several messages.
            StringBuilder all = new StringBuilder();
            while (!all.toString().contains("turnComplete")) {
                Thread.sleep(20); // while the credit is zero, frames the emulator sent wait (and must not arrive)
                assertThat(rec.messages).isEmpty();
                rec.request(c, 1);
                all.append(rec.next().asString());
            }
            assertThat(all).contains("You said:", " credit, one", " at a time"); // the reply text, in pieces
            assertThat(rec.delivered.get()).isGreaterThan(2);
            assertThat(rec.violations).isEmpty();

            // Pongs need credit left (as on the JDK) but use none of it.
            rec.request(c, 1);
            c.sendPing().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            rec.pong.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            // The client closes; the emulator answers with its close frame, reported once, no error.
            c.sendClose(1000, "done").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(rec.closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)[0]).isEqualTo(1000);
            assertThat(rec.error).isNotDone();
            assertThat(rec.violations).isEmpty();
            assertThatThrownBy(() -> c.sendText("{}")).isInstanceOf(java.io.IOException.class);
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
            assertThat(((NettyWebSocketTransport.Handler) c).channel().eventLoop()).isSameAs(loop);
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
    void handshakeStatusIsReportedForTheProviderToMap() throws Exception {
        try (NettyWebSocketTransport t = new NettyWebSocketTransport(Duration.ofSeconds(5), false)) {
            Transport.ConnectRequest wrongPath = new Transport.ConnectRequest(
                    java.net.URI.create("ws://127.0.0.1:" + emulator.port() + "/ws/nothing.here"),
                    java.util.Map.of("x-goog-api-key", KEY), "wrong path");
            TransportRecorder rec = new TransportRecorder();
            Throwable failure = t.open(wrongPath, WAIT, rec)
                    .handle((c, e) -> e).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(failure).isInstanceOf(Transport.HandshakeStatusException.class);
            assertThat(((Transport.HandshakeStatusException) failure).status()).isEqualTo(404);
            LiveException mapped = provider.mapConnectFailure(failure);
            assertThat(mapped.kind()).isEqualTo(LiveException.Kind.NOT_FOUND);
            assertThat(mapped.httpStatus()).isEqualTo(404);
            assertThat(rec.opened).isNotDone();
            assertThat(rec.error).isNotDone(); // no listener call at all for a connection that never opened
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
    void closingTheTransportStopsItsThreads() throws Exception {
        NettyWebSocketTransport t = new NettyWebSocketTransport(Duration.ofSeconds(5), false);
        TransportRecorder rec = new TransportRecorder();
        Transport.Connection c = t.open(provider.connectRequest(config(KEY), session), WAIT, rec)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        String prefix = t.threadNamePrefix() + "-";
        assertThat(Thread.getAllStackTraces().keySet()).anyMatch(th -> th.getName().startsWith(prefix));
        c.abort();
        t.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(th -> th.getName().startsWith(prefix) && th.isAlive());
        t.close(); // idempotent
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
