package dev.habla.knowledge;

/**
 * One passage found by a search, with its scores.
 *
 * @param passage the passage (source, heading path, page, text)
 * @param score   the score the hits are ordered by: the fused RRF score for {@link SearchMode#HYBRID}, the BM25 score
 *                for {@link SearchMode#BM25}, the cosine for {@link SearchMode#VECTOR}
 * @param bm25    the passage's BM25 score, or {@code NaN} when BM25 did not rank it (or was not asked)
 * @param cosine  cosine between query and passage vectors, or {@code NaN} when the vector search did not rank it
 */
public record Hit(Passage passage, double score, double bm25, double cosine) {
}
