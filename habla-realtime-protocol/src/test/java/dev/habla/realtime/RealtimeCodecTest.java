package dev.habla.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.habla.realtime.ClientEvent.ConversationItemCreate;
import dev.habla.realtime.ClientEvent.ConversationItemTruncate;
import dev.habla.realtime.ClientEvent.InputAudioBufferAppend;
import dev.habla.realtime.ClientEvent.ResponseCreate;
import dev.habla.realtime.ClientEvent.SessionUpdate;
import dev.habla.realtime.ServerEvent.ErrorEvent;
import dev.habla.realtime.ServerEvent.FunctionCallArgumentsDone;
import dev.habla.realtime.ServerEvent.ResponseDone;
import dev.habla.realtime.ServerEvent.ResponseOutputAudioDelta;
import dev.habla.realtime.ServerEvent.ResponseOutputItemDone;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Encode/decode against the frames captured from the official SDKs and the live service (docs/openai-realtime.md). */
class RealtimeCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Client frames as the openai and agents SDKs sent them (§5.3, §6). */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"],\"instructions\":\"Be brief.\",\"tools\":[{\"type\":\"function\",\"name\":\"lookup\",\"description\":\"look up\",\"parameters\":{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}}],\"tool_choice\":\"auto\"}}",
        "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"Be helpful.\",\"model\":\"gpt-realtime\",\"output_modalities\":[\"text\"],\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000},\"noise_reduction\":null,\"transcription\":{\"model\":\"gpt-4o-mini-transcribe\"},\"turn_detection\":{\"type\":\"semantic_vad\"}},\"output\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000},\"speed\":1}},\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"Weather for a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],\"additionalProperties\":false}}]}}",
        "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"tracing\":\"auto\"}}",
        "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"tracing\":null}}",
        "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"audio\":{\"input\":{\"turn_detection\":null}}}}",
        "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"audio\":{\"input\":{\"turn_detection\":{\"type\":\"server_vad\",\"interrupt_response\":false,\"silence_duration_ms\":500}}}}}",
        "{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Hello agents\"}]}}",
        "{\"type\":\"response.create\",\"event_id\":\"agents_js_response_create_1\"}",
        "{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"function_call_output\",\"output\":\"sunny in Paris\",\"call_id\":\"call_CYKDVsnRFRgxyp9iW0plu\"}}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAABAAIAAwA=\"}",
        "{\"type\":\"input_audio_buffer.commit\"}",
        "{\"type\":\"response.cancel\"}",
        "{\"type\":\"conversation.item.truncate\",\"item_id\":\"item_wy3o65RZFd9oqRW0k7BjR\",\"content_index\":0,\"audio_end_ms\":406}",
        "{\"type\":\"conversation.item.retrieve\",\"item_id\":\"item_wy3o65RZFd9oqRW0k7BjR\"}",
        "{\"type\":\"conversation.item.delete\",\"item_id\":\"item_OTOJ3Ckfx8yz9GjaSWs8H\",\"event_id\":\"agents_delete_1\"}",
        "{\"type\":\"input_audio_buffer.clear\"}",
        "{\"type\":\"session.close\"}",
        "{\"type\":\"conversation.item.create\",\"previous_item_id\":\"root\",\"item\":{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"image_url\":\"data:image/jpeg;base64,/9j/\"}]}}",
        "{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"],\"instructions\":\"Be brief.\",\"conversation\":\"none\",\"metadata\":{\"k\":\"v\"},\"input\":[]}}",
        "{\"type\":\"a.future.event\",\"event_id\":\"e1\",\"x\":{\"y\":[1,2]}}"
    })
    void capturedClientFramesRoundTrip(String frame) throws Exception {
        ClientEvent event = RealtimeCodec.decodeClient(frame);
        assertSameJson(JSON.readTree(RealtimeCodec.encode(event)), JSON.readTree(frame));
        assertThat(RealtimeCodec.decodeClient(RealtimeCodec.encode(event))).isEqualTo(event);
    }

    @Test
    void agentsSdkSessionUpdateIsTyped() {
        var update = (SessionUpdate) RealtimeCodec.decodeClient("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"model\":\"gpt-realtime\",\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000},\"noise_reduction\":null,\"transcription\":{\"model\":\"gpt-4o-mini-transcribe\"},\"turn_detection\":{\"type\":\"semantic_vad\"}},\"output\":{\"voice\":\"marin\"}},\"tracing\":null}}");
        AudioConfig.Input in = update.session().audio().input();
        assertThat(in.format()).isEqualTo(AudioFormat.PCM_24K);
        assertThat(in.noiseReduction()).isEqualTo(NoiseReduction.NONE);
        assertThat(in.transcription().model()).isEqualTo("gpt-4o-mini-transcribe");
        assertThat(in.turnDetection().type()).isEqualTo("semantic_vad");
        assertThat(update.session().audio().output().voice()).isEqualTo("marin");
        assertThat(update.session().tracing()).isEqualTo(NullNode.getInstance());
        // absent vs explicit null: absent fields stay Java null
        var partial = (SessionUpdate) RealtimeCodec.decodeClient("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"x\"}}");
        assertThat(partial.session().audio()).isNull();
        assertThat(partial.session().tracing()).isNull();
        var manual = (SessionUpdate) RealtimeCodec.decodeClient("{\"type\":\"session.update\",\"session\":{\"audio\":{\"input\":{\"turn_detection\":null}}}}");
        assertThat(manual.session().audio().input().turnDetection().isNone()).isTrue();
    }

    /** Server frames from the live captures and the SDK-checked sequences (§2.4, §7). */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"error\",\"event_id\":\"event_AAA\",\"error\":{\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\",\"message\":\"Incorrect API key provided: sk-***AAAA.\",\"param\":null,\"event_id\":null}}",
        "{\"type\":\"session.created\",\"event_id\":\"event_1\",\"session\":{\"type\":\"realtime\",\"object\":\"realtime.session\",\"id\":\"sess_1\",\"model\":\"gpt-realtime-mini\",\"output_modalities\":[\"audio\"],\"instructions\":\"\",\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000},\"noise_reduction\":null,\"transcription\":null,\"turn_detection\":{\"type\":\"server_vad\",\"threshold\":0.5,\"prefix_padding_ms\":300,\"silence_duration_ms\":200,\"idle_timeout_ms\":null,\"create_response\":true,\"interrupt_response\":true}},\"output\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000},\"voice\":\"alloy\",\"speed\":1.0}},\"tools\":[],\"tool_choice\":\"auto\",\"max_output_tokens\":\"inf\",\"tracing\":null,\"truncation\":\"auto\",\"prompt\":null,\"expires_at\":1765000000,\"include\":null}}",
        "{\"type\":\"conversation.item.added\",\"event_id\":\"event_2\",\"previous_item_id\":null,\"item\":{\"id\":\"item_1\",\"object\":\"realtime.item\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Say hi in three words\"}]}}",
        "{\"type\":\"response.created\",\"event_id\":\"event_3\",\"response\":{\"object\":\"realtime.response\",\"id\":\"resp_1\",\"status\":\"in_progress\",\"status_details\":null,\"output\":[],\"conversation_id\":\"conv_1\",\"output_modalities\":[\"text\"],\"max_output_tokens\":\"inf\",\"audio\":{\"output\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000},\"voice\":\"alloy\"}},\"usage\":null,\"metadata\":null}}",
        "{\"type\":\"response.content_part.added\",\"event_id\":\"event_4\",\"response_id\":\"resp_1\",\"item_id\":\"item_2\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"text\",\"text\":\"\"}}",
        "{\"type\":\"response.output_text.delta\",\"event_id\":\"event_5\",\"response_id\":\"resp_1\",\"item_id\":\"item_2\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hi\"}",
        "{\"type\":\"response.output_text.done\",\"event_id\":\"event_6\",\"response_id\":\"resp_1\",\"item_id\":\"item_2\",\"output_index\":0,\"content_index\":0,\"text\":\"Hi there, friend!\"}",
        "{\"type\":\"response.done\",\"event_id\":\"event_7\",\"response\":{\"object\":\"realtime.response\",\"id\":\"resp_1\",\"status\":\"completed\",\"status_details\":null,\"output\":[{\"id\":\"item_2\",\"object\":\"realtime.item\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hi there, friend!\"}]}],\"conversation_id\":\"conv_1\",\"output_modalities\":[\"text\"],\"max_output_tokens\":\"inf\",\"usage\":{\"total_tokens\":127,\"input_tokens\":120,\"output_tokens\":7,\"input_token_details\":{\"text_tokens\":120,\"audio_tokens\":0,\"image_tokens\":0,\"cached_tokens\":64},\"output_token_details\":{\"text_tokens\":7,\"audio_tokens\":0}},\"metadata\":null}}",
        "{\"type\":\"rate_limits.updated\",\"event_id\":\"event_8\",\"rate_limits\":[{\"name\":\"tokens\",\"limit\":15000000,\"remaining\":14999716,\"reset_seconds\":0.001}]}",
        "{\"type\":\"response.output_item.added\",\"event_id\":\"event_9\",\"response_id\":\"resp_2\",\"output_index\":0,\"item\":{\"id\":\"item_3\",\"object\":\"realtime.item\",\"type\":\"function_call\",\"status\":\"in_progress\",\"name\":\"lookup\",\"call_id\":\"call_1\",\"arguments\":\"\"}}",
        "{\"type\":\"response.function_call_arguments.delta\",\"event_id\":\"event_10\",\"response_id\":\"resp_2\",\"item_id\":\"item_3\",\"output_index\":0,\"call_id\":\"call_1\",\"delta\":\"{\\\"q\\\":\"}",
        "{\"type\":\"response.function_call_arguments.done\",\"event_id\":\"event_11\",\"response_id\":\"resp_2\",\"item_id\":\"item_3\",\"output_index\":0,\"call_id\":\"call_1\",\"name\":\"lookup\",\"arguments\":\"{\\\"q\\\":\\\"moon\\\"}\"}",
        "{\"type\":\"input_audio_buffer.speech_started\",\"event_id\":\"event_12\",\"audio_start_ms\":0,\"item_id\":\"item_FVW8\"}",
        "{\"type\":\"input_audio_buffer.speech_stopped\",\"event_id\":\"event_13\",\"audio_end_ms\":1200,\"item_id\":\"item_FVW8\"}",
        "{\"type\":\"input_audio_buffer.committed\",\"event_id\":\"event_14\",\"previous_item_id\":\"item_3\",\"item_id\":\"item_FVW8\"}",
        "{\"type\":\"response.output_audio_transcript.done\",\"event_id\":\"event_15\",\"response_id\":\"resp_3\",\"item_id\":\"item_wy3o\",\"output_index\":0,\"content_index\":0,\"transcript\":\"You said: please \"}",
        "{\"type\":\"response.done\",\"event_id\":\"event_16\",\"response\":{\"object\":\"realtime.response\",\"id\":\"resp_3\",\"status\":\"cancelled\",\"status_details\":{\"type\":\"cancelled\",\"reason\":\"turn_detected\"},\"output\":[{\"id\":\"item_wy3o\",\"object\":\"realtime.item\",\"type\":\"message\",\"status\":\"incomplete\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_audio\",\"transcript\":\"You said: please \"}]}],\"conversation_id\":\"conv_1\",\"output_modalities\":[\"audio\"],\"usage\":null}}",
        "{\"type\":\"conversation.item.truncated\",\"event_id\":\"event_17\",\"item_id\":\"item_wy3o\",\"content_index\":0,\"audio_end_ms\":406}",
        "{\"type\":\"conversation.item.retrieved\",\"event_id\":\"event_18\",\"item\":{\"id\":\"item_wy3o\",\"object\":\"realtime.item\",\"type\":\"message\",\"status\":\"incomplete\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_audio\",\"transcript\":\"\"}]}}",
        "{\"type\":\"conversation.item.input_audio_transcription.completed\",\"event_id\":\"event_19\",\"item_id\":\"item_FVW8\",\"content_index\":0,\"transcript\":\"hello\",\"usage\":{\"total_tokens\":3,\"input_tokens\":2,\"output_tokens\":1}}",
        "{\"type\":\"response.output_audio.delta\",\"event_id\":\"event_20\",\"response_id\":\"resp_3\",\"item_id\":\"item_wy3o\",\"output_index\":0,\"content_index\":0,\"delta\":\"AAABAAIAAwA=\"}",
        "{\"type\":\"output_audio_buffer.started\",\"event_id\":\"event_21\",\"response_id\":\"resp_3\"}",
        "{\"type\":\"response.text.delta\",\"event_id\":\"event_22\",\"delta\":\"beta name\"}"
    })
    void capturedServerFramesRoundTrip(String frame) throws Exception {
        ServerEvent event = RealtimeCodec.decodeServer(frame);
        JsonNode expected = JSON.readTree(frame);
        JsonNode actual = JSON.readTree(RealtimeCodec.encode(event));
        assertSameJson(withoutNulls(actual), withoutNulls(expected));
        assertThat(RealtimeCodec.decodeServer(RealtimeCodec.encode(event))).isEqualTo(event);
    }

    /** JSON equality where 1 and 1.0 are the same number (the wire does not distinguish them). */
    private static void assertSameJson(JsonNode actual, JsonNode expected) {
        java.util.Comparator<JsonNode> numbers = (a, b) -> a.isNumber() && b.isNumber()
                ? Double.compare(a.doubleValue(), b.doubleValue())
                : a.equals(b) ? 0 : 1;
        assertThat(actual.equals(numbers, expected)).as("%s%nexpected %s", actual, expected).isTrue();
    }

    /** Null-valued members and absent ones mean the same to readers; the encoder may write either. */
    private static JsonNode withoutNulls(JsonNode n) {
        if (n.isObject()) {
            var o = JSON.createObjectNode();
            n.fields().forEachRemaining(e -> {
                if (!e.getValue().isNull()) {
                    o.set(e.getKey(), withoutNulls(e.getValue()));
                }
            });
            return o;
        }
        if (n.isArray()) {
            var a = JSON.createArrayNode();
            n.forEach(e -> a.add(withoutNulls(e)));
            return a;
        }
        return n;
    }

    @Test
    void serverEventsAreTyped() {
        var err = (ErrorEvent) RealtimeCodec.decodeServer("{\"type\":\"error\",\"event_id\":\"event_A\",\"error\":{\"type\":\"invalid_request_error\",\"code\":\"invalid_value\",\"message\":\"Invalid value: 'nope'.\",\"param\":\"type\",\"event_id\":\"c1\"}}");
        assertThat(err.error()).isEqualTo(ErrorDetail.invalidRequest("invalid_value", "Invalid value: 'nope'.", "type", "c1"));
        var args = (FunctionCallArgumentsDone) RealtimeCodec.decodeServer("{\"type\":\"response.function_call_arguments.done\",\"event_id\":\"e\",\"response_id\":\"r\",\"item_id\":\"i\",\"output_index\":0,\"call_id\":\"call_1\",\"name\":\"lookup\",\"arguments\":\"{\\\"q\\\":\\\"moon\\\"}\"}");
        assertThat(args.arguments()).isEqualTo("{\"q\":\"moon\"}");
        var done = (ResponseDone) RealtimeCodec.decodeServer("{\"type\":\"response.done\",\"event_id\":\"e\",\"response\":{\"id\":\"r\",\"status\":\"cancelled\",\"status_details\":{\"type\":\"cancelled\",\"reason\":\"turn_detected\"},\"output\":[{\"id\":\"i\",\"type\":\"function_call\",\"status\":\"completed\",\"call_id\":\"c\",\"name\":\"n\",\"arguments\":\"{}\"}]}}");
        assertThat(done.response().statusDetails().reason()).isEqualTo("turn_detected");
        assertThat(done.response().output()).containsExactly(new Item.FunctionCall("i", "completed", "c", "n", "{}"));
        var unknown = RealtimeCodec.decodeServer("{\"type\":\"mcp_list_tools.completed\",\"event_id\":\"e\",\"item_id\":\"i\"}");
        assertThat(unknown).isInstanceOf(ServerEvent.Unknown.class);
        assertThat(((ServerEvent.Unknown) unknown).json().get("item_id").asText()).isEqualTo("i");
        assertThat(unknown.eventId()).isEqualTo("e");
    }

    @Test
    void builtEventsEncodeAsTheSdksWrite() throws Exception {
        assertThat(JSON.readTree(RealtimeCodec.encode(new ConversationItemCreate(Item.Message.userText("Hello")))))
                .isEqualTo(JSON.readTree("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Hello\"}]}}"));
        assertThat(RealtimeCodec.encode(new ResponseCreate())).isEqualTo("{\"type\":\"response.create\"}");
        assertThat(JSON.readTree(RealtimeCodec.encode(new ConversationItemTruncate(null, "item_1", 0, 406))))
                .isEqualTo(JSON.readTree("{\"type\":\"conversation.item.truncate\",\"item_id\":\"item_1\",\"content_index\":0,\"audio_end_ms\":406}"));
        Session s = Session.update().withInstructions("Be brief.").withAudio(new AudioConfig(
                new AudioConfig.Input(AudioFormat.PCM_24K, null, Transcription.NONE, TurnDetection.NONE), null));
        assertThat(JSON.readTree(RealtimeCodec.encode(new SessionUpdate(s)))).isEqualTo(JSON.readTree(
                "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"instructions\":\"Be brief.\",\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000},\"transcription\":null,\"turn_detection\":null}}}}"));
        var item = new ResponseOutputItemDone("event_1", "resp_1", 0, new Item.FunctionCall("item_1", "completed", "call_1", "f", "{}"));
        assertThat(JSON.readTree(RealtimeCodec.encode(item)).get("item").get("object").asText()).isEqualTo("realtime.item");
    }

    @Test
    void audioFastPathsAgreeWithTheGeneralPath() throws Exception {
        byte[] pcm = new byte[4800];
        new Random(7).nextBytes(pcm);
        String b64 = Base64.getEncoder().encodeToString(pcm);
        var append = new InputAudioBufferAppend(pcm);
        String text = RealtimeCodec.encode(append);
        assertThat(JSON.readTree(text)).isEqualTo(JSON.readTree("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + b64 + "\"}"));
        assertThat(RealtimeCodec.decodeClient(text)).isEqualTo(append);
        var withId = new InputAudioBufferAppend("ev \"1\"", pcm, false);
        assertThat(RealtimeCodec.decodeClient(RealtimeCodec.encode(withId))).isEqualTo(withId);

        var delta = new ResponseOutputAudioDelta("event_1", "resp_1", "item_1", 0, 1, pcm);
        String deltaText = RealtimeCodec.encode(delta);
        assertThat(JSON.readTree(deltaText)).isEqualTo(JSON.readTree("{\"type\":\"response.output_audio.delta\",\"event_id\":\"event_1\",\"response_id\":\"resp_1\",\"item_id\":\"item_1\",\"output_index\":0,\"content_index\":1,\"delta\":\"" + b64 + "\"}"));
        assertThat(RealtimeCodec.decodeServer(deltaText)).isEqualTo(delta);
        // other field orders, whitespace, extra fields, URL-safe base64 and escapes take the general path, same result
        for (String other : List.of(
                "{\"delta\":\"" + b64 + "\",\"type\":\"response.output_audio.delta\",\"event_id\":\"event_1\",\"response_id\":\"resp_1\",\"item_id\":\"item_1\",\"output_index\":0,\"content_index\":1}",
                "{\"type\":\"response.output_audio.delta\", \"delta\" : \"" + b64 + "\" ,\"obfuscation\":{\"a\":1},\"event_id\":\"event_1\",\"response_id\":\"resp_1\",\"item_id\":\"item_1\",\"output_index\":0,\"content_index\":1}",
                "{\"type\":\"response.output_audio.delta\",\"event_id\":\"event_1\",\"response_id\":\"resp_1\",\"item_id\":\"item_1\",\"output_index\":0,\"content_index\":1,\"delta\":\"" + Base64.getUrlEncoder().encodeToString(pcm) + "\"}",
                "{\"type\":\"response.output_audio.delta\",\"event_id\":\"event_1\",\"response_id\":\"resp_1\",\"item_id\":\"item_1\",\"output_index\":0,\"content_index\":1,\"delta\":\"" + b64.replace("/", "\\/") + "\"}")) {
            assertThat(RealtimeCodec.decodeServer(other)).isEqualTo(delta);
        }
    }

    @Test
    void badFramesGetTheServiceErrorCodes() {
        assertError(() -> RealtimeCodec.decodeClient("not json"), "invalid_json", null);
        assertError(() -> RealtimeCodec.decodeClient("[1]"), "invalid_event", null);
        assertError(() -> RealtimeCodec.decodeClient("{\"event_id\":\"x\"}"), "invalid_event", null);
        assertError(() -> RealtimeCodec.decodeClient("{\"type\":3}"), "invalid_type", "type");
        assertError(() -> RealtimeCodec.decodeClient("{\"type\":\"input_audio_buffer.append\",\"audio\":\"%%%\"}"), "invalid_value", "audio");
        assertError(() -> RealtimeCodec.decodeClient("{\"type\":\"input_audio_buffer.append\"}"), "missing_required_parameter", "audio");
        assertError(() -> RealtimeCodec.decodeClient("{\"type\":\"conversation.item.truncate\",\"item_id\":\"i\",\"audio_end_ms\":\"x\"}"), "invalid_type", "audio_end_ms");
        assertError(() -> RealtimeCodec.decodeClient("{\"type\":\"session.update\",\"session\":{\"instructions\":5}}"), "invalid_type", "session.instructions");
        assertError(() -> RealtimeCodec.decodeClient("{\"type\":\"session.update\",\"session\":{\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":\"24000\"}}}}}"), "invalid_type", "session.audio.input.format.rate");
        assertThat(RealtimeCodec.decodeClient("{\"type\":\"nope\"}")).isInstanceOf(ClientEvent.Unknown.class);
    }

    private static void assertError(Runnable decode, String code, String param) {
        assertThatThrownBy(decode::run).isInstanceOfSatisfying(RealtimeProtocolException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.param()).isEqualTo(param);
            assertThat(e.getMessage()).isNotBlank();
        });
    }
}
