package dev.habla.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ServerMessage;
import dev.habla.testing.RawWs;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The snippet of habla-server/README.md, as written there, then driven over loopback. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadmeSnippetTest {

    @Test
    void readmeEchoServerRuns() throws Exception {
        String myKey = "k";
        // --- README snippet start ---
        try (LiveServer server = LiveServer.create(b -> b
                .port(0)                                             // 0 = a free port (default); host 127.0.0.1 by default
                .authenticator(req -> req.credential() instanceof Credential.ApiKey k && k.key().equals(myKey)
                        ? AuthResult.accept("app-1") : AuthResult.rejectBadKey())
                .handlers(conn -> new SetupFirstHandler(conn) {     // one handler per authenticated connection
                    @Override protected void onSetup(ClientMessage.Setup setup) {
                        connection.send(new ServerMessage.SetupComplete(null));
                    }
                    @Override protected void onInput(ClientMessage message) {
                        if (message instanceof ClientMessage.RealtimeInput r && r.text() != null) {
                            connection.send(ServerMessage.ServerContent.modelTurn(Content.text("model", r.text())));
                            connection.send(ServerMessage.ServerContent.turnCompleted());
                        }
                    }
                }))) {
            server.wsUrl(new LiveEndpoint("v1beta", LiveEndpoint.Kind.API_KEY));   // ws://127.0.0.1:PORT/ws/google.ai…BidiGenerateContent
            // --- README snippet end ---
            String url = server.wsUrl(new LiveEndpoint("v1beta", LiveEndpoint.Kind.API_KEY));
            assertThat(url).startsWith("ws://127.0.0.1:").endsWith(
                    "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent");
            try (RawWs client = RawWs.open(url, Map.of("x-goog-api-key", myKey))) {
                client.send(EchoServerTest.SETUP);
                EchoServerTest.nextFrame(client);
                client.send(LiveCodec.encode(ClientMessage.RealtimeInput.ofText("eco")));
                ServerMessage.ServerContent sc = (ServerMessage.ServerContent) EchoServerTest.nextFrame(client).message();
                assertThat(sc.modelTurn().parts().getFirst().text()).isEqualTo("eco");
            }
            try (RawWs wrong = RawWs.open(url, Map.of("x-goog-api-key", "other"))) {
                assertThat(wrong.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1008);
            }
        }
    }
}
