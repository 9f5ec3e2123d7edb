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
import dev.habla.realtime.AudioConfig;
import dev.habla.realtime.AudioFormat;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.NoiseReduction;
import dev.habla.realtime.Session;
import dev.habla.realtime.Transcription;
import dev.habla.realtime.TurnDetection;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code session.update} an OpenAI connection opens with, from a {@link SessionConfig} (openai-realtime.md §5.2):
 * the neutral core mapped to the GA session object ({@code habla-realtime-protocol}'s {@link Session}), plus
 * {@link OpenAiOptions}. Pure functions; what OpenAI cannot
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

    /** The whole {@code session.update} event. */
    static ClientEvent.SessionUpdate of(SessionConfig c) {
        OpenAiOptions o = c.openai();
        Transcription transcription = !c.inputTranscription() ? null : new Transcription(
                o.transcriptionModel() != null ? o.transcriptionModel() : DEFAULT_TRANSCRIPTION_MODEL,
                c.languageCode() == null ? null : c.languageCode().split("-")[0].toLowerCase(Locale.ROOT), null);
        NoiseReduction noise = o.noiseReduction() == null ? null
                : new NoiseReduction(o.noiseReduction().name().toLowerCase(Locale.ROOT));
        AudioConfig audio = new AudioConfig(
                new AudioConfig.Input(AudioFormat.PCM_24K, noise, transcription, turnDetection(c)),
                new AudioConfig.Output(AudioFormat.PCM_24K, c.voice(), o.speed()));
        Session session = Session.update().withAudio(audio);
        if (c.responseModality() != null) {
            session = session.withOutputModalities(List.of(c.responseModality() == ResponseModality.TEXT ? "text" : "audio"));
        }
        if (c.systemInstruction() != null) {
            session = session.withInstructions(c.systemInstruction());
        }
        JsonNode toolChoice = null;
        List<dev.habla.realtime.Tool> tools = null;
        if (!c.tools().isEmpty()) {
            tools = tools(c.tools());
            toolChoice = TextNode.valueOf("auto");
        }
        JsonNode maxTokens = c.maxOutputTokens() == null ? null : IntNode.valueOf(c.maxOutputTokens());
        return new ClientEvent.SessionUpdate(new Session(session.type(), null, null, session.instructions(),
                session.outputModalities(), session.audio(), tools, toolChoice, maxTokens, null, null, null));
    }

    /** A mid-session update of instructions and/or tools (Gemini's {@code contextUpdate}). */
    static ClientEvent.SessionUpdate contextUpdate(ClientMessage.ContextUpdate u) {
        Session session = Session.update();
        if (u.systemInstruction() != null) {
            session = session.withInstructions(Texts.of(u.systemInstruction()));
        }
        if (u.tools() != null) {
            session = session.withTools(tools(u.tools().tools() == null ? List.of() : u.tools().tools()));
        }
        return new ClientEvent.SessionUpdate(session);
    }

    /** Null = the service's default ({@code server_vad}); {@link TurnDetection#NONE} = manual turns. */
    private static TurnDetection turnDetection(SessionConfig c) {
        RealtimeInputConfig ric = c.realtimeInputConfig();
        AutomaticActivityDetection aad = ric == null ? null : ric.automaticActivityDetection();
        if (aad != null && Boolean.TRUE.equals(aad.disabled())) {
            return TurnDetection.NONE; // manual turns: commit + response.create
        }
        Boolean interrupt = ric != null && ric.activityHandling() == RealtimeInputConfig.ActivityHandling.NO_INTERRUPTION
                ? Boolean.FALSE : null;
        if (c.openai().semanticVad() != null) {
            return new TurnDetection("semantic_vad", null, null, null, null, null, interrupt,
                    c.openai().semanticVad().name().toLowerCase(Locale.ROOT));
        }
        if (aad == null && interrupt == null) {
            return null;
        }
        Double threshold = null;
        if (aad != null && aad.startOfSpeechSensitivity() == RealtimeInputConfig.StartSensitivity.START_SENSITIVITY_HIGH) {
            threshold = 0.3;
        } else if (aad != null && aad.startOfSpeechSensitivity() == RealtimeInputConfig.StartSensitivity.START_SENSITIVITY_LOW) {
            threshold = 0.7;
        }
        return new TurnDetection("server_vad", threshold, aad == null ? null : aad.prefixPaddingMs(),
                aad == null ? null : aad.silenceDurationMs(), null, null, interrupt, null);
    }

    /** Function declarations as OpenAI tools; Gemini's OpenAPI-subset schemas become JSON Schema. */
    static List<dev.habla.realtime.Tool> tools(List<Tool> tools) {
        List<dev.habla.realtime.Tool> out = new ArrayList<>();
        for (Tool t : tools) {
            if (t.functionDeclarations() == null) {
                continue;
            }
            for (FunctionDeclaration d : t.functionDeclarations()) {
                JsonNode params = d.parametersJsonSchema() != null ? d.parametersJsonSchema()
                        : d.parameters() != null ? jsonSchema(schemaJson(d)) : null;
                out.add(dev.habla.realtime.Tool.function(d.name(), d.description(), params != null ? params
                        : JSON.createObjectNode().put("type", "object").set("properties", JSON.createObjectNode())));
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
