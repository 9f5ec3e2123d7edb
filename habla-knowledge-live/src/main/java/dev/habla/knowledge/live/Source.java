package dev.habla.knowledge.live;

import dev.habla.knowledge.Hit;

/**
 * A passage an answer was given, as shown to the user.
 *
 * @param source  the file path as indexed
 * @param heading the heading path ({@code "Install > Linux"}), empty when the document has none
 * @param page    1-based page for paged formats (PDF), else 0
 * @param score   the search's score for it (hybrid: the fused rank score)
 * @param cosine  its cosine to the question, NaN when the vector search did not rank it
 */
public record Source(String source, String heading, int page, double score, double cosine) {

    static Source of(Hit h) {
        return new Source(h.passage().source(), h.passage().heading(), h.passage().page(), h.score(), h.cosine());
    }

    /** {@code file (Heading > Sub, p. 3)}: how answers and the CLI name it. */
    public String label() {
        StringBuilder b = new StringBuilder(source);
        boolean h = !heading.isEmpty();
        if (h || page > 0) {
            b.append(" (").append(heading);
            if (page > 0) {
                b.append(h ? ", " : "").append("p. ").append(page);
            }
            b.append(')');
        }
        return b.toString();
    }
}
