package dev.habla.knowledge;

import java.util.List;
import java.util.Objects;

/**
 * A source file turned into passages, ready for {@link KnowledgeStore#put}.
 *
 * @param source      the file path as indexed (the key: putting a document replaces every passage of that source)
 * @param contentHash SHA-256 of the file's bytes (hex); incremental re-indexing compares it
 * @param language    detected language ({@code "en"}, {@code "es"})
 * @param passages    in document order
 */
public record SourceDocument(String source, String contentHash, String language, List<Passage> passages) {
    public SourceDocument {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(contentHash, "contentHash");
        Objects.requireNonNull(language, "language");
        passages = List.copyOf(passages);
    }
}
