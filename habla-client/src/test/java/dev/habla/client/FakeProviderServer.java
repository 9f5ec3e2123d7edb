package dev.habla.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The server side of {@link FakeProvider}'s wire on Jetty, at {@code /fake}: answers {@code hello} with
 * {@code ready}, {@code say X} with {@code text "You said: X"} (answer id {@code rN}) and {@code done} with token
 * counts; {@code say quota} closes 4001, {@code say nonsense} closes 4000; {@code commit}+{@code respond} answer with
 * the number of audio frames received. Every client frame is recorded ({@link #received()}), and the PCM bytes of
 * every {@code audio} ({@link #audioBytes()}). {@link #dropNextSay()} cuts the connection that receives the next
 * {@code say}, without a close frame and without answering (a network drop right after a line was typed). Not for
 * production: one blocking write at a time per connection (its Jetty thread).
 */
public final class FakeProviderServer implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicBoolean dropNextSay = new AtomicBoolean();
    private final AtomicLong audioBytes = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();

    public FakeProviderServer() throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container ->
                container.addMapping("/fake", (rq, rs, cb) -> new Endpoint()));
        server.setHandler(ws);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + connector.getLocalPort();
    }

    /** Client frames in arrival order, over all connections. */
    public List<String> received() {
        return received;
    }

    /** The next {@code say} is received, then its connection is cut (no close frame, no answer). */
    public void dropNextSay() {
        dropNextSay.set(true);
    }

    /** PCM bytes received in {@code audio} ops, over all connections. */
    public long audioBytes() {
        return audioBytes.get();
    }

    /** WebSocket connections opened so far. */
    public int connections() {
        return connections.get();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Public: Jetty calls the listener methods through method handles. */
    public final class Endpoint implements Session.Listener.AutoDemanding {
        private Session session;
        private int answers;
        private int audioFrames;

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
            connections.incrementAndGet();
        }

        @Override
        public void onWebSocketText(String text) {
            received.add(text);
            try {
                JsonNode n = FakeProvider.JSON.readTree(text);
                switch (n.path("op").asText()) {
                    case "hello" -> send("{\"ev\":\"ready\",\"id\":\"fake-session\"}");
                    case "say" -> {
                        String said = n.path("text").asText();
                        if (dropNextSay.compareAndSet(true, false)) {
                            session.disconnect();
                        } else if (said.equals("quota")) {
                            session.close(4001, "quota exhausted", Callback.NOOP);
                        } else if (said.equals("nonsense")) {
                            session.close(4000, "bad request shape", Callback.NOOP);
                        } else {
                            answer("You said: " + said, said.length());
                        }
                    }
                    case "audio" -> {
                        audioFrames++;
                        audioBytes.addAndGet(Base64.getDecoder().decode(n.path("pcm").asText()).length);
                    }
                    case "respond" -> answer("I got " + audioFrames + " audio frames.", audioFrames);
                    default -> { } // history, commit, truncate: recorded only
                }
            } catch (Exception e) {
                session.close(4000, "server error: " + e.getMessage(), Callback.NOOP);
            }
        }

        private void answer(String text, int in) throws Exception {
            String rid = "r" + (++answers);
            send(FakeProvider.JSON.createObjectNode().put("ev", "text").put("rid", rid).put("text", text).toString());
            send("{\"ev\":\"done\",\"in\":" + in + ",\"out\":" + text.length() + "}");
        }

        private void send(String json) throws Exception {
            Callback.Completable done = new Callback.Completable();
            session.sendText(json, done);
            done.get(5, TimeUnit.SECONDS);
        }
    }
}
