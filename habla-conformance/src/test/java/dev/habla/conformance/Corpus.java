package dev.habla.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames captured from the official SDKs (sdk-oracles.md §1-§2, live-protocol.md §6-§7: JS camelCase with int64 as
 * strings, Java snake_case {@code realtime_input} with int64 as numbers, Python snake_case everywhere with URL-safe
 * base64), and a mutation engine that derives invalid and valid variants from them.
 */
final class Corpus {
    private Corpus() {}

    static final String PCM = "AAAAAP//AQACAP7/AwD9/wQA/P8FAPv/BgD6/wcA+f8IAPj/CQD3/woA9v8LAPX/";

    /** Valid client frames as the SDKs wrote them. */
    static final List<String> CLIENT = List.of(
            // JS 3.3.0, basic scenario
            "{\"setup\":{\"model\":\"models/gemini-2.0-flash-live-001\",\"generationConfig\":{\"responseModalities\":[\"TEXT\"]},"
                    + "\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_time\",\"description\":\"time\",\"parameters\":{\"type\":\"OBJECT\","
                    + "\"properties\":{\"tz\":{\"type\":\"STRING\"}}}}]}]}}",
            "{\"clientContent\":{\"turns\":[{\"parts\":[{\"text\":\"Hello there\"}],\"role\":\"user\"}],\"turnComplete\":true}}",
            "{\"realtimeInput\":{\"audio\":{\"data\":\"" + PCM + "\",\"mimeType\":\"audio/pcm;rate=16000\"}}}",
            "{\"realtimeInput\":{\"mediaChunks\":[{\"data\":\"" + PCM + "\",\"mimeType\":\"audio/pcm;rate=16000\"}]}}",
            "{\"realtimeInput\":{\"text\":\"realtime text\"}}",
            "{\"realtimeInput\":{\"audioStreamEnd\":true}}",
            "{\"toolResponse\":{\"functionResponses\":[{\"id\":\"call-1\",\"name\":\"get_time\",\"response\":{\"time\":\"12:00\"}}]}}",
            // JS 3.3.0, rich scenario (v1beta)
            "{\"setup\":{\"model\":\"models/gemini-2.5-flash-native-audio-preview-09-2025\",\"generationConfig\":{\"responseModalities\":[\"AUDIO\"],"
                    + "\"temperature\":0.2,\"maxOutputTokens\":256,\"speechConfig\":{\"voiceConfig\":{\"prebuiltVoiceConfig\":{\"voiceName\":\"Puck\"}},"
                    + "\"languageCode\":\"en-US\"}},\"systemInstruction\":{\"parts\":[{\"text\":\"You are terse.\"}],\"role\":\"user\"},"
                    + "\"sessionResumption\":{\"handle\":\"prev-handle\"},\"inputAudioTranscription\":{},\"outputAudioTranscription\":{},"
                    + "\"realtimeInputConfig\":{\"automaticActivityDetection\":{\"disabled\":true,\"startOfSpeechSensitivity\":\"START_SENSITIVITY_LOW\","
                    + "\"endOfSpeechSensitivity\":\"END_SENSITIVITY_LOW\",\"prefixPaddingMs\":20,\"silenceDurationMs\":100},\"activityHandling\":"
                    + "\"NO_INTERRUPTION\",\"turnCoverage\":\"TURN_INCLUDES_ONLY_ACTIVITY\"},\"contextWindowCompression\":{\"triggerTokens\":\"25600\","
                    + "\"slidingWindow\":{\"targetTokens\":\"12800\"}}}}",
            "{\"realtimeInput\":{\"activityStart\":{}}}",
            "{\"realtimeInput\":{\"activityEnd\":{}}}",
            "{\"realtimeInput\":{\"video\":{\"data\":\"ZmFrZWpwZWc=\",\"mimeType\":\"image/jpeg\"}}}",
            "{\"clientContent\":{\"turns\":[{\"parts\":[{\"text\":\"a\"}],\"role\":\"user\"},{\"parts\":[{\"text\":\"b\"}],\"role\":\"model\"}],"
                    + "\"turnComplete\":false}}",
            "{\"clientContent\":{\"turnComplete\":true}}",
            // JS 3.3.0, features newer than the v1beta proto
            "{\"setup\":{\"model\":\"models/gemini-2.5-flash-native-audio-preview-09-2025\",\"generationConfig\":{\"responseModalities\":[\"AUDIO\"],"
                    + "\"enableAffectiveDialog\":true},\"proactivity\":{\"proactiveAudio\":true}}}",
            "{\"contextUpdate\":{\"systemInstruction\":{\"parts\":[{\"text\":\"Be brief.\"}],\"role\":\"user\"}}}",
            // live-protocol.md §6.1: JS byte-for-byte rich setup
            "{\"setup\":{\"model\":\"models/gemini-2.5-flash-native-audio-preview-12-2025\",\"generationConfig\":{\"responseModalities\":[\"AUDIO\"],"
                    + "\"temperature\":0.7,\"mediaResolution\":\"MEDIA_RESOLUTION_LOW\",\"speechConfig\":{\"voiceConfig\":{\"prebuiltVoiceConfig\":"
                    + "{\"voiceName\":\"Kore\"}},\"languageCode\":\"en-US\"},\"thinkingConfig\":{\"thinkingBudget\":0},\"enableAffectiveDialog\":true},"
                    + "\"systemInstruction\":{\"parts\":[{\"text\":\"You are terse.\"}],\"role\":\"user\"},\"tools\":[{\"functionDeclarations\":"
                    + "[{\"name\":\"get_weather\",\"description\":\"Weather\",\"behavior\":\"NON_BLOCKING\",\"parameters\":{\"type\":\"OBJECT\","
                    + "\"properties\":{\"city\":{\"type\":\"STRING\"}},\"required\":[\"city\"]}}]},{\"googleSearch\":{}},{\"codeExecution\":{}}],"
                    + "\"sessionResumption\":{\"handle\":\"prev-handle\"},\"inputAudioTranscription\":{},\"outputAudioTranscription\":{},"
                    + "\"realtimeInputConfig\":{\"automaticActivityDetection\":{\"disabled\":false,\"startOfSpeechSensitivity\":\"START_SENSITIVITY_LOW\","
                    + "\"endOfSpeechSensitivity\":\"END_SENSITIVITY_HIGH\",\"prefixPaddingMs\":20,\"silenceDurationMs\":100},\"activityHandling\":"
                    + "\"START_OF_ACTIVITY_INTERRUPTS\",\"turnCoverage\":\"TURN_INCLUDES_ONLY_ACTIVITY\"},\"contextWindowCompression\":"
                    + "{\"triggerTokens\":\"25600\",\"slidingWindow\":{\"targetTokens\":\"12800\"}},\"proactivity\":{\"proactiveAudio\":true}}}",
            "{\"toolResponse\":{\"functionResponses\":[{\"id\":\"fc-1\",\"name\":\"get_weather\",\"response\":{\"output\":\"sunny\"},"
                    + "\"scheduling\":\"INTERRUPT\"}]}}",
            "{\"contextUpdate\":{\"systemInstruction\":{\"parts\":[{\"text\":\"New instructions\"}],\"role\":\"user\"},\"tools\":{\"tools\":"
                    + "[{\"functionDeclarations\":[{\"name\":\"f\"}]}]}}}",
            // Java 2.0.0: description before name, snake_case realtime_input, int64 as numbers
            "{\"setup\":{\"model\":\"models/gemini-2.0-flash-live-001\",\"generationConfig\":{\"responseModalities\":[\"TEXT\"]},\"tools\":"
                    + "[{\"functionDeclarations\":[{\"description\":\"time\",\"name\":\"get_time\",\"parameters\":{\"properties\":{\"tz\":"
                    + "{\"type\":\"STRING\"}},\"type\":\"OBJECT\"}}]}]}}",
            "{\"clientContent\":{\"turns\":[{\"parts\":[{\"text\":\"Hello there\"}],\"role\":\"user\"}]}}",
            "{\"realtime_input\":{\"audio\":{\"data\":\"" + PCM + "\",\"mimeType\":\"audio/pcm;rate=16000\"}}}",
            "{\"realtime_input\":{\"text\":\"realtime text\"}}",
            "{\"realtime_input\":{\"audioStreamEnd\":true}}",
            "{\"setup\":{\"model\":\"models/x\",\"contextWindowCompression\":{\"triggerTokens\":25600,\"slidingWindow\":{\"targetTokens\":12800}}}}",
            // Python (live-protocol.md §7): snake_case at every depth, URL-safe base64, bare audio/pcm
            "{\"client_content\":{\"turns\":[{\"parts\":[{\"text\":\"Hello\"}],\"role\":\"user\"}],\"turn_complete\":true}}",
            "{\"realtime_input\":{\"media_chunks\":[{\"data\":\"-__-AQ==\",\"mime_type\":\"audio/pcm\"}]}}",
            "{\"client_content\":{\"turn_complete\":true}}",
            "{\"tool_response\":{\"function_responses\":[{\"name\":\"get_time\",\"response\":{\"time\":\"12:00\"},\"id\":\"fc-1\"}]}}",
            "{\"realtime_input\":{\"audio\":{\"data\":\"-__-AQ==\",\"mimeType\":\"audio/pcm;rate=16000\"}}}",
            "{\"setup\":{\"model\":\"models/gemini-2.5-flash-native-audio-preview-12-2025\",\"generationConfig\":{\"responseModalities\":[\"AUDIO\"],"
                    + "\"speechConfig\":{\"voice_config\":{\"prebuilt_voice_config\":{\"voice_name\":\"Kore\"}}}},\"realtimeInputConfig\":"
                    + "{\"automatic_activity_detection\":{\"start_of_speech_sensitivity\":\"START_SENSITIVITY_LOW\",\"silence_duration_ms\":500}},"
                    + "\"contextWindowCompression\":{\"trigger_tokens\":25600,\"sliding_window\":{\"target_tokens\":12800}},"
                    + "\"proactivity\":{\"proactive_audio\":true}}}",
            // other valid shapes: unpadded base64, int64 as a number string with sign, enums by number, thought parts
            "{\"realtimeInput\":{\"audio\":{\"data\":\"AQID\",\"mimeType\":\"audio/pcm\"}}}",
            "{\"realtimeInput\":{\"video\":{\"data\":\"AQ\",\"mimeType\":\"image/png\"}}}",
            "{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"responseModalities\":[3],\"mediaResolution\":1,\"seed\":-5,\"topK\":\"40\"}}}",
            "{\"clientContent\":{\"turns\":[{\"role\":\"model\",\"parts\":[{\"text\":\"hmm\",\"thought\":true,\"thoughtSignature\":\"c2ln\"},"
                    + "{\"functionCall\":{\"id\":\"a\",\"name\":\"f\",\"args\":{\"n\":1.5,\"l\":[1,\"x\",null]}}}]},{\"role\":\"user\",\"parts\":"
                    + "[{\"functionResponse\":{\"id\":\"a\",\"name\":\"f\",\"response\":{\"ok\":true}}},{\"inlineData\":{\"mimeType\":\"image/png\","
                    + "\"data\":\"iVBORw0KGgo=\"}},{\"fileData\":{\"mimeType\":\"video/mp4\",\"fileUri\":\"gs://b/v.mp4\"},\"videoMetadata\":"
                    + "{\"startOffset\":\"1.5s\",\"endOffset\":\"10s\",\"fps\":1}}]}],\"turnComplete\":true}}",
            "{\"setup\":{\"model\":\"m\",\"tools\":[{\"googleSearch\":{\"timeRangeFilter\":{\"startTime\":\"2026-01-01T00:00:00+01:00\","
                    + "\"endTime\":\"2026-01-02T00:00:00.123456789Z\"}}},{\"googleSearchRetrieval\":{\"dynamicRetrievalConfig\":{\"mode\":\"MODE_DYNAMIC\","
                    + "\"dynamicThreshold\":0.3}}},{\"urlContext\":{}},{\"functionDeclarations\":[{\"name\":\"s\",\"parameters\":{\"type\":\"ARRAY\","
                    + "\"items\":{\"type\":\"INTEGER\",\"minimum\":1,\"enum\":[\"1\",\"2\"]},\"minItems\":\"1\",\"maxItems\":3,\"nullable\":true}}]}]}}");

    /** Valid server frames (live-protocol.md §6.2 and the fake server of sdk-oracles.md §1). */
    static final List<String> SERVER = List.of(
            "{\"setupComplete\":{}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"text\":\"Hi! How can\"}]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"role\":\"model\",\"parts\":[{\"inlineData\":{\"mimeType\":\"audio/pcm;rate=24000\",\"data\":\"AAEC\"}}]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"executableCode\":{\"language\":\"PYTHON\",\"code\":\"print(2+2)\"}}]}}}",
            "{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"codeExecutionResult\":{\"outcome\":\"OUTCOME_OK\",\"output\":\"4\\n\"}}]}}}",
            "{\"serverContent\":{\"inputTranscription\":{\"text\":\"what's the weather\"}}}",
            "{\"serverContent\":{\"outputTranscription\":{\"text\":\"It is sunny\"}}}",
            "{\"serverContent\":{\"groundingMetadata\":{\"webSearchQueries\":[\"weather paris\"],\"searchEntryPoint\":{\"renderedContent\":\"<div>x</div>\"},"
                    + "\"groundingChunks\":[{\"web\":{\"uri\":\"https://example.com\",\"title\":\"t\"}}]}}}",
            "{\"serverContent\":{\"interrupted\":true}}",
            "{\"serverContent\":{\"generationComplete\":true}}",
            "{\"serverContent\":{\"waitingForInput\":true}}",
            "{\"serverContent\":{\"turnComplete\":true},\"usageMetadata\":{\"promptTokenCount\":1200,\"responseTokenCount\":60,\"totalTokenCount\":1260,"
                    + "\"promptTokensDetails\":[{\"modality\":\"AUDIO\",\"tokenCount\":1000},{\"modality\":\"TEXT\",\"tokenCount\":200}],"
                    + "\"responseTokensDetails\":[{\"modality\":\"AUDIO\",\"tokenCount\":60}]}}",
            "{\"toolCall\":{\"functionCalls\":[{\"id\":\"fc-1\",\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}}]}}",
            "{\"toolCallCancellation\":{\"ids\":[\"fc-1\"]}}",
            "{\"goAway\":{\"timeLeft\":\"10s\"}}",
            "{\"goAway\":{\"timeLeft\":\"9.5s\"}}",
            "{\"sessionResumptionUpdate\":{\"newHandle\":\"h1\",\"resumable\":true}}",
            "{\"sessionResumptionUpdate\":{\"resumable\":false}}",
            "{\"usageMetadata\":{\"promptTokenCount\":5}}",
            "{\"serverContent\":{\"urlContextMetadata\":{\"urlMetadata\":[{\"retrievedUrl\":\"https://x\",\"urlRetrievalStatus\":\"URL_RETRIEVAL_STATUS_SUCCESS\"}]}}}");

    /** One derived frame and how it was made. */
    record Mutant(String kind, String path, String json) {}

    static final List<JsonNode> PROBES = List.of(
            JsonNodeFactory.instance.nullNode(), JsonNodeFactory.instance.textNode("x"), JsonNodeFactory.instance.textNode(""),
            JsonNodeFactory.instance.numberNode(7), JsonNodeFactory.instance.numberNode(7.5), JsonNodeFactory.instance.numberNode(-1),
            JsonNodeFactory.instance.numberNode(0), JsonNodeFactory.instance.numberNode(2147483648L),
            JsonNodeFactory.instance.numberNode(1e20), JsonNodeFactory.instance.booleanNode(true),
            JsonNodeFactory.instance.booleanNode(false), JsonNodeFactory.instance.textNode("true"),
            JsonNodeFactory.instance.textNode("7"), JsonNodeFactory.instance.textNode("1e2"), JsonNodeFactory.instance.textNode("7.0"),
            JsonNodeFactory.instance.textNode("AA.."), JsonNodeFactory.instance.textNode("AQ=="), JsonNodeFactory.instance.textNode("3s"),
            JsonNodeFactory.instance.textNode("NaN"), JsonNodeFactory.instance.textNode("TEXT"),
            JsonNodeFactory.instance.arrayNode(), JsonNodeFactory.instance.arrayNode().add("x"), JsonNodeFactory.instance.objectNode(),
            JsonNodeFactory.instance.objectNode().put("x", 1));

    /** Every mutant of {@code frame}: per field a misspelling, the other spelling, removal and each probe value. */
    static List<Mutant> mutants(String frame) {
        JsonNode root = ProtoOracle.tree(frame);
        List<List<Object>> paths = new ArrayList<>();
        walk(root, new ArrayList<>(), paths);
        List<Mutant> out = new ArrayList<>();
        for (List<Object> path : paths) {
            String p = render(path);
            Object last = path.getLast();
            if (last instanceof String key) {
                out.add(new Mutant("misspelled", p, rename(root, path, key + "x")));
                String other = key.contains("_") ? ProtoOracle.camel(key) : ProtoSchemaConformanceTest.camelToSnake(key);
                if (!other.equals(key)) {
                    out.add(new Mutant("other spelling", p, rename(root, path, other)));
                }
                out.add(new Mutant("removed", p, edit(root, path, null, true)));
            }
            for (JsonNode probe : PROBES) {
                out.add(new Mutant("value " + probe, p, edit(root, path, probe, false)));
            }
        }
        // frame-level mutants
        ObjectNode extra = (ObjectNode) root.deepCopy();
        extra.putObject("bogusTopLevel");
        out.add(new Mutant("unknown top-level key", "", extra.toString()));
        ObjectNode twice = (ObjectNode) root.deepCopy();
        String key = root.fieldNames().next();
        String second = key.startsWith("setup") ? "clientContent" : "setup";
        twice.set(second, JsonNodeFactory.instance.objectNode());
        out.add(new Mutant("second oneof member", "", twice.toString()));
        out.add(new Mutant("zero top-level keys", "", "{}"));
        out.add(new Mutant("array instead of object", "", "[" + frame + "]"));
        out.add(new Mutant("trailing data", "", frame + " {}"));
        out.add(new Mutant("truncated", "", frame.substring(0, frame.length() - 1)));
        return out;
    }

    private static void walk(JsonNode node, List<Object> path, List<List<Object>> out) {
        if (node instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                List<Object> p = new ArrayList<>(path);
                p.add(e.getKey());
                out.add(p);
                walk(e.getValue(), p, out);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                List<Object> p = new ArrayList<>(path);
                p.add(i);
                out.add(p);
                walk(a.get(i), p, out);
            }
        }
    }

    static String render(List<Object> path) {
        StringBuilder b = new StringBuilder();
        for (Object s : path) {
            if (s instanceof Integer i) {
                b.append('[').append(i).append(']');
            } else {
                b.append(b.isEmpty() ? "" : ".").append(s);
            }
        }
        return b.toString();
    }

    private static JsonNode parentOf(JsonNode copy, List<Object> path) {
        JsonNode n = copy;
        for (Object s : path.subList(0, path.size() - 1)) {
            n = s instanceof Integer i ? n.get(i) : n.get((String) s);
        }
        return n;
    }

    private static String edit(JsonNode root, List<Object> path, JsonNode value, boolean remove) {
        JsonNode copy = root.deepCopy();
        JsonNode parent = parentOf(copy, path);
        Object last = path.getLast();
        if (parent instanceof ObjectNode o) {
            if (remove) {
                o.remove((String) last);
            } else {
                o.set((String) last, value.deepCopy());
            }
        } else if (parent instanceof ArrayNode a) {
            a.set((Integer) last, value.deepCopy());
        }
        return copy.toString();
    }

    private static String rename(JsonNode root, List<Object> path, String newName) {
        JsonNode copy = root.deepCopy();
        ObjectNode parent = (ObjectNode) parentOf(copy, path);
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        parent.properties().forEach(e -> fields.put(e.getKey().equals(path.getLast()) ? newName : e.getKey(), e.getValue()));
        parent.removeAll();
        fields.forEach(parent::set);
        return copy.toString();
    }
}
