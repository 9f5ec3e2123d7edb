package dev.habla.knowledge.lucene.internal;

import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * How passage vectors are stored and searched: HNSW over int8 scalar-quantized vectors (Lucene's
 * {@link Lucene104HnswScalarQuantizedVectorsFormat}, one byte per dimension beside the float vectors), so the graph
 * walk compares bytes instead of floats; the hits it returns are then re-scored with the exact float vectors
 * ({@link #exact}), so the cosines a caller sees (the domain policy's top-1 cosine) and the order are exact.
 * Reading needs nothing from here: each segment names its format, which Lucene finds by name.
 */
public final class VectorFormat {
    /** HNSW graph: Lucene's defaults (16 neighbours per node, beam 100 while building). */
    private static final int MAX_CONN = 16;
    private static final int BEAM_WIDTH = 100;

    private VectorFormat() {
    }

    /** The codec an index is written with: Lucene's default but for the passage vectors' format. */
    public static Codec codec() {
        KnnVectorsFormat quantized = new Lucene104HnswScalarQuantizedVectorsFormat(ScalarEncoding.UNSIGNED_BYTE,
                MAX_CONN, BEAM_WIDTH);
        return new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return quantized;
            }
        };
    }

    /**
     * The hits of a vector search with their exact dot product against {@code query} (unit vectors: the cosine) as
     * score, best first. On the searching thread, against the searcher the hits come from.
     */
    public static ScoreDoc[] exact(IndexSearcher s, String field, float[] query, ScoreDoc[] hits) throws IOException {
        ScoreDoc[] byDoc = hits.clone();
        Arrays.sort(byDoc, Comparator.comparingInt(h -> h.doc)); // vector iterators only move forward
        List<LeafReaderContext> leaves = s.getIndexReader().leaves();
        ScoreDoc[] out = new ScoreDoc[byDoc.length];
        int leafIndex = -1;
        FloatVectorValues values = null;
        KnnVectorValues.DocIndexIterator it = null;
        for (int i = 0; i < byDoc.length; i++) {
            int doc = byDoc[i].doc;
            int li = ReaderUtil.subIndex(doc, leaves);
            if (li != leafIndex) {
                leafIndex = li;
                values = leaves.get(li).reader().getFloatVectorValues(field);
                it = values.iterator();
            }
            int local = doc - leaves.get(li).docBase;
            if (it.docID() != local) it.advance(local);
            out[i] = new ScoreDoc(doc, VectorUtil.dotProduct(query, values.vectorValue(it.index())));
        }
        Arrays.sort(out, (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
        return out;
    }
}
