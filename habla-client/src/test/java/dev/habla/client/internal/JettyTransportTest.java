package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.ClientConfig;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.websocket.api.ExtensionConfig;
import org.junit.jupiter.api.Test;

/**
 * The Jetty transport on its own against the emulator ({@link TransportContract}: message credit, pongs, close,
 * permessage-deflate and handshake failures). (The whole client suite also runs over it with
 * {@code -Dhabla.client.transport=jetty}.)
 */
class JettyTransportTest extends TransportContract<JettyWebSocketTransport> {

    @Override
    JettyWebSocketTransport transport(boolean deflate) {
        return new JettyWebSocketTransport(Duration.ofSeconds(5), deflate);
    }

    @Override
    boolean deflateNegotiated(Transport.Connection c) {
        List<ExtensionConfig> extensions = ((JettyWebSocketTransport.JettyConnection) c).session()
                .getUpgradeResponse().getExtensions();
        return extensions.stream().map(ExtensionConfig::getName).toList().equals(List.of("permessage-deflate"));
    }

    @Override
    String threadNamePrefix(JettyWebSocketTransport t) {
        return t.threadNamePrefix();
    }

    /**
     * Jetty sometimes fails the close future with ClosedChannelException when the peer's close arrives first (seen once
     * in about ten runs); the session never waits on it, it waits for onClose.
     */
    @Override
    boolean failedUpgradeReachesListener() {
        return true; // harmless: the session's terminate() is idempotent
    }

    @Override
    boolean closeFutureCompletes() {
        return false;
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
