package dev.habla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ServerMessage;
import dev.habla.testing.RawWs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A second wire on the same server: raw text frames on a route, the Live paths untouched. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketRouteTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void routeMatchesItsPathOnly() {
        SocketRoute r = new SocketRoute("/v1/realtime", p -> null, c -> t -> { });
        assertThat(r.matches("/v1/realtime")).isTrue();
        assertThat(r.matches("//v1/realtime/")).isTrue();
        assertThat(r.matches("/v1/realtime/client_secrets")).isFalse();
        assertThat(r.matches("/realtime")).isFalse();
    }

    @Test
    void textFramesReachTheRouteHandlerAndLivePathsStillWork() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        List<Integer> closes = new CopyOnWriteArrayList<>();
        SocketRoute echo = new SocketRoute("/v1/echo", offered -> offered.contains("echo") ? "echo" : null, conn -> {
            requests.add(conn.request().queryParam("model") + " " + conn.request().header("Authorization"));
            conn.sendText("{\"hello\":true}");
            return new SocketHandler() {
                @Override
                public void onText(String text) {
                    if (text.equals("bye")) {
                        conn.close(3000, "done");
                    } else {
                        conn.sendText("echo " + text);
                    }
                }

                @Override
                public void onBinary(byte[] data) {
                    conn.sendText("binary " + data.length);
                }

                @Override
                public void onClose(int statusCode, String reason) {
                    closes.add(statusCode);
                }
            };
        });
        try (LiveServer server = LiveServer.create(b -> b.route(echo)
                .handlers(conn -> message -> conn.send(new ServerMessage.SetupComplete(null))))) {
            try (RawWs ws = RawWs.open("ws://127.0.0.1:" + server.port() + "/v1/echo?model=m1", Map.of("Authorization", "Bearer k"))) {
                assertThat(((RawWs.Frame) ws.poll(WAIT)).json()).isEqualTo("{\"hello\":true}");
                ws.send("hi");
                RawWs.Frame f = (RawWs.Frame) ws.poll(WAIT);
                assertThat(f).isEqualTo(new RawWs.Frame("echo hi", false));
                ws.sendBinary("abc");
                assertThat(((RawWs.Frame) ws.poll(WAIT)).json()).isEqualTo("binary 3");
                assertThat(server.connections()).as("route connections are not Live connections").isEmpty();
                ws.send("bye");
                assertThat(ws.awaitClose(WAIT)).isEqualTo(new RawWs.Closed(3000, "done"));
            }
            assertThat(requests).containsExactly("m1 Bearer k");
            // The Live path on the same server is unaffected.
            try (RawWs live = RawWs.connect(server.wsUrl(new LiveEndpoint("v1beta", LiveEndpoint.Kind.API_KEY)), "key")) {
                live.send("{\"setup\":{\"model\":\"models/x\"}}");
                assertThat(((RawWs.Frame) live.poll(WAIT)).json()).isEqualTo("{\"setupComplete\":{}}");
            }
            // No upgrade on the route path: it goes on to the other handlers (404 here).
            HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/echo")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(plain.statusCode()).isEqualTo(404);
        }
        assertThat(closes).containsExactly(3000);
    }
}
