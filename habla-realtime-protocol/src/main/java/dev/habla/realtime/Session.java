package dev.habla.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The session object: the effective configuration in {@code session.created}/{@code session.updated}, or the partial
 * one a client sends in {@code session.update} (only present fields change). Java null = absent on the wire.
 *
 * @param type            {@code realtime} or {@code transcription} (part of every update)
 * @param id              {@code sess_...}; server side only
 * @param model           model id
 * @param outputModalities {@code ["audio"]} (audio plus transcript) or {@code ["text"]}
 * @param toolChoice      {@code "auto"}, {@code "none"}, {@code "required"} or an object, as JSON
 * @param maxOutputTokens a number or {@code "inf"}, as JSON
 * @param tracing         {@code "auto"}, an object, or JSON null ({@link com.fasterxml.jackson.databind.node.NullNode})
 * @param expiresAt       unix seconds; server side only
 * @param extra           every other field, in wire order ({@code truncation}, {@code include}, {@code prompt}...):
 *                        kept, re-encoded as received, never interpreted here
 */
public record Session(
        String type,
        String id,
        String model,
        String instructions,
        List<String> outputModalities,
        AudioConfig audio,
        List<Tool> tools,
        JsonNode toolChoice,
        JsonNode maxOutputTokens,
        JsonNode tracing,
        Long expiresAt,
        Map<String, JsonNode> extra) {

    public Session {
        outputModalities = outputModalities == null ? null : List.copyOf(outputModalities);
        tools = tools == null ? null : List.copyOf(tools);
        extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** An empty {@code realtime} session update, to fill with the {@code with*} methods. */
    public static Session update() {
        return new Session("realtime", null, null, null, null, null, null, null, null, null, null, null);
    }

    public Session withInstructions(String value) {
        return new Session(type, id, model, value, outputModalities, audio, tools, toolChoice, maxOutputTokens, tracing,
                expiresAt, extra);
    }

    public Session withOutputModalities(List<String> value) {
        return new Session(type, id, model, instructions, value, audio, tools, toolChoice, maxOutputTokens, tracing,
                expiresAt, extra);
    }

    public Session withAudio(AudioConfig value) {
        return new Session(type, id, model, instructions, outputModalities, value, tools, toolChoice, maxOutputTokens,
                tracing, expiresAt, extra);
    }

    public Session withTools(List<Tool> value) {
        return new Session(type, id, model, instructions, outputModalities, audio, value, toolChoice, maxOutputTokens,
                tracing, expiresAt, extra);
    }

    public Session withModel(String value) {
        return new Session(type, id, value, instructions, outputModalities, audio, tools, toolChoice, maxOutputTokens,
                tracing, expiresAt, extra);
    }
}
