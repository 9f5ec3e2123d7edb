package dev.habla.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's plain-HTTP side: what an {@link HttpService} is given and how its reply, null or throw reaches the client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpServiceTest {
    @Test
    void serviceSeesTheRequestAndItsReplyReachesTheClient() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpService service = call -> switch (call.path()) {
            case "/echo" -> {
                seen.add(call.method() + " " + call.queryParam("q") + " " + call.header("X-TEST") + " "
                        + call.remoteAddress().getAddress().isLoopbackAddress());
                yield HttpReply.json(201, "{\"got\":" + call.bodyText(64) + "}").withHeader("X-Reply", "yes");
            }
            case "/small" -> HttpReply.text(200, "text/plain; charset=utf-8", call.bodyText(4));
            case "/boom" -> throw new IllegalStateException("a bug, not the client's concern");
            default -> null;
        };
        try (LiveServer server = LiveServer.create(b -> b.handlers(conn -> m -> { }).httpService(service));
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/echo?q=a%20b"))
                    .header("x-test", "t").POST(HttpRequest.BodyPublishers.ofString("[1,2]")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.body()).isEqualTo("{\"got\":[1,2]}");
            assertThat(r.headers().firstValue("content-type")).hasValue(HttpReply.JSON);
            assertThat(r.headers().firstValue("x-reply")).hasValue("yes");
            assertThat(seen).containsExactly("POST a b t true");

            // The service's limit: a declared length over it is refused, the service chooses the answer (here 500).
            HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/small"))
                    .POST(HttpRequest.BodyPublishers.ofString("12345")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(big.statusCode()).isEqualTo(500);
            assertThat(big.body()).doesNotContain("BodyTooLarge");

            HttpResponse<String> boom = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/boom")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(boom.statusCode()).isEqualTo(500);
            assertThat(boom.body()).doesNotContain("a bug");

            HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/nothing")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(404);

            // A Live path is still the WebSocket's: without an upgrade it is 400, the service never sees it.
            HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create(server.wsUrl(
                    new LiveEndpoint("v1beta", LiveEndpoint.Kind.API_KEY)).replace("ws://", "http://"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(400);
            assertThat(seen).hasSize(1);
        }
    }

    @Test
    void bodyIsReadOnceWithinItsLimit() throws Exception {
        HttpCall call = new HttpCall("POST", "/p", null, Map.of(), null, () -> new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)));
        assertThat(call.bodyText(5)).isEqualTo("hello");
        assertThatThrownBy(() -> call.body(5)).isInstanceOf(IllegalStateException.class);

        HttpCall chunked = new HttpCall("POST", "/p", null, Map.of(), null, () -> new ByteArrayInputStream(new byte[10]));
        assertThatThrownBy(() -> chunked.body(9)).isInstanceOf(HttpCall.BodyTooLargeException.class)
                .satisfies(e -> assertThat(((HttpCall.BodyTooLargeException) e).limit()).isEqualTo(9));

        // A declared length over the limit is refused before the body is opened.
        HttpCall declared = new HttpCall("POST", "/p", null, Map.of("content-length", "1000000"), null, () -> {
            throw new AssertionError("opened");
        });
        assertThatThrownBy(() -> declared.body(1000)).isInstanceOf(HttpCall.BodyTooLargeException.class);

        HttpCall empty = new HttpCall("GET", "/p", "a=1&b&c=x%2By", Map.of("Origin", "o"), null, null);
        assertThat(empty.body(0)).isEmpty();
        assertThat(empty.header("ORIGIN")).isEqualTo("o");
        assertThat(empty.queryParam("a")).isEqualTo("1");
        assertThat(empty.queryParam("b")).isEmpty();
        assertThat(empty.queryParam("c")).isEqualTo("x+y");
        assertThat(empty.queryParam("d")).isNull();
        assertThat(empty.toString()).doesNotContain("a=1").doesNotContain("Origin");
    }

    @Test
    void replyHeadersReplaceByNameInAnyCaseAndBodyIsNeverPrinted() {
        HttpReply r = HttpReply.json(200, "{\"name\":\"auth_tokens/secret\"}").withHeader("content-type", "application/json");
        assertThat(r.headers()).containsExactly(Map.entry("content-type", "application/json"));
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.toString()).doesNotContain("secret");
        assertThat(HttpReply.empty(204).body()).isEmpty();
        assertThatThrownBy(() -> HttpReply.empty(99)).isInstanceOf(IllegalArgumentException.class);
    }
}
