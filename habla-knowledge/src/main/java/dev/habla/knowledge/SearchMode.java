package dev.habla.knowledge;

/** Which ranking a search uses. {@link #HYBRID} (the default) fuses the two others by reciprocal rank fusion. */
public enum SearchMode {
    /** Lexical: BM25 over the passage text, analysed in the document's language. */
    BM25,
    /** Semantic: nearest passages by cosine of the embedding model's vectors (HNSW). */
    VECTOR,
    /** Both lists fused: {@code sum 1/(60 + rank)}; needs no score normalisation. */
    HYBRID
}
