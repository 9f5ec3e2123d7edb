package dev.habla.knowledge;

import java.util.Map;

/**
 * A searchable index of passages: the embedded Lucene store ({@code habla-knowledge-lucene}) or a scale-out engine
 * (Solr). A store is opened with an {@link Embedder}; it embeds passages on {@link #put} and queries on
 * {@link #search}, and it refuses (typed {@link KnowledgeException.Kind#MODEL_MISMATCH}) to open an index made with
 * another model.
 *
 * <p>Thread safety: searches may run concurrently from any thread; writes ({@code put}, {@code delete},
 * {@code commit}) are serialised by the store. A search sees the state of the last {@link #commit()}.
 */
public interface KnowledgeStore extends AutoCloseable {

    /** The embedding model, dimension and counts of this index (counts as of the last commit). */
    IndexInfo info();

    /** Every source in the index with its content hash (SHA-256 hex), for incremental re-indexing. */
    Map<String, String> sourceHashes();

    /** Adds the document's passages, replacing every passage the index had for {@code doc.source()}. */
    void put(SourceDocument doc);

    /** Removes every passage of {@code source}; nothing happens if the index has none. */
    void delete(String source);

    /** Makes the writes so far durable and visible to searches. */
    void commit();

    /** {@link SearchMode#HYBRID} search: at most {@code k} hits, best first. */
    default SearchResult search(String query, int k) {
        return search(query, k, SearchMode.HYBRID);
    }

    /** Searches with the given ranking: at most {@code k} hits, best first. */
    SearchResult search(String query, int k, SearchMode mode);

    /** Releases the index (files, caches); idempotent. */
    @Override
    void close();
}
