package dev.habla.knowledge.lucene.internal;

import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.KnowledgeException;
import dev.habla.knowledge.Passage;
import dev.habla.knowledge.SourceDocument;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * The index's documents: one source marker per file (its path and content hash, for incremental indexing) and one
 * document per passage (stored fields, the BM25 text in its language's field, the main model's vector and, for
 * Spanish passages in a store with the second model, that model's vector). Field names live here only. Stateless.
 */
public final class PassageDocs {
    public static final String F_TYPE = "type";
    public static final String T_PASSAGE = "passage";
    public static final String T_SOURCE = "source";
    public static final String F_ID = "id";
    public static final String F_SOURCE = "source";
    public static final String F_HASH = "hash";
    public static final String F_LANG = "lang";
    public static final String F_VECTOR = "vector";
    /** Spanish passages' vectors from the second model for Spanish, when the store has one. */
    public static final String F_VECTOR_ES = "vector_es";
    private static final String F_HEADING = "heading";
    private static final String F_PAGE = "page";
    private static final String F_TEXT = "text";
    private static final char HEADING_SEP = '\u001f';
    /** Passages embedded per model call. */
    private static final int EMBED_BATCH = 64;

    private PassageDocs() {
    }

    /**
     * The documents of {@code doc}: its marker first, then its passages, embedded by {@code embedder} and (Spanish
     * passages, when not null) by {@code spanish}. Runs the models on the calling thread.
     */
    public static List<Document> of(SourceDocument doc, Embedder embedder, Embedder spanish) {
        List<Passage> passages = doc.passages();
        List<float[]> vectors = new ArrayList<>(passages.size());
        List<float[]> spanishVectors = new ArrayList<>(passages.size()); // null where the passage is not Spanish
        for (int i = 0; i < passages.size(); i += EMBED_BATCH) {
            List<Passage> batch = passages.subList(i, Math.min(passages.size(), i + EMBED_BATCH));
            List<String> texts = new ArrayList<>();
            List<String> spanishTexts = new ArrayList<>();
            for (Passage p : batch) {
                texts.add(p.indexText());
                if (spanish != null && "es".equals(p.language())) spanishTexts.add(p.indexText());
            }
            vectors.addAll(embedder.embedPassages(texts));
            Iterator<float[]> es = (spanishTexts.isEmpty() ? List.<float[]>of()
                    : spanish.embedPassages(spanishTexts)).iterator();
            for (Passage p : batch) {
                spanishVectors.add(spanish != null && "es".equals(p.language()) ? es.next() : null);
            }
        }
        List<Document> docs = new ArrayList<>(passages.size() + 1);
        Document marker = new Document();
        marker.add(new StringField(F_TYPE, T_SOURCE, Field.Store.NO));
        marker.add(new StringField(F_SOURCE, doc.source(), Field.Store.YES));
        marker.add(new StoredField(F_HASH, doc.contentHash()));
        docs.add(marker);
        for (int i = 0; i < passages.size(); i++) {
            docs.add(passageDoc(passages.get(i), vectors.get(i), spanishVectors.get(i), embedder, spanish));
        }
        return docs;
    }

    private static Document passageDoc(Passage p, float[] vector, float[] spanishVector, Embedder embedder,
            Embedder spanish) {
        if (vector.length != embedder.dimension()) {
            throw new KnowledgeException(KnowledgeException.Kind.MODEL_MISMATCH, "embedder " + embedder.name()
                    + " returned " + vector.length + " dimensions, expected " + embedder.dimension());
        }
        if (spanishVector != null && spanishVector.length != spanish.dimension()) {
            throw new KnowledgeException(KnowledgeException.Kind.MODEL_MISMATCH, "embedder " + spanish.name()
                    + " returned " + spanishVector.length + " dimensions, expected " + spanish.dimension());
        }
        Document d = new Document();
        d.add(new StringField(F_TYPE, T_PASSAGE, Field.Store.NO));
        d.add(new StringField(F_ID, p.id(), Field.Store.YES));
        d.add(new StringField(F_SOURCE, p.source(), Field.Store.YES));
        d.add(new StoredField(F_HEADING, String.join(String.valueOf(HEADING_SEP), p.headingPath())));
        d.add(new StoredField(F_PAGE, p.page()));
        d.add(new StoredField(F_TEXT, p.text()));
        d.add(new StringField(F_LANG, p.language(), Field.Store.YES));
        d.add(new TextField(Analysis.fieldFor(p.language()), p.indexText(), Field.Store.NO));
        d.add(new KnnFloatVectorField(F_VECTOR, vector, VectorSimilarityFunction.DOT_PRODUCT));
        if (spanishVector != null) {
            d.add(new KnnFloatVectorField(F_VECTOR_ES, spanishVector, VectorSimilarityFunction.DOT_PRODUCT));
        }
        return d;
    }

    /** The passage a passage document stores. */
    static Passage passage(Document d) {
        String heading = d.get(F_HEADING);
        List<String> path = heading == null || heading.isEmpty() ? List.of()
                : Arrays.asList(heading.split(String.valueOf(HEADING_SEP)));
        return new Passage(d.get(F_ID), d.get(F_SOURCE), path, d.getField(F_PAGE).numericValue().intValue(),
                d.get(F_TEXT), d.get(F_LANG));
    }
}
