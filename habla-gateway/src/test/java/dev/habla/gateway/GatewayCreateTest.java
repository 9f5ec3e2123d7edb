package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.emulator.LiveEmulator;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Gateway#create}: the one way to get a gateway returns it serving, or closes what it opened and throws. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayCreateTest {
    static final LiveEmulator EMULATOR = LiveEmulator.create(b -> b.apiKey(Fixture.PROVIDER_KEY));

    @AfterAll
    static void closeEmulator() {
        EMULATOR.close();
    }

    @Test
    void createdGatewayAnswersAtOnce() throws Exception {
        try (Gateway gw = Gateway.create(b -> b.upstream(c -> c.apiKey(Fixture.PROVIDER_KEY).baseUrl(EMULATOR.baseUrl()))
                .app(GatewayApp.of("shop", Fixture.ADMIN_KEY)))) {
            HttpResponse<String> health = Fixture.HTTP.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/healthz"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");
            // Health checks and probes often ask with HEAD: the same answer, without the body.
            for (String path : new String[] {"/healthz", "/"}) {
                HttpResponse<String> head = Fixture.HTTP.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
                        .timeout(Duration.ofSeconds(10)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(head.statusCode()).as(path).isEqualTo(200);
                assertThat(head.body()).as(path).isEmpty();
                assertThat(head.headers().firstValueAsLong("content-length").orElse(0)).as(path).isPositive();
            }
        }
    }

    @Test
    void portTakenThrowsIllegalState() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> Gateway.create(b -> b.port(busy.getLocalPort())
                    .upstream(c -> c.apiKey(Fixture.PROVIDER_KEY).baseUrl(EMULATOR.baseUrl()))
                    .app(GatewayApp.of("shop", Fixture.ADMIN_KEY))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Cannot start the Live server");
        }
    }

    @Test
    void inconsistentSettingsAreRefused() {
        assertThatThrownBy(() -> Gateway.create(b -> b.upstream(c -> c.apiKey(Fixture.PROVIDER_KEY))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a gateway needs at least one app (an admin key)");
        assertThatThrownBy(() -> Gateway.create(b -> b.app(GatewayApp.of("shop", Fixture.ADMIN_KEY))))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("upstream");
        assertThatThrownBy(() -> Gateway.create(b -> b.upstream(c -> c.apiKey(Fixture.PROVIDER_KEY).baseUrl(EMULATOR.baseUrl()))
                .app(GatewayApp.of("shop", Fixture.ADMIN_KEY)).devTokens("nope")))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("devTokens: no app nope");
    }
}
