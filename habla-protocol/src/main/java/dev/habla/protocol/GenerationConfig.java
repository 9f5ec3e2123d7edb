package dev.habla.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Generation parameters of a session. {@code enableAffectiveDialog} is newer than the public v1beta proto.
 *
 * <p>The two JSON-schema fields follow the proto's {@code json_name} options: JSON {@code responseJsonSchema} is proto
 * field {@code response_json_schema_ordered}, and JSON {@code _responseJsonSchema} is proto field
 * {@code response_json_schema} ("use responseJsonSchema rather than this field").
 */
@ProtoName("GenerationConfig")
public record GenerationConfig(
        Integer candidateCount,
        List<String> stopSequences,
        Integer maxOutputTokens,
        Double temperature,
        Double topP,
        Integer topK,
        Integer seed,
        String responseMimeType,
        Schema responseSchema,
        @WireName(value = "responseJsonSchema", proto = "response_json_schema_ordered") JsonNode responseJsonSchema,
        @WireName(value = "_responseJsonSchema", proto = "response_json_schema") JsonNode legacyResponseJsonSchema,
        Double presencePenalty,
        Double frequencyPenalty,
        Boolean responseLogprobs,
        Integer logprobs,
        Boolean enableEnhancedCivicAnswers,
        List<ResponseModality> responseModalities,
        SpeechConfig speechConfig,
        GenerationConfig.ThinkingConfig thinkingConfig,
        GenerationConfig.ImageConfig imageConfig,
        MediaResolution mediaResolution,
        @Extension Boolean enableAffectiveDialog) {
    /** Thinking budget (2.5) or level (3.x). {@code thinkingLevel} is newer than the public v1beta proto. */
    @ProtoName("ThinkingConfig")
    public record ThinkingConfig(Boolean includeThoughts, Integer thinkingBudget, @Extension ThinkingLevel thinkingLevel) {}

    /** Thinking levels of Gemini 3.x Live. */
    public enum ThinkingLevel { THINKING_LEVEL_UNSPECIFIED, MINIMAL, LOW, MEDIUM, HIGH, UNRECOGNIZED }

    /** Image output settings. */
    @ProtoName("ImageConfig")
    public record ImageConfig(String aspectRatio) {}

    /** Token cost per video frame. */
    public enum MediaResolution { MEDIA_RESOLUTION_UNSPECIFIED, MEDIA_RESOLUTION_LOW, MEDIA_RESOLUTION_MEDIUM, MEDIA_RESOLUTION_HIGH, UNRECOGNIZED }

    /** An empty configuration (every field unset). */
    public static final GenerationConfig EMPTY = new GenerationConfig(null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null);
}
