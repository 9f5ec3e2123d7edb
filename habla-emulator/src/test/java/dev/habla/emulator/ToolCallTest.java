package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ToolCallTest {
    @RegisterExtension
    final EmulatorExtension emulator = new EmulatorExtension();

    private static ServerMessage.ToolCall toolCall(ServerFrame f) {
        assertThat(f.message()).isInstanceOf(ServerMessage.ToolCall.class);
        return (ServerMessage.ToolCall) f.message();
    }

    @Test
    void callRoundTrip(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().tools("get_weather"))) {
            c.send(ClientMessage.ClientContent.userText("call get_weather {\"city\":\"Paris\"}"));
            FunctionCall fc = toolCall(c.next()).functionCalls().getFirst();
            assertThat(fc.name()).isEqualTo("get_weather");
            assertThat(fc.id()).startsWith("call-");
            assertThat(fc.args().toString()).isEqualTo("{\"city\":\"Paris\"}");
            assertThat(c.pollEvent(java.time.Duration.ofMillis(100))).as("turn stays open while the call is pending").isNull();

            c.sendText("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + fc.id()
                    + "\",\"name\":\"get_weather\",\"response\":{\"output\":{\"tempC\":18}}}]}}");
            List<ServerFrame> frames = c.untilTurnComplete();
            assertThat(Fixtures.text(frames)).isEqualTo("Tool get_weather returned {\"output\":{\"tempC\":18}}");
            assertThat(Fixtures.content(frames.get(frames.size() - 2)).generationComplete()).isTrue();
            assertThat(frames.getLast().usageMetadata()).isNotNull();
        }
    }

    @Test
    void toolResultAsContentIsAnsweredLikeAToolResponse(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().tools("get_time"))) {
            // What a client sends when the call was made on a connection that is gone: the call and its result.
            c.sendText("{\"clientContent\":{\"turns\":["
                    + "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"id\":\"call-9\",\"name\":\"get_time\",\"args\":{}}}]},"
                    + "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"id\":\"call-9\",\"name\":\"get_time\","
                    + "\"response\":{\"time\":\"12:00\"}}}]}],\"turnComplete\":true}}");
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("Tool get_time returned {\"time\":\"12:00\"}");
            c.send(ClientMessage.ClientContent.userText("history"));
            assertThat(Fixtures.text(c.untilTurnComplete())).as("tool results are not user turns").isEqualTo("History: (empty)");
        }
    }

    @Test
    void parallelCallsAnswerAfterAllResponses(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().tools("a", "b"))) {
            c.sendText("{\"realtimeInput\":{\"text\":\"call a {} ; call b {\\\"x\\\":1}\"}}");
            List<FunctionCall> calls = toolCall(c.next()).functionCalls();
            assertThat(calls).extracting(FunctionCall::name).containsExactly("a", "b");
            assertThat(calls.get(0).id()).isNotEqualTo(calls.get(1).id());
            // Answer b first, in its own message; no reply until a is answered too.
            c.sendText("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + calls.get(1).id() + "\",\"response\":{\"r\":2}}]}}");
            assertThat(c.pollEvent(java.time.Duration.ofMillis(100))).isNull();
            c.sendText("{\"tool_response\":{\"function_responses\":[{\"id\":\"" + calls.get(0).id() + "\",\"response\":{\"r\":1}}]}}");
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("Tool a returned {\"r\":1}; Tool b returned {\"r\":2}");
        }
    }

    @Test
    void undeclaredFunctionGetsATextReply(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().tools("a"))) {
            c.send(ClientMessage.ClientContent.userText("call nope {}"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("Function nope is not declared.");
            c.send(ClientMessage.ClientContent.userText("call a {not json"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("Cannot parse the arguments of a.");
            c.send(ClientMessage.ClientContent.userText("call me maybe"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: call me maybe");
        }
    }

    @Test
    void unknownIdCloses1008(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().tools("a"))) {
            c.sendText("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"call-999\",\"response\":{}}]}}");
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1008, "Requested entity was not found."));
        }
    }

    @Test
    void nonBlockingCallKeepsTalkingAndAnswersLater(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().nonBlockingTool("slow"))) {
            c.send(ClientMessage.ClientContent.userText("call slow {}"));
            List<ServerFrame> frames = c.untilTurnComplete();
            String id = toolCall(frames.getFirst()).functionCalls().getFirst().id();
            assertThat(Fixtures.text(frames)).isEqualTo("Calling slow in the background.");

            c.sendText("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + id + "\",\"response\":{\"done\":true}}]}}");
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("Tool slow returned {\"done\":true}");

            c.send(ClientMessage.ClientContent.userText("call slow {}"));
            String id2 = toolCall(c.untilTurnComplete().getFirst()).functionCalls().getFirst().id();
            c.sendText("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + id2 + "\",\"response\":{},\"scheduling\":\"SILENT\"}]}}");
            assertThat(c.pollEvent(java.time.Duration.ofMillis(150))).as("SILENT: no new turn").isNull();
        }
    }

    @Test
    void contextUpdateReplacesTools(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().tools("a"))) {
            c.sendText("{\"contextUpdate\":{\"tools\":{\"tools\":[{\"functionDeclarations\":[{\"name\":\"b\"}]}]}}}");
            c.send(ClientMessage.ClientContent.userText("call a {}"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("Function a is not declared.");
            c.send(ClientMessage.ClientContent.userText("call b {}"));
            assertThat(toolCall(c.next()).functionCalls().getFirst().name()).isEqualTo("b");
        }
    }
}
