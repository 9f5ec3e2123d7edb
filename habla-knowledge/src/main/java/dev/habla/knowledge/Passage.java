package dev.habla.knowledge;

import java.util.List;
import java.util.Objects;

/**
 * One retrievable piece of a source document: a few paragraphs cut on headings and paragraphs (with overlap), with
 * where it came from.
 *
 * @param id          unique in the index: {@code source + "#" + ordinal}
 * @param source      the file path as indexed (absolute, normalised), what answers cite
 * @param headingPath the headings above the passage, outermost first (empty when the document has none)
 * @param page        1-based page number for paged formats (PDF); 0 when the format has no pages
 * @param text        the passage text (plain text, whitespace normalised)
 * @param language    the document's language as detected at ingest ({@code "en"}, {@code "es"}); decides the BM25
 *                    analysis
 */
public record Passage(String id, String source, List<String> headingPath, int page, String text, String language) {

    public Passage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        headingPath = List.copyOf(headingPath);
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(language, "language");
        if (page < 0) throw new IllegalArgumentException("page must be >= 0, got " + page);
    }

    /** The heading path joined with {@code " > "}; empty when there is none. */
    public String heading() {
        return String.join(" > ", headingPath);
    }

    /**
     * What stores index and embed: the heading path, a blank line, the text (a passage's headings often carry the
     * words a question uses). Every store uses this, so they rank alike.
     */
    public String indexText() {
        return headingPath.isEmpty() ? text : heading() + "\n\n" + text;
    }
}
