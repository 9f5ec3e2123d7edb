package dev.habla.knowledge.lucene;

import dev.habla.knowledge.DomainPolicy;
import dev.habla.knowledge.Hit;
import dev.habla.knowledge.KnowledgeStore;
import dev.habla.knowledge.Passage;
import dev.habla.knowledge.SearchMode;
import dev.habla.knowledge.SearchResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Retrieval quality at page level on the Debian Reference: a "page" is a numbered section ({@code 4.5.} in English
 * and Spanish alike) in one language; hits are mapped to their page, first occurrence wins (shared/docs/rag.md §8).
 */
final class QualityEval {

    /** One question: its language, the pages that answer it (empty = out of domain), the text. */
    record Question(String language, Set<String> expected, String text) {
        boolean outOfDomain() {
            return expected.isEmpty();
        }
    }

    /** recall@1, recall@5, MRR@10 of one method on one question set. */
    record Scores(int n, double recall1, double recall5, double mrr10) {
    }

    /** The gate's figures: out-of-domain questions declined, in-domain ones wrongly declined. */
    record Gate(int outOfDomain, int declined, int inDomain, int wronglyDeclined, double threshold,
                double maxOutOfDomainCosine, double minInDomainCosine, List<String> misjudged) {
        double declinedRate() {
            return outOfDomain == 0 ? 1 : (double) declined / outOfDomain;
        }

        double wronglyDeclinedRate() {
            return inDomain == 0 ? 0 : (double) wronglyDeclined / inDomain;
        }
    }

    private static final Pattern SECTION = Pattern.compile("^(\\d+\\.\\d+)\\.");

    static List<Question> load(String resource) throws IOException {
        List<Question> out = new ArrayList<>();
        try (InputStream in = QualityEval.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing resource " + resource);
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                Set<String> expected = new LinkedHashSet<>();
                if (!f[1].equals("-")) {
                    for (String s : f[1].split(",")) expected.add(f[0] + ":" + s.strip());
                }
                out.add(new Question(f[0], expected, f[2]));
            }
        }
        return out;
    }

    /** The page of a passage: language + its "X.Y." section, or + its file name before the first section. */
    static String page(Passage p) {
        for (String h : p.headingPath()) {
            Matcher m = SECTION.matcher(h);
            if (m.find()) return p.language() + ":" + m.group(1);
        }
        String src = p.source();
        return p.language() + ":" + src.substring(src.lastIndexOf('/') + 1);
    }

    /** Distinct pages of the hits, best first. */
    static List<String> pages(List<Hit> hits) {
        Set<String> pages = new LinkedHashSet<>();
        for (Hit h : hits) pages.add(page(h.passage()));
        return new ArrayList<>(pages);
    }

    static Scores score(KnowledgeStore store, List<Question> questions, SearchMode mode) {
        double r1 = 0, r5 = 0, mrr = 0;
        int n = 0;
        for (Question q : questions) {
            if (q.outOfDomain()) continue;
            n++;
            List<String> pages = pages(store.search(q.text(), 40, mode).hits());
            int rank = 0;
            for (int i = 0; i < Math.min(10, pages.size()); i++) {
                if (q.expected().contains(pages.get(i))) {
                    rank = i + 1;
                    break;
                }
            }
            if (rank == 1) r1++;
            if (rank >= 1 && rank <= 5) r5++;
            if (rank >= 1) mrr += 1.0 / rank;
        }
        return n == 0 ? new Scores(0, 0, 0, 0) : new Scores(n, r1 / n, r5 / n, mrr / n);
    }

    static Gate gate(KnowledgeStore store, List<Question> questions, DomainPolicy policy) {
        int ood = 0, declined = 0, in = 0, wrong = 0;
        double maxOod = -1, minIn = 1;
        List<String> misjudged = new ArrayList<>();
        for (Question q : questions) {
            SearchResult r = store.search(q.text(), 5);
            var verdict = policy.judge(r);
            boolean inDomain = verdict.inDomain();
            if (inDomain == q.outOfDomain()) {
                misjudged.add(String.format(Locale.ROOT, "%s %.3f %s %s", verdict.signal(), verdict.relevance(),
                        q.outOfDomain() ? "answered" : "declined", q.text()));
            }
            boolean cosine = r.vectorsCoverQuery(); // the extremes are of the cosine signal only
            if (q.outOfDomain()) {
                ood++;
                if (!inDomain) declined++;
                if (cosine) maxOod = Math.max(maxOod, r.topCosine());
            } else {
                in++;
                if (!inDomain) wrong++;
                if (cosine) minIn = Math.min(minIn, r.topCosine());
            }
        }
        return new Gate(ood, declined, in, wrong, policy.threshold(), maxOod, minIn, misjudged);
    }

    static Map<SearchMode, Scores> scoreAll(KnowledgeStore store, List<Question> questions) {
        Map<SearchMode, Scores> out = new EnumMap<>(SearchMode.class);
        for (SearchMode m : SearchMode.values()) out.put(m, score(store, questions, m));
        return out;
    }

    static String table(Map<String, Map<SearchMode, Scores>> byLanguage, Gate gate) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-10s %-7s %4s %9s %9s %7s%n", "questions", "method", "n", "recall@1",
                "recall@5", "MRR@10"));
        new TreeMap<>(byLanguage).forEach((lang, scores) -> scores.forEach((mode, s) -> b.append(String.format(
                Locale.ROOT, "%-10s %-7s %4d %9.3f %9.3f %7.3f%n", lang, mode, s.n(), s.recall1(), s.recall5(),
                s.mrr10()))));
        b.append(String.format(Locale.ROOT,
                "domain gate (top-1 cosine >= %.2f; term coverage for Spanish): out-of-domain declined %d/%d (%.1f %%), in-domain wrongly "
                        + "declined %d/%d (%.1f %%); English: highest out-of-domain cosine %.3f, lowest in-domain %.3f%n",
                gate.threshold(), gate.declined(), gate.outOfDomain(), 100 * gate.declinedRate(),
                gate.wronglyDeclined(), gate.inDomain(), 100 * gate.wronglyDeclinedRate(),
                gate.maxOutOfDomainCosine(), gate.minInDomainCosine()));
        for (String m : gate.misjudged()) b.append("  misjudged: ").append(m).append('\n');
        return b.toString();
    }
}
