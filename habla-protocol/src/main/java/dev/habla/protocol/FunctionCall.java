package dev.habla.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** A call the model asks the client to run; answer it with a {@link FunctionResponse} carrying the same id. */
@ProtoName("FunctionCall")
public record FunctionCall(
        String id,
        String name,
        @Struct JsonNode args) {
}
