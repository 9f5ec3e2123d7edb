package dev.habla.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.client.internal.ContinuityStrategy;
import dev.habla.client.internal.LiveProvider;
import dev.habla.client.internal.ProviderConnection;
import dev.habla.client.internal.Transport;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.UsageMetadata;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A second provider for tests, with its own tiny wire (one JSON object per frame, {@code op} from the client,
 * {@code ev} from the server; see {@link FakeProviderServer}), to show that a provider plugs in without changes to the
 * session machinery. Its per-connection state is the id of the latest answer, which a playback report names (as
 * OpenAI's truncate names an item).
 */
public final class FakeProvider implements LiveProvider {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> VOICES = List.of("alloy", "marin");

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public Capabilities capabilities(ClientConfig client, SessionConfig session) {
        return new Capabilities(name(), session.model(), session.model().startsWith("fake-"), true,
                ResponseModality.TEXT, false, true, false, false, 24_000, 24_000, VOICES);
    }

    @Override
    public void check(ClientConfig client, SessionConfig session) {
        if (session.resumptionHandle() != null) {
            throw new IllegalArgumentException("the fake provider has no resumption");
        }
    }

    @Override
    public ProviderConnection open(ClientConfig client, SessionConfig session) {
        return new Conn(client, session);
    }

    @Override
    public ContinuityStrategy continuity() {
        return new ContinuityStrategy() {
            @Override
            public SessionConfig baseConfig(SessionConfig user, boolean compression) {
                return user;
            }

            @Override
            public Plan next(SessionConfig base, String latestHandle, boolean handleRefused, List<Content> transcript) {
                return transcript.isEmpty() ? new Fresh(base)
                        : new Reseed(base.with(b -> b.initialHistory(transcript)), transcript);
            }

            @Override
            public boolean isHandleRefused(LiveException failure) {
                return false;
            }

            @Override
            public boolean supportsHandover() {
                return false;
            }

            @Override
            public Duration maxConnectionLifetime() {
                return Duration.ofMinutes(60);
            }
        };
    }

    @Override
    public String redact(String text) {
        return text.replaceAll("Bearer \\S+", "Bearer <redacted>");
    }

    /** One connection: the latest answer id (dispatcher writes, voice-loop thread reads). */
    private static final class Conn implements ProviderConnection {
        private final ClientConfig client;
        private final SessionConfig session;
        private volatile String lastAnswer;

        Conn(ClientConfig client, SessionConfig session) {
            this.client = client;
            this.session = session;
        }

        @Override
        public Transport.ConnectRequest connectRequest() {
            URI uri = URI.create(client.baseUrl().toString().replaceFirst("^http", "ws") + "/fake");
            return new Transport.ConnectRequest(uri, Map.of("Authorization", "Bearer " + client.apiKey()), uri + " [Bearer]");
        }

        @Override
        public List<String> openingFrames() {
            ObjectNode hello = JSON.createObjectNode().put("op", "hello").put("model", session.model());
            if (session.voice() != null) {
                hello.put("voice", session.voice());
            }
            return List.of(hello.toString());
        }

        @Override
        public List<String> afterSetupFrames() {
            List<String> out = new ArrayList<>();
            for (Content turn : session.initialHistory()) {
                out.add(JSON.createObjectNode().put("op", "history").put("role", turn.role())
                        .put("text", turn.parts().getFirst().text()).toString());
            }
            return out;
        }

        @Override
        public List<String> encode(ClientMessage message) {
            return switch (message) {
                case ClientMessage.ClientContent c when c.turns() != null && c.turns().size() == 1 && c.turnComplete() ->
                        List.of(op("say").put("text", c.turns().getFirst().parts().getFirst().text()).toString());
                case ClientMessage.RealtimeInput r when r.audio() != null ->
                        List.of(op("audio").put("pcm", Base64.getEncoder().encodeToString(r.audio().data())).toString());
                case ClientMessage.RealtimeInput r when Boolean.TRUE.equals(r.audioStreamEnd()) ->
                        // A command the fake wire spells as two frames, sent as one unit.
                        List.of(op("commit").toString(), op("respond").toString());
                default -> throw new IllegalArgumentException("the fake wire cannot express " + message.wireKey());
            };
        }

        @Override
        public List<LiveEvent> decode(Transport.InboundFrame frame) {
            JsonNode n;
            try {
                n = JSON.readTree(frame.asString());
            } catch (Exception e) {
                throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
            }
            return switch (n.path("ev").asText()) {
                case "ready" -> List.of(new LiveEvent.SetupCompleted(n.path("id").asText()));
                case "text" -> {
                    lastAnswer = n.path("rid").asText();
                    yield List.of(new LiveEvent.TextDelta(n.path("text").asText(), false));
                }
                case "done" -> List.of(new LiveEvent.TurnComplete(
                        UsageMetadata.of(n.path("in").asInt(), n.path("out").asInt()), null));
                default -> throw new IllegalArgumentException("unknown fake event " + n.path("ev").asText());
            };
        }

        @Override
        public List<String> playback(Duration played) {
            String rid = lastAnswer;
            return rid == null ? List.of() : List.of(op("truncate").put("rid", rid).put("ms", played.toMillis()).toString());
        }

        @Override
        public LiveException mapClose(int code, String reason) {
            LiveException.Kind kind = switch (code) {
                case 4000 -> LiveException.Kind.INVALID_ARGUMENT;
                case 4001 -> LiveException.Kind.RESOURCE_EXHAUSTED;
                case 4003 -> LiveException.Kind.UNAUTHENTICATED;
                default -> LiveException.Kind.UNAVAILABLE;
            };
            return new LiveException(kind, "fake server closed: " + code + " " + reason, code, reason, -1, null);
        }

        @Override
        public LiveException mapConnectFailure(Throwable error) {
            Throwable t = error;
            while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
                t = t.getCause();
            }
            int status = t instanceof Transport.HandshakeStatusException h ? h.status()
                    : t instanceof java.net.http.WebSocketHandshakeException h && h.getResponse() != null
                            ? h.getResponse().statusCode() : 0;
            LiveException.Kind kind = status == 404 ? LiveException.Kind.NOT_FOUND : LiveException.Kind.UNAVAILABLE;
            return new LiveException(kind, "fake connect failed: " + t, -1, "", status == 0 ? -1 : status, t);
        }

        private static ObjectNode op(String op) {
            return JSON.createObjectNode().put("op", op);
        }
    }
}
