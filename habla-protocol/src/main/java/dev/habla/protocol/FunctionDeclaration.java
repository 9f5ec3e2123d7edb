package dev.habla.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** A function the model may call. */
@ProtoName("FunctionDeclaration")
public record FunctionDeclaration(
        String name,
        String description,
        Schema parameters,
        JsonNode parametersJsonSchema,
        Schema response,
        JsonNode responseJsonSchema,
        Behavior behavior) {
    /** BLOCKING (default) waits for the response; NON_BLOCKING lets the model keep talking. */
    public enum Behavior { UNSPECIFIED, BLOCKING, NON_BLOCKING, UNRECOGNIZED }

    /** A blocking declaration with an OpenAPI parameter schema. */
    public static FunctionDeclaration of(String name, String description, Schema parameters) {
        return new FunctionDeclaration(name, description, parameters, null, null, null, null);
    }
}
