package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.Provider;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.RealtimeInputConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Schema;
import dev.habla.protocol.Tool;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.ContentPart;
import dev.habla.realtime.ErrorDetail;
import dev.habla.realtime.Item;
import dev.habla.realtime.RealtimeCodec;
import dev.habla.realtime.Response;
import dev.habla.realtime.ServerEvent;
import dev.habla.realtime.Session;
import dev.habla.realtime.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The OpenAI provider's per-connection codec without a network: server events written by habla-realtime-protocol's
 * codec (as the emulator writes them) become the same {@link LiveEvent}s Gemini's frames do, and every frame the
 * connection sends is a client event that codec decodes. The end-to-end behaviour against the emulator is
 * {@code ProviderConformanceTest}'s.
 */
@Timeout(10)
class OpenAiConnectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ClientConfig client = ClientConfig.create(c -> c.apiKey("sk-test").provider(Provider.OPENAI));

    private OpenAiConnection open(SessionConfig s) {
        return (OpenAiConnection) OpenAiProvider.INSTANCE.open(client, s);
    }

    private static SessionConfig config() {
        return SessionConfig.create(b -> b.model("gpt-realtime"));
    }

    private static List<LiveEvent> feed(OpenAiConnection c, ServerEvent e) {
        return c.decode(new Transport.InboundFrame(RealtimeCodec.encode(e), null));
    }

    private static OpenAiConnection setUp(OpenAiConnection c) {
        feed(c, new ServerEvent.SessionCreated("e0", session("sess_1")));
        assertThat(feed(c, new ServerEvent.SessionUpdated("e1", session("sess_1"))))
                .containsExactly(new LiveEvent.SetupCompleted("sess_1"));
        return c;
    }

    private static Session session(String id) {
        return new Session("realtime", id, "gpt-realtime", null, null, null, null, null, null, null, null, null);
    }

    private static Response response(String id, String status, String reason, List<Item> output, Usage usage) {
        return Response.of(id, status, reason == null ? null : new Response.StatusDetails(status, reason, null), output,
                "conv_1", List.of("audio"), usage);
    }

    private static List<ClientEvent> sent(List<String> frames) {
        return frames.stream().map(RealtimeCodec::decodeClient).toList();
    }

    @Test
    void connectsToV1RealtimeWithTheModelAndABearerKey() throws Exception {
        Transport.ConnectRequest r = open(config()).connectRequest();
        assertThat(r.uri().toString()).isEqualTo("wss://api.openai.com/v1/realtime?model=gpt-realtime");
        assertThat(r.headers()).containsEntry("Authorization", "Bearer sk-test");
        assertThat(r.description()).doesNotContain("sk-test");
        ClientConfig local = ClientConfig.create(c -> c.apiKey("k").provider(Provider.OPENAI).baseUrl(java.net.URI.create("http://127.0.0.1:9")));
        assertThat(OpenAiProvider.INSTANCE.open(local, config()).connectRequest().uri().toString())
                .isEqualTo("ws://127.0.0.1:9/v1/realtime?model=gpt-realtime");
    }

    @Test
    void theSessionUpdateCarriesTheSharedSettings() throws Exception {
        SessionConfig s = SessionConfig.create(b -> b.model("gpt-realtime").responseModality(ResponseModality.TEXT)
                .systemInstruction("Be brief.").voice("Marin").inputTranscription(true).languageCode("de-DE")
                .maxOutputTokens(200)
                .realtimeInputConfig(new RealtimeInputConfig(new RealtimeInputConfig.AutomaticActivityDetection(
                        null, null, 250, null, 700), RealtimeInputConfig.ActivityHandling.NO_INTERRUPTION, null))
                .tools(List.of(Tool.ofFunctions(List.of(FunctionDeclaration.of("lookup", "look up",
                        Schema.object(Map.of("q", Schema.of(Schema.Type.STRING, "query")), List.of("q"))))))));
        List<String> opening = open(s).openingFrames();
        assertThat(sent(opening)).singleElement().isInstanceOf(ClientEvent.SessionUpdate.class);
        var session = JSON.readTree(opening.getFirst()).path("session");
        assertThat(session.path("output_modalities").toString()).isEqualTo("[\"text\"]");
        assertThat(session.path("instructions").asText()).isEqualTo("Be brief.");
        assertThat(session.path("max_output_tokens").asInt()).isEqualTo(200);
        var input = session.path("audio").path("input");
        assertThat(input.path("format").path("rate").asInt()).isEqualTo(24_000);
        assertThat(input.path("transcription").path("language").asText()).isEqualTo("de");
        assertThat(input.path("turn_detection").path("type").asText()).isEqualTo("server_vad");
        assertThat(input.path("turn_detection").path("silence_duration_ms").asInt()).isEqualTo(700);
        assertThat(input.path("turn_detection").path("prefix_padding_ms").asInt()).isEqualTo(250);
        assertThat(input.path("turn_detection").path("interrupt_response").asBoolean(true)).isFalse();
        assertThat(session.path("audio").path("output").path("voice").asText()).isEqualTo("Marin");
        var tool = session.path("tools").path(0);
        assertThat(tool.path("type").asText()).isEqualTo("function");
        assertThat(tool.path("parameters").path("type").asText()).isEqualTo("object");
        assertThat(tool.path("parameters").path("properties").path("q").path("type").asText()).isEqualTo("string");

        SessionConfig manual = SessionConfig.create(b -> b.model("gpt-realtime").realtimeInputConfig(
                new RealtimeInputConfig(new RealtimeInputConfig.AutomaticActivityDetection(true, null, null, null, null), null, null)));
        assertThat(JSON.readTree(open(manual).openingFrames().getFirst()).path("session").path("audio").path("input")
                .path("turn_detection").isNull()).isTrue();
        SessionConfig semantic = SessionConfig.create(b -> b.model("gpt-realtime")
                .semanticVad(SessionConfig.OpenAiOptions.Eagerness.LOW));
        assertThat(JSON.readTree(open(semantic).openingFrames().getFirst()).path("session").path("audio").path("input")
                .path("turn_detection").path("eagerness").asText()).isEqualTo("low");
    }

    @Test
    void whatOpenAiCannotHonourIsRefusedBeforeConnecting() {
        for (SessionConfig bad : List.of(
                SessionConfig.create(b -> b.model("gpt-realtime").temperature(0.7)),
                SessionConfig.create(b -> b.model("gpt-realtime").resumption(true)),
                SessionConfig.create(b -> b.model("gpt-realtime").thinkingBudget(0)),
                SessionConfig.create(b -> b.model("gpt-realtime").maxOutputTokens(5000)),
                SessionConfig.create(b -> b.model("gpt-realtime").languageCode("en-US")),
                SessionConfig.create(b -> b.model("gpt-realtime").tools(List.of(Tool.ofGoogleSearch()))))) {
            assertThatThrownBy(() -> Provider.OPENAI.check(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("OpenAI Realtime cannot honour: ");
        }
        assertThatThrownBy(() -> Provider.GEMINI.check(SessionConfig.create(b -> b.model("gemini-live-2.5-flash-preview")
                .semanticVad(SessionConfig.OpenAiOptions.Eagerness.HIGH))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OpenAI-only options");
    }

    @Test
    void aTypedTurnIsAnItemAndAResponseCreate_andItsTextEndsWithUsage() {
        OpenAiConnection c = setUp(open(config()));
        List<ClientEvent> out = sent(c.encode(ClientMessage.ClientContent.userText("hi")));
        assertThat(out).hasSize(2);
        assertThat(((ClientEvent.ConversationItemCreate) out.get(0)).item())
                .isEqualTo(new Item.Message(null, null, "user", List.of(ContentPart.inputText("hi"))));
        assertThat(out.get(1)).isInstanceOf(ClientEvent.ResponseCreate.class);

        assertThat(feed(c, new ServerEvent.ResponseCreated("e2", response("r1", "in_progress", null, List.of(), null)))).isEmpty();
        assertThat(feed(c, new ServerEvent.ResponseOutputTextDelta("e3", "r1", "i1", 0, 0, "You said: hi")))
                .containsExactly(new LiveEvent.TextDelta("You said: hi", false));
        List<LiveEvent> done = feed(c, new ServerEvent.ResponseDone("e4", response("r1", "completed", null, List.of(),
                Usage.of(12, 5))));
        assertThat(done).hasSize(2);
        assertThat(done.get(0)).isInstanceOf(LiveEvent.GenerationComplete.class);
        LiveEvent.TurnComplete tc = (LiveEvent.TurnComplete) done.get(1);
        assertThat(tc.usage().promptTokenCount()).isEqualTo(12);
        assertThat(tc.usage().responseTokenCount()).isEqualTo(5);
        assertThat(tc.usage().totalTokenCount()).isEqualTo(17);
    }

    @Test
    void audioGoesOutAt24kHz_resampledWhenSentAt16() {
        OpenAiConnection c = setUp(open(config()));
        byte[] pcm16k = new byte[3200]; // 100 ms at 16 kHz
        ClientEvent e = sent(c.encode(ClientMessage.RealtimeInput.ofAudio(pcm16k, 16_000))).getFirst();
        assertThat(((ClientEvent.InputAudioBufferAppend) e).audio()).hasSize(4800); // 100 ms at 24 kHz
        byte[] pcm24k = new byte[480];
        assertThat(((ClientEvent.InputAudioBufferAppend) sent(c.encode(ClientMessage.RealtimeInput.ofAudio(pcm24k, 24_000)))
                .getFirst()).audio()).isEqualTo(pcm24k);
    }

    @Test
    void anErrorBeforeSetupRefusesTheSession_afterSetupItIsAnEventAndTheSessionGoesOn() {
        OpenAiConnection c = open(config());
        feed(c, new ServerEvent.SessionCreated("e0", session("sess_1")));
        assertThatThrownBy(() -> feed(c, new ServerEvent.ErrorEvent("e1", ErrorDetail.invalidRequest("invalid_api_key",
                "Incorrect API key provided: sk-t***", null, null))))
                .isInstanceOf(ProviderConnection.Refused.class)
                .satisfies(t -> assertThat(((ProviderConnection.Refused) t).error().kind())
                        .isEqualTo(LiveException.Kind.UNAUTHENTICATED));

        OpenAiConnection open = setUp(open(config()));
        List<LiveEvent> events = feed(open, new ServerEvent.ErrorEvent("e2", ErrorDetail.invalidRequest("invalid_value",
                "Invalid value: 'nope'.", "type", null)));
        assertThat(events).singleElement().isInstanceOfSatisfying(LiveEvent.ServiceError.class, se -> {
            assertThat(se.error().kind()).isEqualTo(LiveException.Kind.INVALID_ARGUMENT);
            assertThat(se.error().getMessage()).contains("invalid_value").contains("param type");
        });
    }

    @Test
    void functionCallsArriveParsedAtResponseDone_andTheOutputsAskForTheNextResponse() {
        OpenAiConnection c = setUp(open(config()));
        feed(c, new ServerEvent.ResponseCreated("e2", response("r1", "in_progress", null, List.of(), null)));
        Item.FunctionCall call = new Item.FunctionCall("i1", "completed", "call_1", "lookup", "{\"q\":\"moon\"}");
        assertThat(feed(c, new ServerEvent.ResponseOutputItemDone("e3", "r1", 0, call))).isEmpty();
        List<LiveEvent> done = feed(c, new ServerEvent.ResponseDone("e4", response("r1", "completed", null, List.of(call),
                Usage.of(3, 4))));
        assertThat(done.getFirst()).isInstanceOfSatisfying(LiveEvent.ToolCallRequested.class, t -> {
            assertThat(t.calls()).singleElement().satisfies(fc -> {
                assertThat(fc.id()).isEqualTo("call_1");
                assertThat(fc.name()).isEqualTo("lookup");
                assertThat(fc.args().path("q").asText()).isEqualTo("moon");
            });
        });
        assertThat(done).noneMatch(e -> e instanceof LiveEvent.TurnComplete); // the answer goes on after the output

        List<ClientEvent> out = sent(c.encode(new ClientMessage.ToolResponse(List.of(FunctionResponse.of("call_1", "lookup",
                JSON.createObjectNode().put("answer", "full"))))));
        assertThat(out).hasSize(2);
        Item.FunctionCallOutput o = (Item.FunctionCallOutput) ((ClientEvent.ConversationItemCreate) out.get(0)).item();
        assertThat(o.callId()).isEqualTo("call_1");
        assertThat(o.output()).isEqualTo("{\"answer\":\"full\"}");
        assertThat(out.get(1)).isInstanceOf(ClientEvent.ResponseCreate.class);
    }

    @Test
    void bargeInCancelsOutstandingToolCalls_andTheirLateOutputsAreDropped() {
        OpenAiConnection c = setUp(open(config()));
        feed(c, new ServerEvent.ResponseCreated("e2", response("r1", "in_progress", null, List.of(), null)));
        Item.FunctionCall call = new Item.FunctionCall("i1", "completed", "call_9", "slow", "{}");
        feed(c, new ServerEvent.ResponseOutputItemDone("e3", "r1", 0, call));
        feed(c, new ServerEvent.ResponseDone("e4", response("r1", "completed", null, List.of(call), null)));
        assertThat(feed(c, new ServerEvent.SpeechStarted("e5", 1000, "i2")))
                .contains(new LiveEvent.ToolCallCancelled(List.of("call_9")));
        assertThat(c.encode(new ClientMessage.ToolResponse(List.of(FunctionResponse.of("call_9", "slow",
                JSON.createObjectNode()))))).isEmpty();
    }

    @Test
    void aTypedTurnWhileCallsAwaitOutputsCancelsThemAndEndsTheirTurn() {
        OpenAiConnection c = setUp(open(config()));
        feed(c, new ServerEvent.ResponseCreated("e2", response("r1", "in_progress", null, List.of(), null)));
        Item.FunctionCall call = new Item.FunctionCall("i1", "completed", "call_7", "slow", "{}");
        feed(c, new ServerEvent.ResponseOutputItemDone("e3", "r1", 0, call));
        feed(c, new ServerEvent.ResponseDone("e4", response("r1", "completed", null, List.of(call), null)));
        assertThat(sent(c.encode(ClientMessage.ClientContent.userText("never mind"))))
                .noneMatch(e -> e instanceof ClientEvent.ResponseCancel).hasSize(2);
        Item.Message user = new Item.Message("i2", "completed", "user", List.of(ContentPart.inputText("never mind")));
        assertThat(feed(c, new ServerEvent.ConversationItemAdded("e5", "i1", user))).containsExactly(
                new LiveEvent.ToolCallCancelled(List.of("call_7")), new LiveEvent.Interrupted(),
                new LiveEvent.TurnComplete(null, null));
        assertThat(c.encode(new ClientMessage.ToolResponse(List.of(FunctionResponse.of("call_7", "slow",
                JSON.createObjectNode()))))).isEmpty();
    }

    @Test
    void bargeInDuringAnAnswer_dropsItsRest_andTruncatesItWhereThePlayerStopped() {
        OpenAiConnection c = setUp(open(config()));
        feed(c, new ServerEvent.ResponseCreated("e2", response("r1", "in_progress", null, List.of(), null)));
        byte[] second = new byte[48_000]; // 1 s at 24 kHz
        assertThat(feed(c, new ServerEvent.ResponseOutputAudioDelta("e3", "r1", "item_a", 0, 0, second)))
                .containsExactly(new LiveEvent.AudioChunk(second, 24_000));
        assertThat(feed(c, new ServerEvent.ResponseOutputAudioDelta("e4", "r1", "item_a", 0, 0, second))).hasSize(1);
        assertThat(c.playback(Duration.ofMillis(300))).isEmpty(); // a progress report: nothing to send
        assertThat(feed(c, new ServerEvent.SpeechStarted("e5", 900, "item_u")))
                .containsExactly(new LiveEvent.VoiceActivity(dev.habla.protocol.ServerMessage.VoiceActivityType.ACTIVITY_START,
                        Duration.ofMillis(900)), new LiveEvent.Interrupted());
        // The player stops: the final position; the response still runs, so no truncate yet.
        assertThat(c.playback(Duration.ofMillis(420))).isEmpty();
        assertThat(feed(c, new ServerEvent.ResponseOutputAudioDelta("e6", "r1", "item_a", 0, 0, second))).isEmpty();
        List<LiveEvent> done = feed(c, new ServerEvent.ResponseDone("e7", response("r1", "cancelled", "turn_detected",
                List.of(), null)));
        assertThat(done).singleElement().isInstanceOf(LiveEvent.TurnComplete.class); // Interrupted came already
        // Not right after the frame that made it due (a listener may still be reporting), but after the next one.
        assertThat(c.pendingFrames()).isEmpty();
        feed(c, new ServerEvent.SpeechStopped("e8", 1400, "item_u"));
        List<ClientEvent> truncate = sent(c.pendingFrames());
        assertThat(truncate).containsExactly(new ClientEvent.ConversationItemTruncate(null, "item_a", 0, 420));
        assertThat(c.pendingFrames()).isEmpty(); // once
        assertThat(c.playback(Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void speechOverAnAnswerStillPlaying_interruptsAndTruncatesAtOnce() {
        OpenAiConnection c = setUp(open(config()));
        feed(c, new ServerEvent.ResponseCreated("e2", response("r1", "in_progress", null, List.of(), null)));
        feed(c, new ServerEvent.ResponseOutputAudioDelta("e3", "r1", "item_b", 0, 0, new byte[96_000])); // 2 s
        feed(c, new ServerEvent.ResponseDone("e4", response("r1", "completed", null, List.of(), null)));
        assertThat(c.playback(Duration.ofMillis(600))).isEmpty(); // played 0.6 s of 2 s so far
        assertThat(feed(c, new ServerEvent.SpeechStarted("e5", 3000, "item_u"))).contains(new LiveEvent.Interrupted());
        // The voice loop silences on Interrupted and reports where it stopped: the answer is over, truncate now.
        assertThat(sent(c.playback(Duration.ofMillis(640))))
                .containsExactly(new ClientEvent.ConversationItemTruncate(null, "item_b", 0, 640));
        assertThat(c.pendingFrames()).isEmpty();
    }

    @Test
    void aFullyPlayedAnswerIsNotTruncated_andATextClientNeverTruncates() {
        OpenAiConnection c = setUp(open(config()));
        feed(c, new ServerEvent.ResponseCreated("e2", response("r1", "in_progress", null, List.of(), null)));
        feed(c, new ServerEvent.ResponseOutputAudioDelta("e3", "r1", "item_c", 0, 0, new byte[4800]));
        feed(c, new ServerEvent.SpeechStarted("e4", 10, "item_u"));
        feed(c, new ServerEvent.ResponseDone("e5", response("r1", "cancelled", "turn_detected", List.of(), null)));
        feed(c, new ServerEvent.SpeechStopped("e6", 900, "item_u"));
        assertThat(c.pendingFrames()).isEmpty(); // nobody reported playback: the history stays as generated
        assertThat(c.playback(Duration.ofMillis(100))).isEmpty(); // all 100 ms were heard
    }

    @Test
    void aPlayerThatStoppedOnItsOwnVadIsTruncatedAtItsLastReport_afterTheNextFrame() {
        OpenAiConnection c = setUp(open(config()));
        feed(c, new ServerEvent.ResponseCreated("e2", response("r1", "in_progress", null, List.of(), null)));
        feed(c, new ServerEvent.ResponseOutputAudioDelta("e3", "r1", "item_d", 0, 0, new byte[96_000])); // 2 s
        feed(c, new ServerEvent.ResponseDone("e4", response("r1", "completed", null, List.of(), null)));
        assertThat(c.playback(Duration.ofMillis(810))).isEmpty(); // the local VAD cut playback here, before the server knew
        assertThat(feed(c, new ServerEvent.SpeechStarted("e5", 3000, "item_u"))).contains(new LiveEvent.Interrupted());
        assertThat(c.pendingFrames()).isEmpty();
        feed(c, new ServerEvent.SpeechStopped("e6", 3600, "item_u"));
        assertThat(sent(c.pendingFrames())).containsExactly(new ClientEvent.ConversationItemTruncate(null, "item_d", 0, 810));
    }

    @Test
    void interruptCancelsOnlyARunningResponse() {
        OpenAiConnection c = setUp(open(config()));
        assertThat(c.encode(new ClientMessage.ClientContent(List.of(), false))).isEmpty();
        feed(c, new ServerEvent.ResponseCreated("e2", response("r1", "in_progress", null, List.of(), null)));
        assertThat(sent(c.encode(new ClientMessage.ClientContent(List.of(), false))))
                .singleElement().isInstanceOf(ClientEvent.ResponseCancel.class);
    }

    @Test
    void historyGoesAsItemsWithoutAResponse() {
        SessionConfig s = SessionConfig.create(b -> b.model("gpt-realtime").initialHistory(List.of(
                Content.text("user", "my name is Ada"), Content.text("model", "Hello Ada"))));
        List<ClientEvent> out = sent(open(s).afterSetupFrames());
        assertThat(out).hasSize(2).allMatch(e -> e instanceof ClientEvent.ConversationItemCreate);
        assertThat(((ClientEvent.ConversationItemCreate) out.get(1)).item())
                .isEqualTo(new Item.Message(null, null, "assistant", List.of(ContentPart.outputText("Hello Ada"))));
    }

    @Test
    void closeCodesMapToKinds() {
        OpenAiConnection c = open(config());
        assertThat(c.mapClose(3000, "invalid_request_error.invalid_api_key").kind()).isEqualTo(LiveException.Kind.UNAUTHENTICATED);
        assertThat(c.mapClose(4000, "invalid_request_error.invalid_model").kind()).isEqualTo(LiveException.Kind.NOT_FOUND);
        assertThat(c.mapClose(4000, "invalid_request_error.beta_api_shape_disabled").kind()).isEqualTo(LiveException.Kind.INVALID_ARGUMENT);
        assertThat(c.mapClose(1001, "Your session hit the maximum duration of 60 minutes.").kind())
                .isEqualTo(LiveException.Kind.UNAVAILABLE);
    }
}
