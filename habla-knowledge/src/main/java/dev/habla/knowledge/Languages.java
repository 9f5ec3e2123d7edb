package dev.habla.knowledge;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Language detection for documents and questions, by their most common function and question words: English
 * ({@code "en"}) or Spanish ({@code "es"}), the languages with their own BM25 analysis today. Every store uses it,
 * so they analyse and filter alike.
 */
public final class Languages {
    private static final Set<String> EN = Set.of("the", "and", "of", "to", "is", "in", "that", "it", "for", "with",
            "you", "are", "this", "be", "on", "as", "can", "by", "or", "not", "which", "from", "have", "if", "how",
            "what", "where", "why", "when", "who", "do", "does", "i", "my", "should", "there", "get", "make");
    private static final Set<String> ES = Set.of("el", "la", "de", "que", "y", "en", "los", "las", "del", "se", "por",
            "un", "una", "para", "con", "es", "al", "lo", "como", "más", "su", "sus", "pero", "o", "este", "esta",
            "cómo", "qué", "cuál", "cuáles", "dónde", "cuándo", "quién", "mi", "mis", "puedo", "hago", "hay", "sin",
            "cuánto", "cuántos", "cuántas");

    private Languages() {
    }

    /** A document's language: {@code "es"} when Spanish words outnumber English ones, else {@code "en"}. */
    public static String detect(CharSequence text) {
        int[] c = counts(text.subSequence(0, Math.min(text.length(), 20_000)).toString());
        return c[1] > c[0] ? "es" : "en";
    }

    /**
     * A question's language when the evidence is clear (a margin of two words, or an inverted question or
     * exclamation mark for Spanish); empty when it is not (short or mixed queries), so callers do not filter.
     */
    public static Optional<String> ofQuery(String query) {
        int[] c = counts(query);
        if (query.indexOf('¿') >= 0 || query.indexOf('¡') >= 0) c[1] += 2;
        if (c[1] >= c[0] + 2) return Optional.of("es");
        if (c[0] >= c[1] + 2) return Optional.of("en");
        return Optional.empty();
    }

    private static int[] counts(String text) {
        int en = 0;
        int es = 0;
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+")) {
            if (EN.contains(w)) en++;
            if (ES.contains(w)) es++;
        }
        return new int[] {en, es};
    }
}
