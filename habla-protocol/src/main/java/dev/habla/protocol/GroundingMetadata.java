package dev.habla.protocol;

import java.util.List;

/** Search grounding: queries, sources and supports. */
@ProtoName("GroundingMetadata")
public record GroundingMetadata(
        GroundingMetadata.SearchEntryPoint searchEntryPoint,
        List<GroundingMetadata.GroundingChunk> groundingChunks,
        List<GroundingMetadata.GroundingSupport> groundingSupports,
        GroundingMetadata.RetrievalMetadata retrievalMetadata,
        List<String> webSearchQueries,
        String googleMapsWidgetContextToken) {
    /** Rendered search suggestions. */
    @ProtoName("SearchEntryPoint")
    public record SearchEntryPoint(String renderedContent, byte[] sdkBlob) {
        /** Value equality, also for {@code sdkBlob} (a record compares arrays by identity). */
        @Override
        public boolean equals(Object o) {
            return o instanceof SearchEntryPoint s && java.util.Objects.equals(renderedContent, s.renderedContent)
                    && java.util.Arrays.equals(sdkBlob, s.sdkBlob);
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Objects.hashCode(renderedContent) + java.util.Arrays.hashCode(sdkBlob);
        }

        @Override
        public String toString() {
            return "SearchEntryPoint[renderedContent=" + renderedContent + ", sdkBlob="
                    + (sdkBlob == null ? "null" : sdkBlob.length + " bytes") + "]";
        }
    }

    /** One source. */
    @ProtoName("GroundingChunk")
    public record GroundingChunk(@OneOf("chunk_type") Web web, @OneOf("chunk_type") RetrievedContext retrievedContext,
            @OneOf("chunk_type") Maps maps) {
        /** A web page. */
        @ProtoName("GroundingChunk.Web")
        public record Web(String uri, String title) {}

        /** A retrieved document. */
        @ProtoName("GroundingChunk.RetrievedContext")
        public record RetrievedContext(String uri, String title, String text) {}

        /** A Google Maps place. */
        @ProtoName("GroundingChunk.Maps")
        public record Maps(String uri, String title, String text, String placeId, PlaceAnswerSources placeAnswerSources) {
            /** Review snippets that support the answer. */
            @ProtoName("GroundingChunk.Maps.PlaceAnswerSources")
            public record PlaceAnswerSources(List<ReviewSnippet> reviewSnippets) {}

            /** One review snippet. */
            @ProtoName("GroundingChunk.Maps.PlaceAnswerSources.ReviewSnippet")
            public record ReviewSnippet(String reviewId, String googleMapsUri, String title) {}
        }

        /** A web source. */
        public static GroundingChunk web(String uri, String title) {
            return new GroundingChunk(new Web(uri, title), null, null);
        }
    }

    /** Which part of the answer a source supports. */
    @ProtoName("GroundingSupport")
    public record GroundingSupport(Segment segment, List<Integer> groundingChunkIndices, List<Double> confidenceScores) {}

    /** A span of the answer. */
    @ProtoName("Segment")
    public record Segment(int partIndex, int startIndex, int endIndex, String text) {}

    /** Retrieval scores. */
    @ProtoName("RetrievalMetadata")
    public record RetrievalMetadata(double googleSearchDynamicRetrievalScore) {}
}
