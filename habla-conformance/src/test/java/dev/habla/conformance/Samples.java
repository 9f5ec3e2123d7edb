package dev.habla.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ClientMessage.AudioTranscriptionConfig;
import dev.habla.protocol.ClientMessage.ClientContent;
import dev.habla.protocol.ClientMessage.ContextUpdate;
import dev.habla.protocol.ClientMessage.ContextWindowCompressionConfig;
import dev.habla.protocol.ClientMessage.HistoryConfig;
import dev.habla.protocol.ClientMessage.ProactivityConfig;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import dev.habla.protocol.ClientMessage.SessionResumptionConfig;
import dev.habla.protocol.ClientMessage.Setup;
import dev.habla.protocol.ClientMessage.ToolResponse;
import dev.habla.protocol.CodeExecutionResult;
import dev.habla.protocol.Content;
import dev.habla.protocol.ExecutableCode;
import dev.habla.protocol.FileData;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.FunctionResponsePart;
import dev.habla.protocol.GenerationConfig;
import dev.habla.protocol.GroundingMetadata;
import dev.habla.protocol.GroundingMetadata.GroundingChunk;
import dev.habla.protocol.Part;
import dev.habla.protocol.RealtimeInputConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Schema;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.ServerMessage.ServerContent;
import dev.habla.protocol.SpeechConfig;
import dev.habla.protocol.Tool;
import dev.habla.protocol.Transcription;
import dev.habla.protocol.UrlContextMetadata;
import dev.habla.protocol.UsageMetadata;
import dev.habla.protocol.UsageMetadata.Modality;
import dev.habla.protocol.UsageMetadata.ModalityTokenCount;
import dev.habla.protocol.VideoMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A broad, hand-built sample of Habla messages: every record type reachable from {@link ClientMessage} and
 * {@link ServerFrame} and every enum type appears at least once (asserted by {@code EncoderProtoConformanceTest}).
 * Struct and Value payloads use strings, booleans, nulls and fractional numbers: the proto stores every JSON number as
 * a double, so an integral number comes back as {@code 18.0} (covered separately).
 */
final class Samples {
    private Samples() {}

    record Sample<T>(String name, T message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static JsonNode json(String s) {
        return ProtoOracle.tree(s);
    }

    static byte[] pcm(int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 37 + 11); // every byte value, so base64 uses + and /
        }
        return b;
    }

    static Schema schema(Schema.Type type, String description) {
        return Schema.of(type, description);
    }

    /** Every Schema field, three levels of nesting, anyOf and arrays. */
    static Schema richSchema() {
        Map<String, Schema> address = new LinkedHashMap<>();
        address.put("street", new Schema(Schema.Type.STRING, null, "Street", "street and number", false, null, null, 0, 0, null, null, 0, 0,
                null, null, 1, 200, "^[A-Za-z0-9 ]+$", json("\"1 Main St\""), null, null, json("\"unknown\"")));
        address.put("zip", new Schema(Schema.Type.INTEGER, "int32", null, null, true, null, null, 0, 0, null, null, 0, 0, 1000.0, 99999.0, 0,
                0, null, null, null, null, null));
        Schema addressSchema = new Schema(Schema.Type.OBJECT, null, "Address", null, false, null, null, 0, 0, address, List.of("street"), 1, 5,
                null, null, 0, 0, null, null, null, List.of("street", "zip"), null);
        Schema tags = new Schema(Schema.Type.ARRAY, null, null, "tags", false, null, schema(Schema.Type.STRING, "tag"), 10, 1, null, null, 0, 0,
                null, null, 0, 0, null, json("[\"a\",\"b\"]"), null, null, null);
        Schema either = new Schema(Schema.Type.TYPE_UNSPECIFIED, null, null, "number or boolean", false, null, null, 0, 0, null, null, 0, 0,
                null, null, 0, 0, null, null, List.of(schema(Schema.Type.NUMBER, "n"), schema(Schema.Type.BOOLEAN, "b"),
                        schema(Schema.Type.NULL, "nothing")), null, null);
        Map<String, Schema> props = new LinkedHashMap<>();
        props.put("address", addressSchema);
        props.put("tags", tags);
        props.put("either", either);
        props.put("unit", Schema.enumeration(List.of("C", "F"), "unit"));
        return Schema.object(props, List.of("address"));
    }

    static FunctionDeclaration richFunction() {
        return new FunctionDeclaration("lookup_address", "Finds an address", richSchema(),
                null, schema(Schema.Type.STRING, "result"), null, FunctionDeclaration.Behavior.NON_BLOCKING);
    }

    static List<Tool> allTools() {
        return List.of(
                Tool.ofFunctions(List.of(richFunction(),
                        FunctionDeclaration.of("get_time", "time", Schema.object(Map.of("tz", schema(Schema.Type.STRING, null)), null)),
                        new FunctionDeclaration("json_schema_fn", null, null,
                                json("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}"), null,
                                json("{\"type\":\"string\"}"), FunctionDeclaration.Behavior.BLOCKING),
                        new FunctionDeclaration("unspecified_behavior", null, null, null, null, null, FunctionDeclaration.Behavior.UNSPECIFIED))),
                new Tool(null, new Tool.GoogleSearchRetrieval(new Tool.DynamicRetrievalConfig(Tool.DynamicRetrievalConfig.Mode.MODE_DYNAMIC, 0.5)),
                        null, null, null, null, null, null),
                Tool.ofCodeExecution(),
                new Tool(null, null, null, new Tool.GoogleSearch(new Tool.Interval("2026-01-01T00:00:00Z", "2026-06-30T23:59:59.250Z")),
                        null, null, null, null),
                new Tool(null, null, null, null,
                        new Tool.ComputerUse(Tool.ComputerUse.Environment.ENVIRONMENT_BROWSER, List.of("open_app")), null, null, null),
                new Tool(null, null, null, null, null, new Tool.UrlContext(), null, null),
                new Tool(null, null, null, null, null, null,
                        new Tool.FileSearch(List.of(new Tool.FileSearch.RetrievalResource("ragStores/docs")),
                                new Tool.FileSearch.RetrievalConfig(5, "lang = \"en\"")), null),
                new Tool(null, null, null, null, null, null, null, new Tool.GoogleMaps(true)));
    }

    static GenerationConfig allGenerationFields() {
        return new GenerationConfig(1, List.of("STOP", "END"), 256, 0.7, 0.95, 40, 42, "text/plain",
                schema(Schema.Type.STRING, "answer"), json("{\"type\":\"string\",\"minLength\":1.5}"), json("{\"type\":\"object\"}"),
                0.25, -0.5, Boolean.FALSE, 3, Boolean.TRUE, List.of(ResponseModality.AUDIO),
                SpeechConfig.voice("Puck", "en-US"), new GenerationConfig.ThinkingConfig(Boolean.TRUE, 1024, GenerationConfig.ThinkingLevel.LOW),
                new GenerationConfig.ImageConfig("16:9"), GenerationConfig.MediaResolution.MEDIA_RESOLUTION_LOW, Boolean.TRUE);
    }

    static RealtimeInputConfig vad(boolean disabled, RealtimeInputConfig.ActivityHandling handling, RealtimeInputConfig.TurnCoverage coverage) {
        return new RealtimeInputConfig(new RealtimeInputConfig.AutomaticActivityDetection(disabled,
                RealtimeInputConfig.StartSensitivity.START_SENSITIVITY_LOW, 20, RealtimeInputConfig.EndSensitivity.END_SENSITIVITY_HIGH, 100),
                handling, coverage);
    }

    static Setup withVad(String model, GenerationConfig config, RealtimeInputConfig vad) {
        return new Setup(model, config, null, null, vad, null, null, null, null, null, null);
    }

    static List<Sample<ClientMessage>> client() {
        List<Sample<ClientMessage>> s = new ArrayList<>();
        s.add(new Sample<>("setup minimal", Setup.of("models/gemini-2.0-flash-live-001", null)));
        s.add(new Sample<>("setup TEXT", Setup.of("models/gemini-2.0-flash-live-001",
                new GenerationConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                        List.of(ResponseModality.TEXT), null, null, null, null, null))));
        s.add(new Sample<>("setup with every field", new Setup("models/gemini-2.5-flash-native-audio-preview-12-2025",
                allGenerationFields(), Content.text("user", "You are terse."), allTools(),
                vad(false, RealtimeInputConfig.ActivityHandling.START_OF_ACTIVITY_INTERRUPTS, RealtimeInputConfig.TurnCoverage.TURN_INCLUDES_ONLY_ACTIVITY),
                new SessionResumptionConfig("prev-handle", Boolean.TRUE),
                new ContextWindowCompressionConfig(25600L, new ContextWindowCompressionConfig.SlidingWindow(12800L)),
                new AudioTranscriptionConfig(List.of("en-US", "de-DE")), new AudioTranscriptionConfig(List.of("en-US")),
                new ProactivityConfig(Boolean.TRUE), new HistoryConfig(Boolean.TRUE))));
        s.add(new Sample<>("setup every field the proto knows", new Setup("models/gemini-2.5-flash-native-audio-preview-12-2025",
                new GenerationConfig(2, null, 100, 0.0, 1.0, 1, -7, "text/plain", null, null, null, 0.0, 0.0, Boolean.TRUE, 0, Boolean.FALSE,
                        List.of(ResponseModality.MODALITY_UNSPECIFIED, ResponseModality.IMAGE),
                        new SpeechConfig(null, new SpeechConfig.MultiSpeakerVoiceConfig(List.of(
                                new SpeechConfig.SpeakerVoiceConfig("Joe", new SpeechConfig.VoiceConfig(new SpeechConfig.PrebuiltVoiceConfig("Kore"))),
                                new SpeechConfig.SpeakerVoiceConfig("Jane", new SpeechConfig.VoiceConfig(new SpeechConfig.PrebuiltVoiceConfig("Puck"))))),
                                "de-DE"),
                        new GenerationConfig.ThinkingConfig(Boolean.FALSE, 0, null), null, GenerationConfig.MediaResolution.MEDIA_RESOLUTION_HIGH, null),
                new Content(List.of(Part.ofText("line 1"), Part.ofText("line 2")), "user"), List.of(Tool.ofGoogleSearch()),
                vad(true, RealtimeInputConfig.ActivityHandling.NO_INTERRUPTION, RealtimeInputConfig.TurnCoverage.TURN_INCLUDES_ALL_INPUT),
                new SessionResumptionConfig(null, null), new ContextWindowCompressionConfig(null, null),
                AudioTranscriptionConfig.ENABLED, AudioTranscriptionConfig.ENABLED, null, null)));
        s.add(new Sample<>("setup unspecified enums", withVad("models/m", new GenerationConfig(null, null, null, null, null, null, null, null,
                        null, null, null, null, null, null, null, null, null, null, null, null,
                        GenerationConfig.MediaResolution.MEDIA_RESOLUTION_MEDIUM, null)
                , new RealtimeInputConfig(new RealtimeInputConfig.AutomaticActivityDetection(null,
                        RealtimeInputConfig.StartSensitivity.START_SENSITIVITY_UNSPECIFIED, null,
                        RealtimeInputConfig.EndSensitivity.END_SENSITIVITY_UNSPECIFIED, null),
                        RealtimeInputConfig.ActivityHandling.ACTIVITY_HANDLING_UNSPECIFIED, RealtimeInputConfig.TurnCoverage.TURN_COVERAGE_UNSPECIFIED))));
        s.add(new Sample<>("setup 2026 turn coverage and thinking level", withVad("models/gemini-3.1-flash-live-preview",
                        new GenerationConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                                List.of(ResponseModality.AUDIO), null,
                                new GenerationConfig.ThinkingConfig(null, null, GenerationConfig.ThinkingLevel.MINIMAL), null, null, null)
                , new RealtimeInputConfig(null, null,
                        RealtimeInputConfig.TurnCoverage.TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO))));
        s.add(new Sample<>("clientContent user text", ClientContent.userText("Hello there")));
        s.add(new Sample<>("clientContent history with every part kind", new ClientContent(List.of(
                new Content(List.of(Part.ofText("look at this"), Part.ofInlineData("image/png", pcm(64)),
                        new Part(null, null, null, null, new FileData("video/mp4", "https://example.com/files/abc"), null, null,
                                new VideoMetadata(Duration.ofSeconds(1), Duration.ofMillis(2500), 2.0), false, null, null)), "user"),
                new Content(List.of(new Part("thinking...", null, null, null, null, null, null, null, true, pcm(16), null),
                        new Part(null, null, new FunctionCall("fc-1", "get_time", json("{\"tz\":\"UTC\",\"precise\":true,\"x\":null}")), null, null,
                                null, null, null, false, null, json("{\"source\":\"test\"}")),
                        Part.ofExecutableCode(new ExecutableCode(ExecutableCode.Language.PYTHON, "print(2+2)")),
                        Part.ofCodeExecutionResult(new CodeExecutionResult(CodeExecutionResult.Outcome.OUTCOME_OK, "4\n"))), "model"),
                new Content(List.of(new Part(null, null, null, FunctionResponse.of("fc-1", "get_time", json("{\"time\":\"12:00\"}")), null, null,
                        null, null, false, null, null)), "user")), false)));
        s.add(new Sample<>("clientContent go", new ClientContent(null, true)));
        s.add(new Sample<>("clientContent empty", new ClientContent(List.of(), false)));
        s.add(new Sample<>("realtimeInput audio", RealtimeInput.ofAudio(pcm(3200), 16000)));
        s.add(new Sample<>("realtimeInput video", RealtimeInput.ofVideo("image/jpeg", pcm(100))));
        s.add(new Sample<>("realtimeInput text", RealtimeInput.ofText("realtime text ünïcødé 🎤")));
        s.add(new Sample<>("realtimeInput audioStreamEnd", RealtimeInput.ofAudioStreamEnd()));
        s.add(new Sample<>("realtimeInput activityStart", RealtimeInput.ofActivityStart()));
        s.add(new Sample<>("realtimeInput activityEnd", RealtimeInput.ofActivityEnd()));
        s.add(new Sample<>("realtimeInput mediaChunks", new RealtimeInput(List.of(new Blob("audio/pcm", pcm(5))), null, null, null, null, null, null)));
        s.add(new Sample<>("toolResponse", new ToolResponse(List.of(FunctionResponse.of("fc-1", "get_time", json("{\"time\":\"12:00\"}"))))));
        List<FunctionResponse> scheduled = new ArrayList<>();
        for (FunctionResponse.Scheduling sch : FunctionResponse.Scheduling.values()) {
            if (sch != FunctionResponse.Scheduling.UNRECOGNIZED) {
                scheduled.add(new FunctionResponse("fc-" + sch.ordinal(), "lookup_address", json("{\"output\":{\"street\":\"1 Main St\",\"zip\":12345.5}}"),
                        List.of(new FunctionResponsePart(new Blob("image/png", pcm(8)))), sch == FunctionResponse.Scheduling.WHEN_IDLE, sch));
            }
        }
        s.add(new Sample<>("toolResponse with scheduling, parts, willContinue", new ToolResponse(scheduled)));
        s.add(new Sample<>("toolResponse error", new ToolResponse(List.of(FunctionResponse.of("fc-2", "get_time", json("{\"error\":\"no clock\"}"))))));
        s.add(new Sample<>("contextUpdate", new ContextUpdate(Content.text("user", "Be brief."),
                new ContextUpdate.ToolsUpdate(List.of(Tool.ofFunctions(List.of(FunctionDeclaration.of("f", null, null))))))));
        s.add(new Sample<>("contextUpdate clearing tools", new ContextUpdate(null, new ContextUpdate.ToolsUpdate(List.of()))));
        return s;
    }

    static UsageMetadata richUsage() {
        List<ModalityTokenCount> all = new ArrayList<>();
        for (Modality m : Modality.values()) {
            if (m != Modality.UNRECOGNIZED && m != Modality.MODALITY_UNSPECIFIED) {
                all.add(new ModalityTokenCount(m, 10 + m.ordinal()));
            }
        }
        return new UsageMetadata(1200, 100, 60, 30, 20, 1410, all, List.of(new ModalityTokenCount(Modality.TEXT, 100)),
                List.of(new ModalityTokenCount(Modality.AUDIO, 60)), List.of(new ModalityTokenCount(Modality.MODALITY_UNSPECIFIED, 30)));
    }

    static ServerContent content(Content modelTurn) {
        return ServerContent.modelTurn(modelTurn);
    }

    static List<Sample<ServerFrame>> server() {
        List<Sample<ServerFrame>> s = new ArrayList<>();
        s.add(new Sample<>("setupComplete", ServerFrame.of(new ServerMessage.SetupComplete(null))));
        s.add(new Sample<>("setupComplete with sessionId", ServerFrame.of(new ServerMessage.SetupComplete("session-123"))));
        s.add(new Sample<>("modelTurn text", ServerFrame.of(content(new Content(List.of(Part.ofText("Hi! How can")), "model")))));
        s.add(new Sample<>("modelTurn audio", ServerFrame.of(content(new Content(List.of(Part.ofInlineData("audio/pcm;rate=24000", pcm(4800))), null)))));
        s.add(new Sample<>("modelTurn executableCode", ServerFrame.of(content(new Content(List.of(Part.ofExecutableCode(
                new ExecutableCode(ExecutableCode.Language.PYTHON, "print(2+2)"))), "model")))));
        List<Part> results = new ArrayList<>();
        for (CodeExecutionResult.Outcome o : CodeExecutionResult.Outcome.values()) {
            if (o != CodeExecutionResult.Outcome.UNRECOGNIZED) {
                results.add(Part.ofCodeExecutionResult(new CodeExecutionResult(o, o.name())));
            }
        }
        s.add(new Sample<>("modelTurn codeExecutionResult of each outcome", ServerFrame.of(content(new Content(results, "model")))));
        s.add(new Sample<>("modelTurn thought with signature", ServerFrame.of(content(new Content(List.of(
                new Part("**Planning**", null, null, null, null, null, null, null, true, pcm(32), null),
                new Part(null, null, null, null, null, new ExecutableCode(ExecutableCode.Language.LANGUAGE_UNSPECIFIED, "x"), null, null, false, null, null)),
                null)))));
        s.add(new Sample<>("generationComplete", ServerFrame.of(ServerContent.generationCompleted())));
        s.add(new Sample<>("turnComplete with detailed usage", ServerFrame.of(ServerContent.turnCompleted(), richUsage())));
        s.add(new Sample<>("turnComplete with simple usage", ServerFrame.of(ServerContent.turnCompleted(), UsageMetadata.of(5, 4))));
        s.add(new Sample<>("turnComplete with reason", ServerFrame.of(new ServerContent(null, false, true, false, null, null, null, null, false,
                ServerMessage.TurnCompleteReason.NEED_MORE_INPUT))));
        s.add(new Sample<>("interrupted", ServerFrame.of(ServerContent.interruptedSignal())));
        s.add(new Sample<>("inputTranscription", ServerFrame.of(ServerContent.inputTranscription(new Transcription("what's the weather", false)))));
        s.add(new Sample<>("inputTranscription finished", ServerFrame.of(ServerContent.inputTranscription(new Transcription(" in Paris", true)))));
        s.add(new Sample<>("outputTranscription finished", ServerFrame.of(ServerContent.outputTranscription(new Transcription("It is sunny", true)))));
        s.add(new Sample<>("grounding with every field", ServerFrame.of(ServerContent.grounding(new GroundingMetadata(
                new GroundingMetadata.SearchEntryPoint("<div>weather</div>", pcm(12)),
                List.of(GroundingChunk.web("https://example.com/weather", "Weather"),
                        new GroundingChunk(null, new GroundingChunk.RetrievedContext("gs://b/doc", "Doc", "snippet"), null),
                        new GroundingChunk(null, null, new GroundingChunk.Maps("https://maps.example/p", "Cafe", "Nice cafe", "place-1",
                                new GroundingChunk.Maps.PlaceAnswerSources(List.of(
                                        new GroundingChunk.Maps.ReviewSnippet("r1", "https://maps.example/r1", "Great")))))),
                List.of(new GroundingMetadata.GroundingSupport(new GroundingMetadata.Segment(0, 0, 14, "It is sunny"), List.of(0, 2),
                        List.of(0.5, 0.25))),
                new GroundingMetadata.RetrievalMetadata(0.75), List.of("weather paris"), "widget-token")))));
        s.add(new Sample<>("urlContextMetadata of each status", ServerFrame.of(new ServerContent(null, false, false, false, null, null, null,
                new UrlContextMetadata(java.util.Arrays.stream(UrlContextMetadata.UrlRetrievalStatus.values())
                        .filter(st -> st != UrlContextMetadata.UrlRetrievalStatus.UNRECOGNIZED)
                        .map(st -> new UrlContextMetadata.UrlMetadata("https://example.com/" + st.ordinal(), st)).toList()),
                false, null))));
        s.add(new Sample<>("waitingForInput", ServerFrame.of(new ServerContent(null, false, false, false, null, null, null, null, true, null))));
        s.add(new Sample<>("modelTurn and turnComplete together", ServerFrame.of(new ServerContent(Content.text("model", "Done."), true, true, false,
                null, null, null, null, false, null), UsageMetadata.of(3, 2))));
        s.add(new Sample<>("toolCall", ServerFrame.of(new ServerMessage.ToolCall(List.of(new FunctionCall("fc-1", "get_time", json("{\"tz\":\"UTC\"}")))))));
        s.add(new Sample<>("toolCall parallel", ServerFrame.of(new ServerMessage.ToolCall(List.of(
                new FunctionCall("fc-1", "get_time", json("{}")),
                new FunctionCall("fc-2", "lookup_address", json("{\"street\":\"Main\",\"nested\":{\"list\":[\"a\",true,null,0.5]}}")),
                new FunctionCall(null, "no_args", null))))));
        s.add(new Sample<>("toolCallCancellation", ServerFrame.of(new ServerMessage.ToolCallCancellation(List.of("fc-1", "fc-2")))));
        s.add(new Sample<>("goAway 10s", ServerFrame.of(new ServerMessage.GoAway(Duration.ofSeconds(10)))));
        s.add(new Sample<>("goAway 9.5s", ServerFrame.of(new ServerMessage.GoAway(Duration.ofMillis(9500)))));
        s.add(new Sample<>("goAway nanos", ServerFrame.of(new ServerMessage.GoAway(Duration.ofNanos(1_000_000_001L)))));
        s.add(new Sample<>("sessionResumptionUpdate", ServerFrame.of(new ServerMessage.SessionResumptionUpdate("h1", true, null))));
        s.add(new Sample<>("sessionResumptionUpdate not resumable", ServerFrame.of(new ServerMessage.SessionResumptionUpdate(null, false, null))));
        s.add(new Sample<>("sessionResumptionUpdate transparent", ServerFrame.of(new ServerMessage.SessionResumptionUpdate("h2", true, 123456789L))));
        s.add(new Sample<>("voiceActivity", ServerFrame.of(new ServerMessage.VoiceActivity(ServerMessage.VoiceActivityType.ACTIVITY_START,
                Duration.ofMillis(3200)))));
        s.add(new Sample<>("voiceActivityDetectionSignal", ServerFrame.of(new ServerMessage.VoiceActivityDetectionSignal(
                ServerMessage.VadSignalType.VAD_SIGNAL_TYPE_EOS))));
        s.add(new Sample<>("usage alone", new ServerFrame(null, UsageMetadata.of(7, 0), List.of())));
        return s;
    }
}
