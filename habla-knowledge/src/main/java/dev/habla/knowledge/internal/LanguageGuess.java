package dev.habla.knowledge.internal;

import java.util.Locale;
import java.util.Set;

/**
 * Guesses a document's language from its most common function words: {@code "es"} when Spanish ones outnumber
 * English ones, else {@code "en"}. Enough to pick the BM25 analyser per document; only these two are analysed
 * specially today.
 */
public final class LanguageGuess {
    private static final Set<String> EN = Set.of("the", "and", "of", "to", "is", "in", "that", "it", "for", "with",
            "you", "are", "this", "be", "on", "as", "can", "by", "or", "not", "which", "from", "have", "if");
    private static final Set<String> ES = Set.of("el", "la", "de", "que", "y", "en", "los", "las", "del", "se", "por",
            "un", "una", "para", "con", "es", "al", "lo", "como", "más", "su", "sus", "pero", "o", "este", "esta");

    private LanguageGuess() {
    }

    /** {@code "en"} or {@code "es"}; looks at the first 20,000 characters at most. */
    public static String of(CharSequence text) {
        int en = 0;
        int es = 0;
        String sample = text.subSequence(0, Math.min(text.length(), 20_000)).toString().toLowerCase(Locale.ROOT);
        for (String w : sample.split("[^\\p{L}]+")) {
            if (EN.contains(w)) en++;
            if (ES.contains(w)) es++;
        }
        return es > en ? "es" : "en";
    }
}
