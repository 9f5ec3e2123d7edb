package dev.habla.knowledge.solr;

import dev.habla.knowledge.DomainPolicy;
import dev.habla.knowledge.Hit;
import dev.habla.knowledge.KnowledgeStore;
import dev.habla.knowledge.Passage;
import dev.habla.knowledge.SearchMode;
import dev.habla.knowledge.SearchResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded store's retrieval-quality scoring (habla-knowledge-lucene's {@code QualityEval}), restated here because
 * the two modules cannot share a test class path (Lucene 10 there, Solr's Lucene 9 here): the same question file
 * (read from that module), page = language + "X.Y." section, first occurrence wins, recall@1/@5 and MRR@10 over the
 * top 40 hits, the gate judged on {@code search(q, 5)}.
 */
final class Quality {
    /** The embedded store's question file: language, expected sections ("-" = out of domain), question. */
    static final Path QUESTIONS = Path.of("../habla-knowledge-lucene/src/test/resources/quality/debian-reference-questions.tsv");
    static final Path CORPUS = Path.of("/usr/share/debian-reference");
    private static final Pattern SECTION = Pattern.compile("^(\\d+\\.\\d+)\\.");

    private Quality() {}

    record Question(String language, Set<String> expected, String text) {
        boolean outOfDomain() {
            return expected.isEmpty();
        }
    }

    /** recall@1, recall@5, MRR@10 and the number of questions. */
    record Scores(int n, double recall1, double recall5, double mrr10) {
        double get(int i) {
            return i == 0 ? recall1 : i == 1 ? recall5 : mrr10;
        }
    }

    record Gate(int outOfDomain, int declined, int inDomain, int wronglyDeclined, List<String> misjudged) {
        double declinedRate() {
            return outOfDomain == 0 ? 1 : (double) declined / outOfDomain;
        }

        double wronglyDeclinedRate() {
            return inDomain == 0 ? 0 : (double) wronglyDeclined / inDomain;
        }
    }

    /** The held-out Spanish questions (never tuned on; habla-knowledge-lucene README). */
    static final Path HELD_OUT = QUESTIONS.resolveSibling("debian-reference-questions-es-heldout.tsv");

    static List<Question> questions(Predicate<Question> keep) throws IOException {
        return questions(QUESTIONS, keep);
    }

    static List<Question> questions(Path file, Predicate<Question> keep) throws IOException {
        List<Question> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            Set<String> expected = new LinkedHashSet<>();
            if (!f[1].equals("-")) {
                for (String s : f[1].split(",")) {
                    expected.add(f[0] + ":" + s.strip());
                }
            }
            Question q = new Question(f[0], expected, f[2]);
            if (keep.test(q)) {
                out.add(q);
            }
        }
        return out;
    }

    static String page(Passage p) {
        for (String h : p.headingPath()) {
            Matcher m = SECTION.matcher(h);
            if (m.find()) {
                return p.language() + ":" + m.group(1);
            }
        }
        String src = p.source();
        return p.language() + ":" + src.substring(src.lastIndexOf('/') + 1);
    }

    static Scores score(KnowledgeStore store, List<Question> questions, SearchMode mode) {
        double r1 = 0, r5 = 0, mrr = 0;
        int n = 0;
        for (Question q : questions) {
            if (q.outOfDomain()) {
                continue;
            }
            n++;
            Set<String> pages = new LinkedHashSet<>();
            for (Hit h : store.search(q.text(), 40, mode).hits()) {
                pages.add(page(h.passage()));
            }
            List<String> ranked = new ArrayList<>(pages);
            int rank = 0;
            for (int i = 0; i < Math.min(10, ranked.size()); i++) {
                if (q.expected().contains(ranked.get(i))) {
                    rank = i + 1;
                    break;
                }
            }
            r1 += rank == 1 ? 1 : 0;
            r5 += rank >= 1 && rank <= 5 ? 1 : 0;
            mrr += rank >= 1 ? 1.0 / rank : 0;
        }
        return n == 0 ? new Scores(0, 0, 0, 0) : new Scores(n, r1 / n, r5 / n, mrr / n);
    }

    static Map<SearchMode, Scores> scoreAll(KnowledgeStore store, List<Question> questions) {
        Map<SearchMode, Scores> out = new EnumMap<>(SearchMode.class);
        for (SearchMode m : SearchMode.values()) {
            out.put(m, score(store, questions, m));
        }
        return out;
    }

    static Gate gate(KnowledgeStore store, List<Question> questions, DomainPolicy policy) {
        int ood = 0, declined = 0, in = 0, wrong = 0;
        List<String> misjudged = new ArrayList<>();
        for (Question q : questions) {
            SearchResult r = store.search(q.text(), 5);
            var verdict = policy.judge(r);
            boolean inDomain = verdict.inDomain();
            if (inDomain == q.outOfDomain()) {
                misjudged.add(String.format(Locale.ROOT, "%s %.3f %s %s", verdict.signal(), verdict.relevance(),
                        q.outOfDomain() ? "answered" : "declined", q.text()));
            }
            if (q.outOfDomain()) {
                ood++;
                declined += inDomain ? 0 : 1;
            } else {
                in++;
                wrong += inDomain ? 0 : 1;
            }
        }
        return new Gate(ood, declined, in, wrong, misjudged);
    }

    static String table(Map<String, Map<SearchMode, Scores>> byLanguage, Gate gate) {
        StringBuilder b = new StringBuilder();
        byLanguage.forEach((lang, m) -> m.forEach((mode, s) -> b.append(String.format(Locale.ROOT,
                "Solr %s %-6s n=%2d recall@1 %.3f recall@5 %.3f MRR@10 %.3f%n", lang, mode, s.n(), s.recall1(), s.recall5(), s.mrr10()))));
        b.append(String.format(Locale.ROOT, "Solr domain gate: out-of-domain declined %d/%d, in-domain wrongly declined %d/%d%n",
                gate.declined(), gate.outOfDomain(), gate.wronglyDeclined(), gate.inDomain()));
        gate.misjudged().forEach(m -> b.append("  misjudged: ").append(m).append('\n'));
        return b.toString();
    }
}
