package dev.habla.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Objects;

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
    /** Value equality, also for {@code thoughtSignature} (a record compares arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Part p && Objects.equals(text, p.text) && Objects.equals(inlineData, p.inlineData)
                && Objects.equals(functionCall, p.functionCall) && Objects.equals(functionResponse, p.functionResponse)
                && Objects.equals(fileData, p.fileData) && Objects.equals(executableCode, p.executableCode)
                && Objects.equals(codeExecutionResult, p.codeExecutionResult) && Objects.equals(videoMetadata, p.videoMetadata)
                && thought == p.thought && Arrays.equals(thoughtSignature, p.thoughtSignature)
                && Objects.equals(partMetadata, p.partMetadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, inlineData, functionCall, functionResponse, fileData, executableCode, codeExecutionResult,
                videoMetadata, thought, Arrays.hashCode(thoughtSignature), partMetadata);
    }

    /** Prints the signature's size, not its bytes. */
    @Override
    public String toString() {
        return "Part[text=" + text + ", inlineData=" + inlineData + ", functionCall=" + functionCall + ", functionResponse="
                + functionResponse + ", fileData=" + fileData + ", executableCode=" + executableCode + ", codeExecutionResult="
                + codeExecutionResult + ", videoMetadata=" + videoMetadata + ", thought=" + thought + ", thoughtSignature="
                + (thoughtSignature == null ? "null" : thoughtSignature.length + " bytes") + ", partMetadata=" + partMetadata + "]";
    }

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
