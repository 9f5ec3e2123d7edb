package dev.habla.knowledge.lucene.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.tartarus.snowball.ext.SpanishStemmer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.es.SpanishAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.QueryBuilder;

/**
 * Per-language BM25 analysis. A passage's text goes to the field of its document's language ({@code text_en}:
 * English stop words, possessives, Porter stemming; {@code text_es}: Spanish stop words and Snowball stemming,
 * which also folds verb forms — "apago", "apagar" — where Lucene's default light Spanish stemmer only folds
 * plurals and gender); a query
 * is analysed once per language field and the clauses OR'ed, so it matches documents of either language without
 * knowing its own. BooleanQuery via {@link QueryBuilder}: no query syntax, so natural questions need no escaping.
 */
public final class Analysis {
    public static final String TEXT_EN = "text_en";
    public static final String TEXT_ES = "text_es";

    private static final Map<String, String> FIELD_BY_LANGUAGE = Map.of("en", TEXT_EN, "es", TEXT_ES);

    private final Analyzer english = new EnglishAnalyzer();
    private final Analyzer spanish = new SpanishSnowball(SpanishAnalyzer.getDefaultStopSet());
    /**
     * Spanish questions' analysis also drops the words of asking ("cómo", "puedo": the stop set has them only
     * without accents); index analysis keeps them. English keeps its standard set: dropping "how do I" there made
     * fused rankings worse on the evaluation questions (module README).
     */
    private final Analyzer englishQuery = english;
    private final Analyzer spanishQuery = new SpanishSnowball(withQuestionWords(SpanishAnalyzer.getDefaultStopSet(),
            "cómo", "qué", "cuál", "cuáles", "dónde", "cuándo", "quién", "puedo", "hago", "hacer", "hay", "mi",
            "mis", "quiero", "forma", "manera"));
    private final Analyzer perField = new PerFieldAnalyzerWrapper(new StandardAnalyzer(),
            Map.of(TEXT_EN, english, TEXT_ES, spanish));

    /** The analyser an IndexWriter uses (chooses by field name). */
    public Analyzer indexAnalyzer() {
        return perField;
    }

    /** The text field for a document language; languages without their own analysis use English's. */
    public static String fieldFor(String language) {
        return FIELD_BY_LANGUAGE.getOrDefault(language, TEXT_EN);
    }

    /** The BM25 query for a natural-language question, or {@code null} when it has no searchable word. */
    public Query query(String question) {
        List<Query> clauses = new ArrayList<>(2);
        Query en = new QueryBuilder(englishQuery).createBooleanQuery(TEXT_EN, question);
        Query es = new QueryBuilder(spanishQuery).createBooleanQuery(TEXT_ES, question);
        if (en != null) clauses.add(en);
        if (es != null) clauses.add(es);
        if (clauses.isEmpty()) return null;
        if (clauses.size() == 1) return clauses.get(0);
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Query q : clauses) b.add(q, BooleanClause.Occur.SHOULD);
        return b.build();
    }

    /**
     * The largest share of the question's analysed words found in one of {@code passages} (index texts), analysed in
     * {@code language} (both languages, the better share, when unknown); NaN when the question has no word left.
     */
    public double coverage(String question, String language, List<String> passages) {
        double best = Double.NaN;
        for (String lang : language == null ? List.of("en", "es") : List.of(language)) {
            Analyzer q = lang.equals("es") ? spanishQuery : englishQuery;
            Analyzer p = lang.equals("es") ? spanish : english;
            Set<String> terms = terms(q, question);
            if (terms.isEmpty()) continue;
            double share = 0;
            for (String passage : passages) {
                Set<String> found = terms(p, passage);
                int n = 0;
                for (String t : terms) if (found.contains(t)) n++;
                share = Math.max(share, (double) n / terms.size());
            }
            best = Double.isNaN(best) ? share : Math.max(best, share);
        }
        return best;
    }

    private static Set<String> terms(Analyzer a, String text) {
        Set<String> out = new HashSet<>();
        try (TokenStream ts = a.tokenStream("f", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) out.add(term.toString());
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException("analysing a string cannot fail", e);
        }
        return out;
    }

    /** Standard tokens, lower case, Spanish stop words, Snowball's Spanish stemmer (which also drops accents). */
    private static final class SpanishSnowball extends Analyzer {
        private final CharArraySet stop;

        SpanishSnowball(CharArraySet stop) {
            this.stop = stop;
        }

        @Override
        protected TokenStreamComponents createComponents(String field) {
            StandardTokenizer source = new StandardTokenizer();
            TokenStream ts = new LowerCaseFilter(source);
            ts = new StopFilter(ts, stop);
            ts = new SnowballFilter(ts, new SpanishStemmer());
            return new TokenStreamComponents(source, ts);
        }

        @Override
        protected TokenStream normalize(String field, TokenStream in) {
            return new LowerCaseFilter(in);
        }
    }

    private static CharArraySet withQuestionWords(CharArraySet base, String... words) {
        CharArraySet set = new CharArraySet(base, true);
        set.addAll(List.of(words));
        return CharArraySet.unmodifiableSet(set);
    }

    public void close() {
        spanishQuery.close();
        perField.close();
        english.close();
        spanish.close();
    }
}
