package dev.habla.realtime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Token usage of a response ({@code response.done}) or an input transcription. The detail objects are kept as
 * JSON: they grow with the API and nothing here interprets them.
 */
public record Usage(
        long totalTokens, long inputTokens, long outputTokens, JsonNode inputTokenDetails, JsonNode outputTokenDetails) {
    public static Usage of(long inputTokens, long outputTokens) {
        return new Usage(inputTokens + outputTokens, inputTokens, outputTokens, null, null);
    }
}
