package dev.habla.knowledge;

import java.util.List;

/**
 * What a search found.
 *
 * @param query             the query as given
 * @param mode              the ranking used
 * @param hits              best first, at most k
 * @param topCosine         the highest query–passage cosine among the passages the query may be answered from (the
 *                          nearest neighbour), whatever the mode; {@code NaN} when the index is empty
 * @param termCoverage      the largest share of the query's analysed words (stemmed, stop words removed) found in
 *                          one of the top BM25 passages, 0–1; {@code NaN} when the query has no searchable word
 * @param vectorsCoverQuery the embedding model covers the query's language, so {@code topCosine} means something
 *                          (an English-only model on a Spanish question: false; then hybrid ranking is BM25's and
 *                          {@link DomainPolicy} judges {@code termCoverage})
 */
public record SearchResult(String query, SearchMode mode, List<Hit> hits, double topCosine, double termCoverage,
                           boolean vectorsCoverQuery) {
    public SearchResult {
        hits = List.copyOf(hits);
    }
}
