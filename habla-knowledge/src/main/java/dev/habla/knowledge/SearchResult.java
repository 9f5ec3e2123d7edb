package dev.habla.knowledge;

import java.util.List;

/**
 * What a search found.
 *
 * @param query     the query as given
 * @param mode      the ranking used
 * @param hits      best first, at most k
 * @param topCosine the highest query–passage cosine in the whole index (the nearest neighbour), whatever the mode;
 *                  what {@link DomainPolicy} judges relevance on. {@code NaN} when the index is empty.
 */
public record SearchResult(String query, SearchMode mode, List<Hit> hits, double topCosine) {
    public SearchResult {
        hits = List.copyOf(hits);
    }
}
