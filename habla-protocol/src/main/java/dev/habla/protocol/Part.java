package dev.habla.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** One part of a {@link Content}: exactly one data member (text, inline data, call, response, file, code, result). */
@ProtoName("Part")
public record Part(
        @OneOf("data") String text,
        @OneOf("data") Blob inlineData,
        @OneOf("data") FunctionCall functionCall,
        @OneOf("data") FunctionResponse functionResponse,
        @OneOf("data") FileData fileData,
        @OneOf("data") ExecutableCode executableCode,
        @OneOf("data") CodeExecutionResult codeExecutionResult,
        @OneOf("metadata") VideoMetadata videoMetadata,
        boolean thought,
        byte[] thoughtSignature,
        @Struct JsonNode partMetadata) {
    /** A text part. */
    public static Part ofText(String text) {
        return new Part(text, null, null, null, null, null, null, null, false, null, null);
    }

    /** An inline-data part (audio, image…). */
    public static Part ofInlineData(String mimeType, byte[] data) {
        return new Part(null, new Blob(mimeType, data), null, null, null, null, null, null, false, null, null);
    }

    /** An executable-code part. */
    public static Part ofExecutableCode(ExecutableCode code) {
        return new Part(null, null, null, null, null, code, null, null, false, null, null);
    }

    /** A code-execution-result part. */
    public static Part ofCodeExecutionResult(CodeExecutionResult result) {
        return new Part(null, null, null, null, null, null, result, null, false, null, null);
    }
}
