package dev.habla.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CodeExecutionResult;
import dev.habla.protocol.Content;
import dev.habla.protocol.ExecutableCode;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.GroundingMetadata;
import dev.habla.protocol.Part;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.ServerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rendering of server-side code execution, grounding and local tool activity. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ToolEventsTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    static GroundingMetadata grounding() {
        return new GroundingMetadata(null,
                List.of(GroundingMetadata.GroundingChunk.web("https://meteo.example/paris", "Météo Paris"),
                        GroundingMetadata.GroundingChunk.web("https://news.example/weather", null)),
                null, null, List.of("weather in Paris", "Paris forecast"), null);
    }

    @Test
    void rendersCodeExecutionAndGroundingFromALiveSession() throws Exception {
        try (LiveEmulator emu = LiveEmulator.create(b -> b.apiKey("k"));
             LiveClient client = LiveClient.create(b -> b.apiKey("k").baseUrl(emu.baseUrl()))) {
            emu.enqueue(Script.create(script -> script
                    .expect(ClientMessage.Setup.class)
                    .send(new ServerMessage.SetupComplete(null))
                    .expect(ClientMessage.ClientContent.class)
                    .send(ServerMessage.ServerContent.modelTurn(new Content(List.of(
                            Part.ofExecutableCode(new ExecutableCode(ExecutableCode.Language.PYTHON, "x = 6 * 7\nprint(x)\n")),
                            Part.ofCodeExecutionResult(new CodeExecutionResult(CodeExecutionResult.Outcome.OUTCOME_OK, "42\n"))),
                            "model")))
                    .send(ServerMessage.ServerContent.modelTurn(Content.text("model", "It is 42.")))
                    .send(new ServerMessage.ServerContent(null, false, false, false, grounding(), null, null, null, false, null))
                    .send(ServerMessage.ServerContent.turnCompleted())));
            Recorder rec = new Recorder();
            SessionConfig config = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001")
                    .responseModality(ResponseModality.TEXT)
                    .tools(ToolRegistry.create(r -> r.codeExecution(true).googleSearch(true)).declarations()));
            try (LiveSession s = client.connect(config, rec)) {
                s.sendText("what is 6*7? search the weather too");
                rec.await(LiveEvent.TurnComplete.class, WAIT);
            }
            List<String> lines = new ArrayList<>();
            rec.seen().forEach(e -> lines.addAll(ToolEvents.render(e)));
            assertThat(lines).containsExactly(
                    "[code python]",
                    "  x = 6 * 7",
                    "  print(x)",
                    "[result ok]",
                    "  42",
                    "Searched: weather in Paris; Paris forecast",
                    "Sources: 1. Météo Paris — https://meteo.example/paris",
                    "         2. https://news.example/weather");
        }
    }

    @Test
    void rendersOutcomesAndEmptyParts() {
        assertThat(ToolEvents.result(CodeExecutionResult.Outcome.OUTCOME_FAILED, "Traceback...\nZeroDivisionError"))
                .containsExactly("[result failed]", "  Traceback...", "  ZeroDivisionError");
        assertThat(ToolEvents.result(CodeExecutionResult.Outcome.OUTCOME_DEADLINE_EXCEEDED, ""))
                .containsExactly("[result deadline exceeded]", "  (no output)");
        assertThat(ToolEvents.code(null, "1+1")).containsExactly("[code]", "  1+1");
        assertThat(ToolEvents.grounding(new GroundingMetadata(null, null, null, null, null, null))).isEmpty();
        assertThat(ToolEvents.render(new LiveEvent.TextDelta("hi", false))).isEmpty();
    }

    @Test
    void describesEveryActivity() throws Exception {
        ObjectMapper json = new ObjectMapper();
        FunctionCall call = new FunctionCall("c1", "calculator", json.readTree("{\"expression\":\"6*7\"}"));
        assertThat(ToolEvents.describe(new ToolActivity.Started(call))).isEqualTo("[tool calculator {\"expression\":\"6*7\"} …]");
        assertThat(ToolEvents.describe(new ToolActivity.Completed(call, json.readTree("{\"value\":42}"), Duration.ofMillis(3))))
                .isEqualTo("[tool calculator {\"expression\":\"6*7\"} → {\"value\":42} in 3 ms]");
        assertThat(ToolEvents.describe(new ToolActivity.Failed(call, ToolOutcome.FailureKind.EXCEPTION, "boom", Duration.ofMillis(1500))))
                .isEqualTo("[tool calculator {\"expression\":\"6*7\"} → error: boom in 1.5 s]");
        assertThat(ToolEvents.describe(new ToolActivity.TimedOut(call, Duration.ofSeconds(30))))
                .isEqualTo("[tool calculator {\"expression\":\"6*7\"} → timed out after 30 s]");
        assertThat(ToolEvents.describe(new ToolActivity.Cancelled(call, "cancelled by the server", Duration.ofMillis(12))))
                .isEqualTo("[tool calculator {\"expression\":\"6*7\"} → cancelled (cancelled by the server) after 12 ms]");
        assertThat(ToolEvents.describe(new ToolActivity.NotDelivered(call, "session closed")))
                .isEqualTo("[tool calculator → response not delivered: session closed]");
        String big = "x".repeat(500);
        String line = ToolEvents.describe(new ToolActivity.Completed(call, json.getNodeFactory().textNode(big), Duration.ZERO));
        assertThat(line).contains("…").hasSizeLessThan(400);
        assertThat(ToolEvents.describe(new ToolActivity.Started(new FunctionCall("c2", "clock", null)))).isEqualTo("[tool clock {} …]");
    }
}
