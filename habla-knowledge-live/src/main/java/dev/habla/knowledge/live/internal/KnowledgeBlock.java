package dev.habla.knowledge.live.internal;

import dev.habla.knowledge.Hit;
import java.util.List;

/**
 * The text that carries retrieved passages to the model, in front of the user's words: a {@code [knowledge]} block,
 * one {@code [n] source: …} line per passage with its text below, best first. Plain text a model reads as context;
 * the bundled emulator answers from it (habla-emulator README, <em>Knowledge</em>): keep the two in step.
 */
public final class KnowledgeBlock {
    private KnowledgeBlock() {}

    /** Passages for an in-domain question (or, with {@code warning}, one the documents may not cover). */
    public static String passages(List<Hit> hits, String warning) {
        StringBuilder b = new StringBuilder("[knowledge]\n");
        b.append("Passages from the user's documents for the question below, best first. Answer from them and name the source you used.\n");
        if (warning != null) {
            b.append("Warning: ").append(warning).append('\n');
        }
        int n = 1;
        for (Hit h : hits) {
            b.append('[').append(n++).append("] source: ").append(label(h)).append('\n');
            b.append(h.passage().text().strip()).append('\n');
        }
        return b.append("[/knowledge]\n").toString();
    }

    /** The model is to say the decline sentence and nothing else. */
    public static String decline(String domain, String sentence) {
        return "[knowledge]\nThe question below is outside " + domain + ": do not answer it. Reply exactly with this sentence:\n"
                + "[decline] " + sentence + "\n[/knowledge]\n";
    }

    /** {@code file (Heading > Sub, p. 3)}. */
    public static String label(Hit h) {
        String heading = h.passage().heading();
        int page = h.passage().page();
        if (heading.isEmpty() && page == 0) {
            return h.passage().source();
        }
        return h.passage().source() + " (" + heading + (page > 0 ? (heading.isEmpty() ? "" : ", ") + "p. " + page : "") + ")";
    }
}
