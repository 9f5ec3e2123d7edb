package dev.habla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.protocol.ClientMessage.ClientContent;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import dev.habla.protocol.ClientMessage.Setup;
import dev.habla.protocol.ServerMessage.GoAway;
import dev.habla.protocol.ServerMessage.ServerContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LiveCodecTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The exact setup the JS SDK 3.3.0 sends for a rich config (live-protocol.md §6.1). */
    static final String RICH_SETUP = """
        {"setup":{"model":"models/gemini-2.5-flash-native-audio-preview-12-2025","generationConfig":{"responseModalities":["AUDIO"],\
        "temperature":0.7,"mediaResolution":"MEDIA_RESOLUTION_LOW","speechConfig":{"voiceConfig":{"prebuiltVoiceConfig":{"voiceName":"Kore"}},\
        "languageCode":"en-US"},"thinkingConfig":{"thinkingBudget":0},"enableAffectiveDialog":true},"systemInstruction":{"parts":[{"text":\
        "You are terse."}],"role":"user"},"tools":[{"functionDeclarations":[{"name":"get_weather","description":"Weather","behavior":"NON_BLOCKING",\
        "parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING"}},"required":["city"]}}]},{"googleSearch":{}},{"codeExecution":{}}],\
        "sessionResumption":{"handle":"prev-handle"},"inputAudioTranscription":{},"outputAudioTranscription":{},"realtimeInputConfig":\
        {"automaticActivityDetection":{"disabled":false,"startOfSpeechSensitivity":"START_SENSITIVITY_LOW","endOfSpeechSensitivity":\
        "END_SENSITIVITY_HIGH","prefixPaddingMs":20,"silenceDurationMs":100},"activityHandling":"START_OF_ACTIVITY_INTERRUPTS","turnCoverage":\
        "TURN_INCLUDES_ONLY_ACTIVITY"},"contextWindowCompression":{"triggerTokens":"25600","slidingWindow":{"targetTokens":"12800"}},\
        "proactivity":{"proactiveAudio":true}}}""";

    @Test
    void richSetupRoundTripsToSemanticallyEqualJson() throws Exception {
        ClientFrame f = LiveCodec.decodeClient(RICH_SETUP, Strictness.STRICT);
        Setup s = (Setup) f.message();
        assertThat(s.model()).isEqualTo("models/gemini-2.5-flash-native-audio-preview-12-2025");
        assertThat(s.generationConfig().speechConfig().voiceConfig().prebuiltVoiceConfig().voiceName()).isEqualTo("Kore");
        assertThat(s.contextWindowCompression().triggerTokens()).isEqualTo(25600L);
        assertThat(s.tools().get(0).functionDeclarations().get(0).parameters().properties()).containsKey("city");
        String again = LiveCodec.encode(s);
        // "disabled":false is a set optional field; everything else is identical.
        assertThat(JSON.readTree(again)).isEqualTo(JSON.readTree(RICH_SETUP));
    }

    @Test
    void snakeCaseNumbersAndUrlSafeBase64AreAcceptedStrictly() {
        String py = "{\"realtime_input\":{\"media_chunks\":[{\"data\":\"-__-AQ==\",\"mime_type\":\"audio/pcm\"}]}}";
        RealtimeInput r = (RealtimeInput) LiveCodec.decodeClient(py, Strictness.STRICT).message();
        assertThat(r.mediaChunks().get(0).data()).containsExactly(0xfb, 0xff, 0xfe, 0x01);
        String java = "{\"setup\":{\"model\":\"m\",\"context_window_compression\":{\"trigger_tokens\":25600}}}";
        Setup s = (Setup) LiveCodec.decodeClient(java, Strictness.STRICT).message();
        assertThat(s.contextWindowCompression().triggerTokens()).isEqualTo(25600L);
    }

    @Test
    void audioEncodesAsStandardBase64() {
        String json = LiveCodec.encode(RealtimeInput.ofAudio(new byte[] {(byte) 0xfb, (byte) 0xff, (byte) 0xfe, 1}, 16000));
        assertThat(json).isEqualTo("{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\"+//+AQ==\"}}}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"clientContent\":{\"turns\":[],\"turnCompleet\":true}}|Cannot find field: turnCompleet in message BidiGenerateContentClientContent",
        "{\"setup\":{\"modle\":\"models/x\"}}|Cannot find field: modle in message BidiGenerateContentSetup",
        "{\"realtimeInputs\":{\"text\":\"x\"}}|Cannot find field: realtimeInputs in message BidiGenerateContentClientMessage",
        "{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"responseModalities\":[\"TXT\"]}}}|Invalid enum value: \"TXT\"",
        "{\"setup\":{\"model\":\"m\"},\"clientContent\":{}}|belonging to the same oneof has already been set",
        "{\"realtimeInput\":{\"audio\":{\"data\":\"AA..\",\"mimeType\":\"audio/pcm\"}}}|Illegal base64 character 2e",
        "{}|exactly one of",
    })
    void strictRejectsTheNegativeList(String frame, String message) {
        assertThatThrownBy(() -> LiveCodec.decodeClient(frame, Strictness.STRICT))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(message);
    }

    @Test
    void errorsNameTheFieldPath() {
        assertThatThrownBy(() -> LiveCodec.decodeClient(
                "{\"setup\":{\"model\":\"m\",\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\",\"parameters\":{\"typo\":1}}]}]}}",
                Strictness.STRICT))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).path())
                        .isEqualTo("setup.tools[0].functionDeclarations[0].parameters.typo"));
    }

    @Test
    void lenientServerDecodingKeepsUnknownsVisible() {
        String json = "{\"serverContent\":{\"turnComplete\":true,\"brandNew\":{\"x\":1},\"turnCompleteReason\":\"SOMETHING_NEW\"},"
                + "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":3},\"futureMessage\":{}}";
        ServerFrame f = LiveCodec.decodeServer(json.getBytes(StandardCharsets.UTF_8), Strictness.LENIENT);
        ServerContent c = (ServerContent) f.message();
        assertThat(c.turnComplete()).isTrue();
        assertThat(c.turnCompleteReason()).isEqualTo(ServerMessage.TurnCompleteReason.UNRECOGNIZED);
        assertThat(f.usageMetadata().promptTokenCount()).isEqualTo(5);
        assertThat(f.unknownFields()).extracting(UnknownField::path).containsExactlyInAnyOrder(
                "serverContent.brandNew", "serverContent.turnCompleteReason", "usageMetadata.candidatesTokenCount", "futureMessage");
        assertThatThrownBy(() -> LiveCodec.decodeServer(json, Strictness.STRICT)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void serverFramesRoundTrip() throws Exception {
        ServerFrame f = ServerFrame.of(ServerContent.turnCompleted(), UsageMetadata.of(12, 17));
        byte[] bytes = LiveCodec.encode(f);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(
                "{\"serverContent\":{\"turnComplete\":true},\"usageMetadata\":{\"promptTokenCount\":12,\"responseTokenCount\":17,\"totalTokenCount\":29}}");
        assertThat(LiveCodec.decodeServer(bytes, Strictness.STRICT)).isEqualTo(f);
        byte[] goAway = LiveCodec.encode(new GoAway(Duration.ofMillis(9500)));
        assertThat(new String(goAway, StandardCharsets.UTF_8)).isEqualTo("{\"goAway\":{\"timeLeft\":\"9.500s\"}}");
        assertThat(((GoAway) LiveCodec.decodeServer(goAway, Strictness.STRICT).message()).timeLeft()).isEqualTo(Duration.ofMillis(9500));
        JsonNode args = JSON.readTree("{\"city\":\"Paris\"}");
        byte[] call = LiveCodec.encode(new ServerMessage.ToolCall(List.of(new FunctionCall("fc-1", "get_weather", args))));
        assertThat(new String(call, StandardCharsets.UTF_8))
                .isEqualTo("{\"toolCall\":{\"functionCalls\":[{\"id\":\"fc-1\",\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}}]}}");
    }

    @Test
    void textTurnHasTurnComplete() {
        assertThat(LiveCodec.encode(ClientContent.userText("Hello there")))
                .isEqualTo("{\"clientContent\":{\"turns\":[{\"parts\":[{\"text\":\"Hello there\"}],\"role\":\"user\"}],\"turnComplete\":true}}");
    }

    @Test
    void responseJsonSchemaFollowsTheProtoJsonNames() {
        // proto: response_json_schema_ordered has json_name "responseJsonSchema"; response_json_schema has "_responseJsonSchema".
        Setup a = (Setup) LiveCodec.decodeClient(
                "{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"response_json_schema_ordered\":{\"type\":\"object\"},"
                        + "\"_responseJsonSchema\":{\"type\":\"string\"}}}}", Strictness.STRICT).message();
        assertThat(a.generationConfig().responseJsonSchema().get("type").asText()).isEqualTo("object");
        assertThat(a.generationConfig().legacyResponseJsonSchema().get("type").asText()).isEqualTo("string");
        assertThat(LiveCodec.encode(a)).contains("\"responseJsonSchema\":{\"type\":\"object\"}", "\"_responseJsonSchema\":{\"type\":\"string\"}");
        Setup b = (Setup) LiveCodec.decodeClient(
                "{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"response_json_schema\":{}}}}", Strictness.STRICT).message();
        assertThat(b.generationConfig().legacyResponseJsonSchema()).isNotNull();
        assertThatThrownBy(() -> LiveCodec.decodeClient(
                "{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"responseJsonSchemaOrdered\":{}}}}", Strictness.STRICT))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("Cannot find field: responseJsonSchemaOrdered");
    }

    @Test
    void timestampsAreValidatedLikeTheProto() {
        String ok = "{\"setup\":{\"model\":\"m\",\"tools\":[{\"googleSearch\":{\"timeRangeFilter\":"
                + "{\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2026-01-02T10:00:00.5+02:00\"}}}]}}";
        Setup s = (Setup) LiveCodec.decodeClient(ok, Strictness.STRICT).message();
        assertThat(s.tools().get(0).googleSearch().timeRangeFilter().endTime()).isEqualTo("2026-01-02T10:00:00.5+02:00");
        assertThatThrownBy(() -> LiveCodec.decodeClient(ok.replace("2026-01-01T00:00:00Z", "yesterday"), Strictness.STRICT))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).path()).isEqualTo("setup.tools[0].googleSearch.timeRangeFilter.startTime"));
        assertThat(LiveCodec.decodeClient(ok.replace("2026-01-01T00:00:00Z", "yesterday"), Strictness.LENIENT).message()).isNotNull();
        Tool bad = new Tool(null, null, null, new Tool.GoogleSearch(new Tool.Interval("2026-01-01", null)), null, null, null, null);
        assertThatThrownBy(() -> LiveCodec.encode(new Setup("m", null, null, List.of(bad), null, null, null, null, null, null, null)))
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void mapsGroundingChunksAreTyped() {
        String json = "{\"serverContent\":{\"groundingMetadata\":{\"groundingChunks\":[{\"maps\":{\"uri\":\"u\",\"placeId\":\"p\","
                + "\"placeAnswerSources\":{\"reviewSnippets\":[{\"reviewId\":\"r\",\"googleMapsUri\":\"g\",\"title\":\"t\"}]}}}]}}}";
        ServerContent c = (ServerContent) LiveCodec.decodeServer(json, Strictness.STRICT).message();
        assertThat(c.groundingMetadata().groundingChunks().get(0).maps().placeAnswerSources().reviewSnippets().get(0).reviewId())
                .isEqualTo("r");
        assertThatThrownBy(() -> LiveCodec.decodeServer(json.replace("placeId", "placeID"), Strictness.STRICT))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("Cannot find field: placeID in message GroundingChunk.Maps");
    }

    @Test
    void recordsWithBytesHaveValueEquality() {
        Part a = new Part("t", null, null, null, null, null, null, null, true, new byte[] {1, 2}, null);
        Part b = new Part("t", null, null, null, null, null, null, null, true, new byte[] {1, 2}, null);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(new GroundingMetadata.SearchEntryPoint("x", new byte[] {3})).isEqualTo(new GroundingMetadata.SearchEntryPoint("x", new byte[] {3}));
        String json = "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"text\":\"t\",\"thought\":true,\"thoughtSignature\":\"AQI=\"}]}}}";
        assertThat(LiveCodec.decodeServer(json, Strictness.STRICT)).isEqualTo(LiveCodec.decodeServer(json, Strictness.STRICT));
    }

    @Test
    void topLevelErrorsNameTheKey() {
        assertThatThrownBy(() -> LiveCodec.decodeClient("{\"realtimeInputs\":{}}", Strictness.STRICT))
                .satisfies(e -> assertThat(((ProtocolException) e).path()).isEqualTo("realtimeInputs"));
        assertThatThrownBy(() -> LiveCodec.decodeClient("{\"setup\":{\"model\":\"m\"},\"client_content\":{}}", Strictness.STRICT))
                .satisfies(e -> assertThat(((ProtocolException) e).path()).isEqualTo("clientContent"));
        assertThatThrownBy(() -> LiveCodec.decodeServer("{\"setupComplete\":{},\"goAway\":{}}", Strictness.STRICT))
                .satisfies(e -> assertThat(((ProtocolException) e).path()).isEqualTo("goAway"));
        assertThatThrownBy(() -> LiveCodec.decodeServer("{\"serverContents\":{}}", Strictness.STRICT))
                .satisfies(e -> assertThat(((ProtocolException) e).path()).isEqualTo("serverContents"));
    }

    @Test
    void integersAndEnumsFollowTheProto3JsonMapping() {
        // "Exponent notation (such as 1e2) is also accepted" (proto3 JSON mapping), in a string too
        Setup s = (Setup) LiveCodec.decodeClient("{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"maxOutputTokens\":\"1e2\","
                + "\"topK\":\"40.0\",\"seed\":7.0},\"contextWindowCompression\":{\"triggerTokens\":\"2.56e4\"}}}", Strictness.STRICT).message();
        assertThat(s.generationConfig().maxOutputTokens()).isEqualTo(100);
        assertThat(s.generationConfig().topK()).isEqualTo(40);
        assertThat(s.generationConfig().seed()).isEqualTo(7);
        assertThat(s.contextWindowCompression().triggerTokens()).isEqualTo(25600L);
        for (String bad : List.of("\"7.5\"", "\"1e20\"", "\"x\"", "\"1e999999999\"", "7.5")) {
            assertThatThrownBy(() -> LiveCodec.decodeClient("{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"topK\":" + bad + "}}}",
                    Strictness.STRICT)).as(bad).isInstanceOf(ProtocolException.class);
        }
        // enums: names, numbers, numbers in strings; an unknown number only leniently (a record cannot carry it)
        String modalities = "{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"responseModalities\":[\"AUDIO\",3,\"1\",2.0]}}}";
        Setup m = (Setup) LiveCodec.decodeClient(modalities, Strictness.STRICT).message();
        assertThat(m.generationConfig().responseModalities()).containsExactly(ResponseModality.AUDIO, ResponseModality.AUDIO,
                ResponseModality.TEXT, ResponseModality.IMAGE);
        String unknown = "{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"responseModalities\":[\"TEXT\",7]}}}";
        assertThat(LiveCodec.decodeClient(unknown, Strictness.LENIENT).unknownFields()).extracting(UnknownField::path)
                .containsExactly("setup.generationConfig.responseModalities[1]");
        for (String bad : List.of("\"TXT\"", "2.5", "4294967296", "true", "7", "\"7\"")) {
            assertThatThrownBy(() -> LiveCodec.decodeClient("{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"responseModalities\":["
                    + bad + "]}}}", Strictness.STRICT)).as(bad).isInstanceOf(ProtocolException.class);
        }
    }
}
