package dev.habla.realtime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tool of the session or of one response. {@code type} is {@code function} for function tools (then {@code
 * parameters} is their JSON Schema); other kinds (e.g. {@code mcp}) keep all their fields in {@code json}.
 *
 * @param json the whole tool object as received, or null for one built in code
 */
public record Tool(String type, String name, String description, JsonNode parameters, JsonNode json) {
    public static Tool function(String name, String description, JsonNode parameters) {
        return new Tool("function", name, description, parameters, null);
    }
}
