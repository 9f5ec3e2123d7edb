package dev.habla.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The client's answer to a {@link FunctionCall}. */
@ProtoName("FunctionResponse")
public record FunctionResponse(
        String id,
        String name,
        @Struct JsonNode response,
        List<FunctionResponsePart> parts,
        boolean willContinue,
        Scheduling scheduling) {
    /** When the model should use the result of a NON_BLOCKING call. */
    public enum Scheduling { SCHEDULING_UNSPECIFIED, SILENT, WHEN_IDLE, INTERRUPT, UNRECOGNIZED }

    /** A response with just an id, name and JSON object. */
    public static FunctionResponse of(String id, String name, JsonNode response) {
        return new FunctionResponse(id, name, response, null, false, null);
    }
}
