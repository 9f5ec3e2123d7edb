package dev.habla.knowledge.solr.internal;

import dev.habla.knowledge.Hit;
import dev.habla.knowledge.Passage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.SolrInputDocument;

/** The Solr documents and queries of {@code SolrKnowledgeStore}, and the rank fusion. Stateless. */
public final class SolrQueries {
    /** The document recording the embedding model of the collection. */
    public static final String INDEX_ID = "__habla_index__";
    /** Candidates each ranking contributes to the fusion (as the embedded store). */
    public static final int CANDIDATES = 50;
    /** BM25 passages the term coverage looks at (as the embedded store). */
    public static final int COVERAGE_DEPTH = 5;
    private static final String FIELDS = "id,source,heading,page,text,language,score";
    /** Characters with a meaning in Solr's query syntax; white space is left alone so words stay separate terms. */
    private static final Pattern SYNTAX = Pattern.compile("([\\\\+\\-!():^\\[\\]\"{}~*?|&/;])");
    /** Upper-case operators edismax would obey; a question's "AND" is a word. */
    private static final Pattern OPERATORS = Pattern.compile("\\b(AND|OR|NOT)\\b");

    private SolrQueries() {}

    public static String sourceId(String source) {
        return "__habla_source__:" + source;
    }

    /** Every passage of {@code source} (passage ids are {@code source#n}, but the field query is exact). */
    public static String passagesOf(String source) {
        return "kind:passage AND source:\"" + source.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** What the vector of a passage is computed from: {@link Passage#indexText()}, as the embedded store does. */
    public static String embeddingText(Passage p) {
        return p.indexText();
    }

    public static SolrInputDocument passageDocument(Passage p, float[] vector) {
        return passageDocument(p, vector, null);
    }

    /** A passage with, when not null, its vector from the second model for Spanish (field {@code vector_es}). */
    public static SolrInputDocument passageDocument(Passage p, float[] vector, float[] spanishVector) {
        SolrInputDocument d = new SolrInputDocument();
        d.addField("id", p.id());
        d.addField("kind", "passage");
        d.addField("source", p.source());
        for (String h : p.headingPath()) {
            d.addField("heading", h);
        }
        d.addField("page", p.page());
        d.addField("language", p.language());
        d.addField("text", p.text());
        d.addField("es".equals(p.language()) ? "text_es" : "text_en", p.indexText());
        List<Float> v = new ArrayList<>(vector.length);
        for (float f : vector) {
            v.add(f);
        }
        d.addField("vector", v);
        if (spanishVector != null) {
            List<Float> es = new ArrayList<>(spanishVector.length);
            for (float f : spanishVector) {
                es.add(f);
            }
            d.addField("vector_es", es);
        }
        return d;
    }

    /**
     * BM25 like the embedded store: the whole question analysed once per language field ({@code sow=false}), its words
     * OR-ed, the two field queries summed (a passage has only one of the fields); {@code language} (or null) filters
     * the passages.
     */
    public static SolrQuery bm25(String question, int rows, String language) {
        String escaped = OPERATORS.matcher(SYNTAX.matcher(question).replaceAll("\\\\$1")).replaceAll(m -> m.group(1).toLowerCase());
        SolrQuery q = new SolrQuery("{!bool should=$en should=$es}");
        q.set("en", "{!lucene df=text_en q.op=OR sow=false v=$qq}");
        q.set("es", "{!lucene df=text_es q.op=OR sow=false v=$qq}");
        q.set("qq", escaped);
        filter(q, language);
        return q.setFields(FIELDS).setRows(rows);
    }

    private static void filter(SolrQuery q, String language) {
        if (language != null) {
            q.addFilterQuery("language:" + language);
        }
    }

    /** The {@code rows} nearest passages by cosine; {@code topK} applies per shard, so rows cuts the merged list. */
    public static SolrQuery knn(float[] vector, int rows, String language) {
        return knn("vector", vector, rows, language);
    }

    /** As {@link #knn(float[], int, String)} on the vector field {@code field}. */
    public static SolrQuery knn(String field, float[] vector, int rows, String language) {
        StringBuilder b = new StringBuilder(vector.length * 12).append("{!knn f=").append(field).append(" topK=")
                .append(rows).append("}[");
        for (int i = 0; i < vector.length; i++) {
            b.append(i == 0 ? "" : ",").append(vector[i]);
        }
        SolrQuery q = new SolrQuery(b.append(']').toString()).setFields(FIELDS).setRows(rows);
        filter(q, language);   // the knn parser applies fq as a pre-filter (Solr Reference Guide, Dense Vector Search)
        return q;
    }

    /** The hits of a result, best first: vector scores ((1 + cos) / 2 for Solr's cosine) turned back into cosines. */
    public static List<Hit> read(SolrDocumentList docs, boolean vector, int rows) {
        List<Hit> out = new ArrayList<>(docs.size());
        for (SolrDocument d : docs) {
            double score = ((Number) d.getFirstValue("score")).doubleValue();
            Passage p = passage(d);
            out.add(vector ? new Hit(p, 2 * score - 1, Double.NaN, 2 * score - 1) : new Hit(p, score, score, Double.NaN));
            if (out.size() == rows) {
                break;
            }
        }
        return out;
    }

    private static Passage passage(SolrDocument d) {
        Collection<Object> headings = d.getFieldValues("heading");
        List<String> path = headings == null ? List.of() : headings.stream().map(String::valueOf).toList();
        Object page = d.getFirstValue("page");
        return new Passage((String) d.getFirstValue("id"), (String) d.getFirstValue("source"), path,
                page == null ? 0 : ((Number) page).intValue(), (String) d.getFirstValue("text"),
                String.valueOf(d.getFirstValue("language")));
    }

}
