package dev.habla.emulator.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.Item;
import dev.habla.realtime.ServerEvent;
import dev.habla.realtime.Session;
import dev.habla.realtime.Tool;
import dev.habla.testing.FakeClock;
import dev.habla.testing.RawWs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Handshake refusals, in-band errors, tools, client secrets, the session cap and faults of the Realtime endpoint. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RealtimeRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final EmulatorExtension emulator = EmulatorExtension.create(x -> x.fakeClock().emulator(b -> b.apiKey("sk-right")));

    private static Session textOnly() {
        return Session.update().withOutputModalities(List.of("text"));
    }

    @Test
    void handshakeRefusalsAreInBandThenClose(LiveEmulator emu) throws Exception {
        record Case(String query, Map<String, String> headers, String code, int close, String reason) {}
        for (Case k : List.of(
                new Case("?model=gpt-realtime", Map.of("Authorization", "Bearer sk-wrong-key-123"), "invalid_api_key", 3000, "invalid_request_error.invalid_api_key"),
                new Case("?model=gpt-realtime", Map.of(), null, 3000, "invalid_request_error"),
                new Case("?model=gpt-nope", Map.of("Authorization", "Bearer sk-right"), "invalid_model", 4000, "invalid_request_error.invalid_model"),
                new Case("", Map.of("Authorization", "Bearer sk-right"), "missing_model", 4000, "invalid_request_error.missing_model"),
                new Case("?model=gpt-realtime", Map.of("Authorization", "Bearer sk-right", "OpenAI-Beta", "realtime=v1"),
                        "beta_api_shape_disabled", 4000, "invalid_request_error.beta_api_shape_disabled"))) {
            try (RawWs ws = RawWs.open(emu.realtimeUrl() + k.query(), k.headers())) {
                var frame = (RawWs.Frame) ws.poll(RealtimeClient.WAIT);
                JsonNode err = JSON.readTree(frame.json());
                assertThat(err.get("type").asText()).isEqualTo("error");
                assertThat(err.get("error").get("code").isNull() ? null : err.get("error").get("code").asText()).as(k.toString()).isEqualTo(k.code());
                assertThat(err.get("error").get("message").asText()).isNotBlank().doesNotContain("sk-wrong-key-123");
                assertThat(ws.awaitClose(RealtimeClient.WAIT)).isEqualTo(new RawWs.Closed(k.close(), k.reason()));
            }
        }
    }

    @Test
    void badEventsGetErrorEventsAndTheSessionStaysOpen(LiveEmulator emu) throws Exception {
        try (RealtimeClient c = RealtimeClient.open(emu, "?model=gpt-realtime", Map.of("Authorization", "Bearer sk-right"))) {
            c.next();
            c.sendRaw("{\"type\":\"nope\",\"event_id\":\"e1\"}");
            var e1 = (ServerEvent.ErrorEvent) c.next();
            assertThat(e1.error()).extracting(x -> x.code(), x -> x.param(), x -> x.eventId()).containsExactly("invalid_value", "type", "e1");
            assertThat(e1.error().message()).startsWith("Invalid value: 'nope'. Supported values are: 'session.update'");
            c.sendRaw("not json");
            assertThat(((ServerEvent.ErrorEvent) c.next()).error().code()).isEqualTo("invalid_json");
            c.ws.sendBinary("{\"type\":\"response.create\"}");
            assertThat(((ServerEvent.ErrorEvent) c.next()).error().code()).isEqualTo("invalid_event");
            c.sendRaw("{\"type\":\"session.update\",\"event_id\":\"e2\",\"session\":{\"type\":\"realtime\",\"bogus_field\":1}}");
            var e2 = (ServerEvent.ErrorEvent) c.next();
            assertThat(e2.error()).extracting(x -> x.code(), x -> x.param(), x -> x.eventId()).containsExactly("unknown_parameter", "session.bogus_field", "e2");
            // An invalid update is refused whole: the instructions did not change either.
            c.sendRaw("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"x\",\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":16000}}}}}");
            var e3 = (ServerEvent.ErrorEvent) c.next();
            assertThat(e3.error()).extracting(x -> x.code(), x -> x.param()).containsExactly("integer_below_min_value", "session.audio.input.format.rate");
            c.sendRaw("{\"type\":\"input_audio_buffer.append\",\"audio\":\"%%%\"}");
            assertThat(((ServerEvent.ErrorEvent) c.next()).error().param()).isEqualTo("audio");
            c.send(new ClientEvent.ResponseCancel("e4", null));
            assertThat(((ServerEvent.ErrorEvent) c.next()).error().code()).isEqualTo("response_cancel_not_active");
            c.send(new ClientEvent.ConversationItemCreate(Item.FunctionCallOutput.of("call_unknown", "x")));
            assertThat(((ServerEvent.ErrorEvent) c.next()).error().param()).isEqualTo("item.call_id");

            c.send(new ClientEvent.SessionUpdate(textOnly()));
            var updated = (ServerEvent.SessionUpdated) c.next();
            assertThat(updated.session().instructions()).isEmpty();
            c.send(new ClientEvent.ConversationItemCreate(Item.Message.userText("still here")));
            c.send(new ClientEvent.ResponseCreate());
            assertThat(RealtimeClient.text(c.response())).isEqualTo("You said: still here");

            // One response at a time: an audio response stays in progress here (the clock does not move).
            c.send(new ClientEvent.SessionUpdate(Session.update().withOutputModalities(List.of("audio"))));
            c.until(ServerEvent.SessionUpdated.class);
            c.send(new ClientEvent.ConversationItemCreate(Item.Message.userText("a longer answer please")));
            c.send(new ClientEvent.ResponseCreate());
            String running = RealtimeClient.of(c.until(ServerEvent.ResponseCreated.class), ServerEvent.ResponseCreated.class)
                    .getFirst().response().id();
            c.send(new ClientEvent.ResponseCreate("e5", null));
            var busy = (ServerEvent.ErrorEvent) c.until(ServerEvent.ErrorEvent.class).getLast();
            assertThat(busy.error().code()).isEqualTo("conversation_already_has_active_response");
            assertThat(busy.error().eventId()).isEqualTo("e5");
            assertThat(busy.error().message()).contains(running);
            c.send(new ClientEvent.ResponseCancel(null, null));
            var cancelled = (ServerEvent.ResponseDone) c.until(ServerEvent.ResponseDone.class).getLast();
            assertThat(cancelled.response().status()).isEqualTo("cancelled");
            assertThat(cancelled.response().statusDetails().reason()).isEqualTo("client_cancelled");
        }
    }

    @Test
    void functionCallRoundTrip(LiveEmulator emu) throws Exception {
        try (RealtimeClient c = RealtimeClient.connect(emu, "sk-right")) {
            JsonNode params = JSON.readTree("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}");
            c.send(new ClientEvent.SessionUpdate(textOnly().withTools(List.of(Tool.function("lookup", "look up", params)))));
            c.next();
            c.send(new ClientEvent.ConversationItemCreate(Item.Message.userText("call lookup {\"q\":\"moon\"}")));
            c.send(new ClientEvent.ResponseCreate());
            List<ServerEvent> events = c.response();
            var done = RealtimeClient.of(events, ServerEvent.ResponseOutputItemDone.class).getFirst();
            var call = (Item.FunctionCall) done.item();
            assertThat(call.status()).isEqualTo("completed");
            assertThat(call.name()).isEqualTo("lookup");
            assertThat(JSON.readTree(call.arguments())).isEqualTo(JSON.readTree("{\"q\":\"moon\"}"));
            assertThat(done.responseId()).isNotBlank();
            String args = String.join("", RealtimeClient.of(events, ServerEvent.FunctionCallArgumentsDelta.class).stream()
                    .map(ServerEvent.FunctionCallArgumentsDelta::delta).toList());
            assertThat(args).isEqualTo(call.arguments());
            assertThat(RealtimeClient.of(events, ServerEvent.ResponseDone.class).getFirst().response().output()).containsExactly(call);

            c.send(new ClientEvent.ConversationItemCreate(Item.FunctionCallOutput.of(call.callId(), "{\"answer\":42}")));
            assertThat(c.until(ServerEvent.ConversationItemDone.class)).hasSize(2);
            c.send(new ClientEvent.ResponseCreate());
            assertThat(RealtimeClient.text(c.response())).isEqualTo("Tool lookup returned {\"answer\":42}");
        }
    }

    @Test
    void clientSecretOpensASessionWithItsSettings(LiveEmulator emu) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(emu.openAiBaseUrl() + "/realtime/client_secrets"))
                .header("Authorization", "Bearer sk-wrong").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(refused.body()).get("error").get("code").asText()).isEqualTo("invalid_api_key");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(emu.openAiBaseUrl() + "/realtime/client_secrets"))
                .header("Authorization", "Bearer sk-right").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"expires_after\":{\"anchor\":\"created_at\",\"seconds\":600},"
                        + "\"session\":{\"type\":\"realtime\",\"model\":\"gpt-realtime\",\"instructions\":\"Speak like a pirate.\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode minted = JSON.readTree(r.body());
        String ek = minted.get("value").asText();
        assertThat(ek).startsWith("ek_");
        assertThat(minted.get("expires_at").asLong()).isEqualTo(emu.clock().now().getEpochSecond() + 600);
        assertThat(minted.get("session").get("instructions").asText()).isEqualTo("Speak like a pirate.");
        assertThat(minted.get("session").get("object").asText()).isEqualTo("realtime.session");

        // A browser-style client: the key in a subprotocol, and the server selects "realtime".
        var frames = new java.util.concurrent.LinkedBlockingQueue<String>();
        WebSocket ws = http.newWebSocketBuilder().subprotocols("realtime", "openai-insecure-api-key." + ek)
                .buildAsync(URI.create(emu.realtimeUrl() + "?model=gpt-realtime"), new WebSocket.Listener() {
                    final StringBuilder b = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        b.append(data);
                        if (last) {
                            frames.add(b.toString());
                            b.setLength(0);
                        }
                        w.request(1);
                        return CompletableFuture.completedFuture(null);
                    }
                }).get(10, TimeUnit.SECONDS);
        try {
            assertThat(ws.getSubprotocol()).isEqualTo("realtime");
            String first = frames.poll(10, TimeUnit.SECONDS);
            var created = (ServerEvent.SessionCreated) dev.habla.realtime.RealtimeCodec.decodeServer(first);
            assertThat(created.session().instructions()).isEqualTo("Speak like a pirate.");
        } finally {
            ws.abort();
        }
        // Expired on the emulator clock: refused like a bad key.
        ((FakeClock) emu.clock()).advance(Duration.ofSeconds(601));
        try (RawWs late = RawWs.open(emu.realtimeUrl() + "?model=gpt-realtime", Map.of("Authorization", "Bearer " + ek))) {
            late.poll(RealtimeClient.WAIT);
            assertThat(late.awaitClose(RealtimeClient.WAIT).code()).isEqualTo(3000);
        }
    }

    @Test
    void theSessionCapClosesWith1001(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RealtimeClient c = RealtimeClient.open(emu, "?model=gpt-realtime", Map.of("Authorization", "Bearer sk-right"))) {
            var created = (ServerEvent.SessionCreated) c.next();
            assertThat(created.session().expiresAt()).isEqualTo(clock.now().getEpochSecond() + 3600);
            clock.advance(Duration.ofMinutes(59));
            c.send(new ClientEvent.SessionUpdate(textOnly()));
            c.next(); // still open at 59 min, and the update was handled before the clock moves on
            clock.advance(Duration.ofMinutes(1));
            assertThat(c.ws.awaitClose(RealtimeClient.WAIT))
                    .isEqualTo(new RawWs.Closed(1001, "Your session hit the maximum duration of 60 minutes."));
        }
    }

    @Test
    void faultsApplyToRealtimeSessions(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RealtimeClient c = RealtimeClient.open(emu, "?model=gpt-realtime", Map.of("Authorization", "Bearer sk-right"))) {
            c.next();
            String id = emu.sessions().getFirst().id();
            assertThat(emu.sessions().getFirst().apiVersion()).isEqualTo("openai-realtime");
            emu.inject(id, new Fault.Stall(Duration.ofSeconds(5)));
            c.send(new ClientEvent.SessionUpdate(textOnly()));
            assertThat(c.ws.poll(Duration.ofMillis(200))).as("stalled: nothing handled or sent").isNull();
            clock.advance(Duration.ofSeconds(5));
            assertThat(c.next()).isInstanceOf(ServerEvent.SessionUpdated.class);
            emu.inject(new Fault.Close(1011, "boom"));
            assertThat(c.ws.awaitClose(RealtimeClient.WAIT)).isEqualTo(new RawWs.Closed(1011, "boom"));
        }
        try (RealtimeClient c = RealtimeClient.open(emu, "?model=gpt-realtime", Map.of("Authorization", "Bearer sk-right"))) {
            c.next();
            String id = emu.sessions().getLast().id();
            emu.inject(id, new Fault.DropConnection());
            // No close frame: the JDK client reports the lost connection as a 1006 close or as an error.
            RawWs.Event e = c.ws.poll(RealtimeClient.WAIT);
            if (e instanceof RawWs.Closed closed) {
                assertThat(closed.code()).isEqualTo(1006);
            } else {
                assertThat(e).isInstanceOf(RawWs.Failed.class);
            }
        }
    }
}
