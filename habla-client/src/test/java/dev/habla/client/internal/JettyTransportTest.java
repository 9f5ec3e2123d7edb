package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ResponseModality;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.ExtensionConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Jetty transport on its own against the emulator: message credit, pongs, close, permessage-deflate and
 * handshake failures. (The whole client suite also runs over it with {@code -Dhabla.client.transport=jetty}.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JettyTransportTest {
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
        try (JettyWebSocketTransport t = new JettyWebSocketTransport(Duration.ofSeconds(5), deflate)) {
            TransportRecorder rec = new TransportRecorder();
            Transport.Connection c = t.open(provider.connectRequest(client, session), WAIT, rec)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(rec.opened).isCompletedWithValue(c);
            List<ExtensionConfig> extensions = ((JettyWebSocketTransport.JettyConnection) c).session()
                    .getUpgradeResponse().getExtensions();
            assertThat(extensions.stream().map(ExtensionConfig::getName).toList())
                    .isEqualTo(deflate ? List.of("permessage-deflate") : List.of());

            for (String frame : provider.openingFrames(client, session)) {
                c.sendText(frame);
            }
            // setupComplete is the one message a transport delivers unasked.
            assertThat(rec.next().asString()).contains("setupComplete");
            c.sendText(provider.encode(ClientMessage.ClientContent.userText("credit, one at a time")).getFirst());
            // One message per unit of credit, until the turn is complete: the reply arrives in several messages.
            StringBuilder all = new StringBuilder();
            while (!all.toString().contains("turnComplete")) {
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

            // The client closes; the emulator answers with its close frame, reported once, no error. The close
            // future itself is not checked: Jetty sometimes fails it with ClosedChannelException when the peer's close
            // arrives first (seen once in about ten runs); the session never waits on it, it waits for onClose.
            c.sendClose(1000, "done");
            assertThat(rec.closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)[0]).isEqualTo(1000);
            assertThat(rec.error).isNotDone();
            assertThat(rec.violations).isEmpty();
        }
    }

    @Test
    void handshakeStatusIsReportedForTheProviderToMap() throws Exception {
        try (JettyWebSocketTransport t = new JettyWebSocketTransport(Duration.ofSeconds(5), false)) {
            Transport.ConnectRequest wrongPath = new Transport.ConnectRequest(
                    java.net.URI.create("ws://127.0.0.1:" + emulator.port() + "/ws/nothing.here"),
                    java.util.Map.of("x-goog-api-key", KEY), "wrong path");
            Throwable failure = t.open(wrongPath, WAIT, new TransportRecorder())
                    .handle((c, e) -> e).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(failure).isInstanceOf(Transport.HandshakeStatusException.class);
            assertThat(((Transport.HandshakeStatusException) failure).status()).isEqualTo(404);
            LiveException mapped = provider.mapConnectFailure(failure);
            assertThat(mapped.kind()).isEqualTo(LiveException.Kind.NOT_FOUND);
            assertThat(mapped.httpStatus()).isEqualTo(404);
        }
    }

    @Test
    void closingTheTransportStopsItsThreads() throws Exception {
        JettyWebSocketTransport t = new JettyWebSocketTransport(Duration.ofSeconds(5), false);
        TransportRecorder rec = new TransportRecorder();
        Transport.Connection c = t.open(provider.connectRequest(config(KEY), session), WAIT, rec)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        String prefix = t.threadNamePrefix() + "-";
        assertThat(Thread.getAllStackTraces().keySet()).anyMatch(th -> th.getName().startsWith(prefix));
        c.abort();
        t.close(); // Jetty's stop joins its pool's threads
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(th -> th.getName().startsWith(prefix) && th.isAlive());
        t.close(); // idempotent
    }

    @Test
    void theTransportIsChosenInTheConfig() {
        assertThat(ClientConfig.create(b -> b.apiKey("k").transport(ClientConfig.Transport.JDK)).transport())
                .isEqualTo(ClientConfig.Transport.JDK);
        assertThat(ClientConfig.create(b -> b.apiKey("k").transport(ClientConfig.Transport.JETTY).permessageDeflate(true))
                .permessageDeflate()).isTrue();
        String property = System.getProperty(ClientConfig.TRANSPORT_PROPERTY);
        assertThat(ClientConfig.create(b -> b.apiKey("k")).transport()).isEqualTo(property == null
                ? ClientConfig.DEFAULT_TRANSPORT : ClientConfig.Transport.valueOf(property.toUpperCase(java.util.Locale.ROOT)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClientConfig.create(b -> b.apiKey("k")
                        .transport(ClientConfig.Transport.JDK).permessageDeflate(true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JETTY");
    }
}
