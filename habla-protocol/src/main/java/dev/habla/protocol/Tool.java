package dev.habla.protocol;

import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;

/** One tool entry of the setup: function declarations or one built-in tool. */
@ProtoName("Tool")
public record Tool(
        List<FunctionDeclaration> functionDeclarations,
        Tool.GoogleSearchRetrieval googleSearchRetrieval,
        Tool.CodeExecution codeExecution,
        Tool.GoogleSearch googleSearch,
        Tool.ComputerUse computerUse,
        Tool.UrlContext urlContext,
        Tool.FileSearch fileSearch,
        Tool.GoogleMaps googleMaps) {
    /** Server-side code execution. */
    @ProtoName("CodeExecution")
    public record CodeExecution() {}

    /** URL context retrieval. */
    @ProtoName("UrlContext")
    public record UrlContext() {}

    /** Google Search grounding. */
    @ProtoName("Tool.GoogleSearch")
    public record GoogleSearch(Interval timeRangeFilter) {}

    /** A time interval (RFC 3339 timestamps, validated like google.protobuf.Timestamp). */
    @ProtoName("google.type.Interval")
    public record Interval(@Timestamp String startTime, @Timestamp String endTime) {}

    /** Legacy search retrieval. */
    @ProtoName("GoogleSearchRetrieval")
    public record GoogleSearchRetrieval(DynamicRetrievalConfig dynamicRetrievalConfig) {}

    /** Dynamic retrieval settings. */
    @ProtoName("DynamicRetrievalConfig")
    public record DynamicRetrievalConfig(Mode mode, Double dynamicThreshold) {
        /** Retrieval mode. */
        public enum Mode { MODE_UNSPECIFIED, MODE_DYNAMIC, UNRECOGNIZED }
    }

    /** Computer use. */
    @ProtoName("Tool.ComputerUse")
    public record ComputerUse(Environment environment, List<String> excludedPredefinedFunctions) {
        /** Where the computer is operated. */
        public enum Environment { ENVIRONMENT_UNSPECIFIED, ENVIRONMENT_BROWSER, UNRECOGNIZED }
    }

    /** File search over RAG stores. */
    @ProtoName("FileSearch")
    public record FileSearch(List<RetrievalResource> retrievalResources, RetrievalConfig retrievalConfig) {
        /** A store to search. */
        @ProtoName("FileSearch.RetrievalResource")
        public record RetrievalResource(String ragStoreName) {}

        /** Retrieval options. */
        @ProtoName("FileSearch.RetrievalConfig")
        public record RetrievalConfig(Integer topK, String metadataFilter) {}
    }

    /** Google Maps grounding. */
    @ProtoName("GoogleMaps")
    public record GoogleMaps(boolean enableWidget) {}

    /** A tool holding function declarations. */
    public static Tool ofFunctions(List<FunctionDeclaration> declarations) {
        return new Tool(declarations, null, null, null, null, null, null, null);
    }

    /** The code-execution tool. */
    public static Tool ofCodeExecution() {
        return new Tool(null, null, new CodeExecution(), null, null, null, null, null);
    }

    /** The Google Search tool. */
    public static Tool ofGoogleSearch() {
        return new Tool(null, null, null, new GoogleSearch(null), null, null, null, null);
    }
}
