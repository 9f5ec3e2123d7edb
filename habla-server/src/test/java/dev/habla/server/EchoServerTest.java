package dev.habla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.Content;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Strictness;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A minimal Live server built on habla-server (an echo model), exercised by the JDK WebSocket client over loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoServerTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String SETUP = "{\"setup\":{\"model\":\"models/echo\"}}";
    static final LiveEndpoint V1BETA = new LiveEndpoint("v1beta", LiveEndpoint.Kind.API_KEY);

    /** The whole echo model: setupComplete, then every realtime text back as a model turn. */
    static final class Echo extends SetupFirstHandler {
        Echo(LiveConnection connection) {
            super(connection);
        }

        @Override
        protected void onSetup(ClientMessage.Setup setup) {
            connection.send(new ServerMessage.SetupComplete(null));
        }

        @Override
        protected void onInput(ClientMessage message) {
            if (message instanceof ClientMessage.RealtimeInput r && r.text() != null) {
                connection.send(ServerMessage.ServerContent.modelTurn(Content.text("model", r.text())));
                connection.send(ServerMessage.ServerContent.turnCompleted());
            }
        }
    }

    LiveServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private LiveServer start(java.util.function.Consumer<LiveServer.Builder> extra) {
        server = LiveServer.create(b -> {
            b.handlers(Echo::new);
            extra.accept(b);
        });
        return server;
    }

    /** The server's next message, decoded; fails after {@link #WAIT} or on close. */
    static ServerFrame nextFrame(RawWs client) throws InterruptedException {
        RawWs.Frame m = client.framesUntil(json -> true, WAIT).getFirst();
        assertThat(m.binary()).as("server frames are binary, like the service").isTrue();
        return LiveCodec.decodeServer(m.json(), Strictness.STRICT);
    }

    @Test
    void echoesOverLoopbackWithSetupFirst() throws Exception {
        List<String> principals = new CopyOnWriteArrayList<>();
        start(b -> b.authenticator(r -> r.credential() instanceof Credential.ApiKey k && k.key().equals("k")
                ? AuthResult.accept("app-1") : AuthResult.rejectBadKey())
                .handlers(c -> {
                    principals.add(c.principal());
                    return new Echo(c);
                }));
        try (RawWs client = RawWs.open(server.wsUrl(V1BETA) + "?key=k", Map.of())) {
            client.send(SETUP);
            assertThat(nextFrame(client).message()).isInstanceOf(ServerMessage.SetupComplete.class);
            client.send(LiveCodec.encode(ClientMessage.RealtimeInput.ofText("hola")));
            ServerMessage.ServerContent sc = (ServerMessage.ServerContent) nextFrame(client).message();
            assertThat(sc.modelTurn().parts().getFirst().text()).isEqualTo("hola");
            assertThat(((ServerMessage.ServerContent) nextFrame(client).message()).turnComplete()).isTrue();
            assertThat(server.connections()).hasSize(1);
            assertThat(server.connections().getFirst().endpoint()).isEqualTo(V1BETA);
            // A second setup breaks the first rule.
            client.send(SETUP);
            assertThat(client.awaitClose(WAIT)).isEqualTo(new RawWs.Closed(1007, CloseCodes.REASON_INVALID_ARGUMENT));
        }
        assertThat(principals).containsExactly("app-1");
    }

    @Test
    void inputBeforeSetupCloses1007() throws Exception {
        start(b -> { });
        try (RawWs client = RawWs.open(server.wsUrl(V1BETA), Map.of("x-goog-api-key", "any"))) {
            client.send(LiveCodec.encode(ClientMessage.RealtimeInput.ofText("hola")));
            assertThat(client.awaitClose(WAIT)).isEqualTo(new RawWs.Closed(1007, CloseCodes.REASON_INVALID_ARGUMENT));
        }
    }

    @Test
    void rejectedCredentialsGetTheUpgradeThenClose1008() throws Exception {
        start(b -> b.authenticator(r -> AuthResult.rejectBadKey()));
        try (RawWs client = RawWs.open(server.wsUrl(V1BETA) + "?key=bad", Map.of())) {
            assertThat(client.awaitClose(WAIT)).isEqualTo(new RawWs.Closed(1008, CloseCodes.REASON_BAD_KEY));
        }
        assertThat(server.connections()).isEmpty();
    }

    @Test
    void undecodableFrameClosesWithTheGoogleReason() throws Exception {
        start(b -> { });
        try (RawWs client = RawWs.open(server.wsUrl(V1BETA) + "?key=k", Map.of())) {
            client.send(SETUP);
            nextFrame(client);
            client.send("{\"clientContent\":{\"turnCompleet\":true}}");
            assertThat(client.awaitClose(WAIT)).isEqualTo(new RawWs.Closed(1007,
                    "Invalid JSON payload received. Unknown name \"turnCompleet\" at 'client_content': Cannot find field."));
        }
    }

    @Test
    void ephemeralTokenPathAndObserverSeeEveryFrame() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<Credential> credentials = new CopyOnWriteArrayList<>();
        start(b -> b.authenticator(r -> {
            credentials.add(r.credential());
            return AuthResult.accept("t");
        }).inboundObserver((c, m, raw, binary) -> seen.add(m == null ? "undecodable" : m.wireKey())));
        LiveEndpoint constrained = new LiveEndpoint("v1alpha", LiveEndpoint.Kind.EPHEMERAL_TOKEN);
        try (RawWs client = RawWs.open(server.wsUrl(constrained), Map.of("Authorization", "Token auth_tokens/abc"))) {
            client.send(SETUP);
            nextFrame(client);
            client.send("{\"nope\":1}");
            assertThat(client.awaitClose(WAIT).code()).isEqualTo(1007);
        }
        assertThat(credentials).containsExactly(new Credential.EphemeralToken("auth_tokens/abc"));
        assertThat(credentials.getFirst().toString()).doesNotContain("abc");
        assertThat(seen).containsExactly("setup", "undecodable");
    }

    @Test
    void otherPathsAre404AndVertexIsOptIn() throws Exception {
        start(b -> { });
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (String path : new String[] {"/", "/ws/google.ai.generativelanguage.v2.GenerativeService.BidiGenerateContent",
                    "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isEqualTo(404);
            }
        }
        server.close();
        List<Credential> credentials = new CopyOnWriteArrayList<>();
        start(b -> b.vertexPaths(true).authenticator(r -> {
            credentials.add(r.credential());
            return AuthResult.accept("vertex");
        }));
        LiveEndpoint vertex = new LiveEndpoint("v1beta1", LiveEndpoint.Kind.VERTEX);
        try (RawWs client = RawWs.open(server.wsUrl(vertex), Map.of("Authorization", "Bearer ya29.x"))) {
            client.send(SETUP);
            assertThat(nextFrame(client).message()).isInstanceOf(ServerMessage.SetupComplete.class);
        }
        assertThat(credentials).containsExactly(new Credential.BearerToken("ya29.x"));
    }

    @Test
    void pausedOutputHoldsLaterFramesOnly() throws Exception {
        start(b -> b.handlers(c -> new SetupFirstHandler(c) {
            @Override
            protected void onSetup(ClientMessage.Setup setup) {
                connection.send(new ServerMessage.SetupComplete(null));
                connection.pauseOutput();
                connection.send(ServerMessage.ServerContent.turnCompleted());
            }

            @Override
            protected void onInput(ClientMessage message) {
                connection.resumeOutput();
            }
        }));
        try (RawWs client = RawWs.open(server.wsUrl(V1BETA) + "?key=k", Map.of())) {
            client.send(SETUP);
            assertThat(nextFrame(client).message()).isInstanceOf(ServerMessage.SetupComplete.class);
            assertThat(server.connections().getFirst().queuedBytes()).as("the held frame").isPositive();
            client.send(LiveCodec.encode(ClientMessage.RealtimeInput.ofText("go")));
            assertThat(((ServerMessage.ServerContent) nextFrame(client).message()).turnComplete()).isTrue();
        }
    }

    /** {@code offHandler}: the frames are sent by another thread, holding no lock of the connection's. */
    @org.junit.jupiter.params.ParameterizedTest(name = "sent off the handler: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aClientThatDoesNotReadIsClosedAndTheQueueStaysBounded(boolean offHandler) throws Exception {
        long limit = 1 << 20;
        byte[] pcm = new byte[96_000];
        java.util.concurrent.atomic.AtomicLong maxQueued = new java.util.concurrent.atomic.AtomicLong();
        // The connection itself, not server.connections(): a closed connection leaves that list, possibly before a
        // busy test thread looks at it.
        java.util.concurrent.atomic.AtomicReference<LiveConnection> conn = new java.util.concurrent.atomic.AtomicReference<>();
        start(b -> b.maxOutboundBytes(limit).handlers(c -> new SetupFirstHandler(c) {
            @Override
            protected void onSetup(ClientMessage.Setup setup) {
                conn.set(connection);
                // 400 chunks of ~128 KB (base64) = ~50 MB for a client that reads nothing.
                Runnable flood = () -> {
                    for (int i = 0; i < 400 && connection.send(ServerMessage.ServerContent.modelTurn(new Content(
                            List.of(dev.habla.protocol.Part.ofInlineData("audio/pcm;rate=24000", pcm)), "model"))); i++) {
                        maxQueued.accumulateAndGet(connection.queuedBytes(), Math::max);
                    }
                };
                if (offHandler) {
                    Thread.ofVirtual().start(flood);
                } else {
                    flood.run();
                }
            }

            @Override
            protected void onInput(ClientMessage message) {
            }
        }));
        try (RawWs client = RawWs.openNotReading(server.wsUrl(V1BETA) + "?key=k", Map.of())) {
            client.send(SETUP);
            long deadline = System.nanoTime() + WAIT.toNanos();
            // The server registers the connection when its socket opens, which may come after the client's handshake.
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
