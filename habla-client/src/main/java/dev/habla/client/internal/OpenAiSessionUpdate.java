package dev.habla.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionConfig.OpenAiOptions;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.GenerationConfig;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.RealtimeInputConfig;
import dev.habla.protocol.RealtimeInputConfig.AutomaticActivityDetection;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Tool;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code session.update} an OpenAI connection opens with, from a {@link SessionConfig} (openai-realtime.md §5.2):
 * the neutral core mapped to the GA session object, plus {@link OpenAiOptions}. Pure functions; what OpenAI cannot
 * honour was refused before by {@link OpenAiProvider#check}.
 *
 * <ul>
 *   <li>responseModality → {@code output_modalities} ({@code ["audio"]} = audio with its transcript, or {@code ["text"]})
 *   <li>systemInstruction → {@code instructions}; maxOutputTokens → {@code max_output_tokens}
 *   <li>voice → {@code audio.output.voice}; speed → {@code audio.output.speed}; PCM 24 kHz both ways
 *   <li>inputTranscription (+ languageCode, transcriptionModel) → {@code audio.input.transcription}; the output
 *       transcript is always on with audio output
 *   <li>realtimeInputConfig → {@code audio.input.turn_detection}: {@code server_vad} (Gemini's sensitivities as
 *       thresholds, prefix padding, silence; {@code NO_INTERRUPTION} → {@code interrupt_response:false}), or
 *       {@code null} for manual turns (automatic detection disabled); semanticVad → {@code semantic_vad}
 *   <li>tools (function declarations) → {@code tools} of {@code type:function} with JSON-Schema parameters
 * </ul>
 */
final class OpenAiSessionUpdate {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEFAULT_TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe";

    private OpenAiSessionUpdate() {}

    /** The whole {@code session.update} frame. */
    static String of(SessionConfig c) {
        ObjectNode session = JSON.createObjectNode().put("type", "realtime");
        if (c.responseModality() != null) {
            session.putArray("output_modalities").add(c.responseModality() == ResponseModality.TEXT ? "text" : "audio");
        }
        if (c.systemInstruction() != null) {
            session.put("instructions", c.systemInstruction());
        }
        if (c.maxOutputTokens() != null) {
            session.put("max_output_tokens", c.maxOutputTokens());
        }
        ObjectNode audio = session.putObject("audio");
        ObjectNode input = audio.putObject("input");
        input.putObject("format").put("type", "audio/pcm").put("rate", OpenAiProvider.RATE);
        OpenAiOptions o = c.openai();
        if (o.noiseReduction() != null) {
            input.putObject("noise_reduction").put("type", o.noiseReduction().name().toLowerCase(Locale.ROOT));
        }
        if (c.inputTranscription()) {
            ObjectNode t = input.putObject("transcription")
                    .put("model", o.transcriptionModel() != null ? o.transcriptionModel() : DEFAULT_TRANSCRIPTION_MODEL);
            if (c.languageCode() != null) {
                t.put("language", c.languageCode().split("-")[0].toLowerCase(Locale.ROOT));
            }
        }
        turnDetection(c, input);
        ObjectNode output = audio.putObject("output");
        output.putObject("format").put("type", "audio/pcm").put("rate", OpenAiProvider.RATE);
        if (c.voice() != null) {
            output.put("voice", c.voice());
        }
        if (o.speed() != null) {
            output.put("speed", o.speed());
        }
        if (!c.tools().isEmpty()) {
            session.set("tools", tools(c.tools()));
            session.put("tool_choice", "auto");
        }
        ObjectNode frame = JSON.createObjectNode().put("type", "session.update");
        frame.set("session", session);
        return frame.toString();
    }

    /** A mid-session update of instructions and/or tools (Gemini's {@code contextUpdate}). */
    static String contextUpdate(ClientMessage.ContextUpdate u) {
        ObjectNode session = JSON.createObjectNode().put("type", "realtime");
        if (u.systemInstruction() != null) {
            session.put("instructions", Texts.of(u.systemInstruction()));
        }
        if (u.tools() != null) {
            List<Tool> tools = u.tools().tools() == null ? List.of() : u.tools().tools();
            session.set("tools", tools(tools));
        }
        ObjectNode frame = JSON.createObjectNode().put("type", "session.update");
        frame.set("session", session);
        return frame.toString();
    }

    private static void turnDetection(SessionConfig c, ObjectNode input) {
        RealtimeInputConfig ric = c.realtimeInputConfig();
        AutomaticActivityDetection aad = ric == null ? null : ric.automaticActivityDetection();
        if (aad != null && Boolean.TRUE.equals(aad.disabled())) {
            input.putNull("turn_detection"); // manual turns: commit + response.create
            return;
        }
        boolean noInterruption = ric != null
                && ric.activityHandling() == RealtimeInputConfig.ActivityHandling.NO_INTERRUPTION;
        if (c.openai().semanticVad() != null) {
            ObjectNode td = input.putObject("turn_detection").put("type", "semantic_vad")
                    .put("eagerness", c.openai().semanticVad().name().toLowerCase(Locale.ROOT));
            if (noInterruption) {
                td.put("interrupt_response", false);
            }
            return;
        }
        if (aad == null && !noInterruption) {
            return; // the service's default server_vad
        }
        ObjectNode td = input.putObject("turn_detection").put("type", "server_vad");
        if (aad != null) {
            if (aad.startOfSpeechSensitivity() == RealtimeInputConfig.StartSensitivity.START_SENSITIVITY_HIGH) {
                td.put("threshold", 0.3);
            } else if (aad.startOfSpeechSensitivity() == RealtimeInputConfig.StartSensitivity.START_SENSITIVITY_LOW) {
                td.put("threshold", 0.7);
            }
            if (aad.prefixPaddingMs() != null) {
                td.put("prefix_padding_ms", aad.prefixPaddingMs());
            }
            if (aad.silenceDurationMs() != null) {
                td.put("silence_duration_ms", aad.silenceDurationMs());
            }
        }
        if (noInterruption) {
            td.put("interrupt_response", false);
        }
    }

    /** Function declarations as OpenAI tools; Gemini's OpenAPI-subset schemas become JSON Schema. */
    static ArrayNode tools(List<Tool> tools) {
        ArrayNode out = JSON.createArrayNode();
        for (Tool t : tools) {
            if (t.functionDeclarations() == null) {
                continue;
            }
            for (FunctionDeclaration d : t.functionDeclarations()) {
                ObjectNode f = out.addObject().put("type", "function").put("name", d.name());
                if (d.description() != null) {
                    f.put("description", d.description());
                }
                JsonNode params = d.parametersJsonSchema() != null ? d.parametersJsonSchema()
                        : d.parameters() != null ? jsonSchema(schemaJson(d)) : null;
                f.set("parameters", params != null ? params
                        : JSON.createObjectNode().put("type", "object").set("properties", JSON.createObjectNode()));
            }
        }
        return out;
    }

    /** The declaration's parameter schema as Gemini's wire writes it (the one schema encoder of the project). */
    private static JsonNode schemaJson(FunctionDeclaration d) {
        FunctionDeclaration only = new FunctionDeclaration(d.name(), null, d.parameters(), null, null, null, null);
        ClientMessage.Setup setup = new ClientMessage.Setup("models/x", GenerationConfig.EMPTY, null,
                List.of(Tool.ofFunctions(List.of(only))), null, null, null, null, null, null, null);
        try {
            return JSON.readTree(LiveCodec.encode(setup)).path("setup").path("tools").path(0)
                    .path("functionDeclarations").path(0).path("parameters");
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot encode the parameters of tool " + d.name() + ": " + e.getMessage(), e);
        }
    }

    /** OpenAPI subset → JSON Schema: lower-case types, {@code nullable} as a type union, Gemini-only keys dropped. */
    private static JsonNode jsonSchema(JsonNode gemini) {
        if (gemini == null || !gemini.isObject()) {
            return gemini;
        }
        ObjectNode out = JSON.createObjectNode();
        boolean nullable = gemini.path("nullable").asBoolean(false);
        for (Iterator<Map.Entry<String, JsonNode>> it = gemini.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            switch (e.getKey()) {
                case "type" -> {
                    String type = e.getValue().asText().toLowerCase(Locale.ROOT);
                    if (nullable) {
                        out.putArray("type").add(type).add("null");
                    } else {
                        out.set("type", new TextNode(type));
                    }
                }
                case "nullable", "propertyOrdering" -> { }
                case "format" -> {
                    if (!"enum".equals(e.getValue().asText())) {
                        out.set("format", e.getValue());
                    }
                }
                case "properties" -> {
                    ObjectNode props = out.putObject("properties");
                    e.getValue().fields().forEachRemaining(p -> props.set(p.getKey(), jsonSchema(p.getValue())));
                }
                case "items" -> out.set("items", jsonSchema(e.getValue()));
                case "anyOf" -> {
                    ArrayNode any = out.putArray("anyOf");
                    e.getValue().forEach(v -> any.add(jsonSchema(v)));
                }
                case "minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties" ->
                        out.put(e.getKey(), e.getValue().asLong()); // proto3 JSON writes int64 as strings
                default -> out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** Text of a content (parts' text joined). */
    static final class Texts {
        private Texts() {}

        static String of(Content c) {
            StringBuilder sb = new StringBuilder();
            if (c.parts() != null) {
                c.parts().forEach(p -> {
                    if (p.text() != null) {
                        sb.append(p.text());
                    }
                });
            }
            return sb.toString();
        }
    }
}
