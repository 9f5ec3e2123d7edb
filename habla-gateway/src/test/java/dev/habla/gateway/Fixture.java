package dev.habla.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.client.LiveClient;
import dev.habla.emulator.LiveEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;

/** An emulator upstream, a gateway in front of it, and HTTP/Live helpers for tests. Not thread-safe; one per class. */
final class Fixture implements AutoCloseable {
    static final String PROVIDER_KEY = "provider-key-0123456789-SECRET";
    static final String ADMIN_KEY = "admin-key-shop-0123456789-SECRET";
    static final String OTHER_ADMIN_KEY = "admin-key-other-0123456789-SECRET";
    static final String MODEL = "gemini-2.0-flash-live-001";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = client();

    final LiveEmulator emulator;
    final Gateway gateway;
    /**
     * This fixture's own HTTP client, closed with it: a client shared across test classes keeps pooled connections to
     * gateways already closed, and a later gateway on a reused port then gets a dead connection for its first request
     * (seen once: "HTTP/1.1 header parser received no bytes" on NoSecretsTest's first POST).
     */
    final HttpClient http = client();

    /**
     * HTTP/1.1, as browsers and the SDKs speak to an {@code http://} gateway. The JDK's default (HTTP/2) asks every new
     * plain connection to upgrade to h2c, which the gateway ignores; once, in a CI run, a connection pooled after such
     * exchanges came back dead for the next POST (TokenEndpointTest, the same message as above, within one fixture).
     * Not reproduced in 500 rounds of the same requests; this takes the upgrade dance out of every test's HTTP.
     */
    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    Fixture(Consumer<LiveEmulator.Builder> emu, Consumer<Gateway.Builder> gw) {
        this(emu, gw, dev.habla.client.Provider.GEMINI);
    }

    /** With the gateway's upstream client on {@code upstream} (the emulator serves both providers). */
    Fixture(Consumer<LiveEmulator.Builder> emu, Consumer<Gateway.Builder> gw, dev.habla.client.Provider upstream) {
        emulator = LiveEmulator.create(b -> emu.accept(b.port(0).apiKey(PROVIDER_KEY)));
        try {
            gateway = Gateway.create(b -> {
                b.upstream(c -> c.apiKey(PROVIDER_KEY).baseUrl(emulator.baseUrl()).provider(upstream))
                        .app(GatewayApp.of("shop", ADMIN_KEY))
                        .app(GatewayApp.of("other", OTHER_ADMIN_KEY).withAllowedModels(java.util.Set.of(MODEL)));
                gw.accept(b);
            });
        } catch (RuntimeException | Error e) {
            http.close();
            emulator.close(); // the gateway closed itself; nothing else would close the emulator
            throw e;
        }
    }

    Fixture() {
        this(e -> { }, g -> { });
    }

    /** HTTP response status and body. */
    record Http(int status, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    Http post(String path, String key, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            r.header("x-goog-api-key", key);
        }
        HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new Http(resp.statusCode(), resp.body(), resp.headers());
    }

    Http request(String method, String path, String key, String origin) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            r.header("x-goog-api-key", key);
        }
        if (origin != null) {
            r.header("Origin", origin);
        }
        HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new Http(resp.statusCode(), resp.body(), resp.headers());
    }

    /** Mints a token with the shop's admin key; returns its name. */
    String mint(String body) throws Exception {
        Http h = post("/v1alpha/auth_tokens", ADMIN_KEY, body);
        if (h.status() != 200) {
            throw new AssertionError("mint failed: " + h);
        }
        return h.json().path("name").asText();
    }

    /** A client of the gateway using {@code token}. */
    LiveClient tokenClient(String token) {
        return LiveClient.create(c -> c.ephemeralToken(token).baseUrl(gateway.baseUrl()).apiVersion("v1alpha"));
    }

    /** The Live WebSocket URL for a token. */
    String tokenUrl(String token) {
        return gateway.baseUrl().replace("http://", "ws://")
                + "//ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=" + token;
    }

    @Override
    public void close() {
        http.close();
        gateway.close();
        emulator.close();
    }
}
