package dev.habla.knowledge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weighted reciprocal rank fusion of a vector list and a BM25 list: each passage scores
 * {@code sum weight/(rankConstant + rank)} over the lists that ranked it (rank from 1). It needs no score
 * normalisation, so every store fuses the same way and ranks alike on the same lists.
 *
 * <p>{@link Weights#DEFAULT} (vectors 1.0, BM25 0.5, rank constant 5) was chosen on the English questions of the
 * Debian Reference evaluation (habla-knowledge-lucene README): there vectors alone beat BM25 alone by ~30 points of
 * recall@1, and the textbook RRF (equal weights, constant 60) fell below vectors alone; trusting the top of the
 * vector list more put the fusion above both. Another corpus may prefer other weights: measure.
 */
public final class Fusion {

    /**
     * The fusion's parameters.
     *
     * @param vector       weight of the vector list
     * @param bm25         weight of the BM25 list
     * @param rankConstant damps the weight of the very top ranks (60 in Cormack et al. 2009; small = top-heavy)
     */
    public record Weights(double vector, double bm25, int rankConstant) {
        public static final Weights DEFAULT = new Weights(1.0, 0.5, 5);
        /**
         * For Spanish questions on {@link Embedder#spanishModel()}'s vectors (BM25 1.0, vectors 0.5, rank constant 20):
         * there BM25 alone beats the vectors alone (recall@1 0.545 vs 0.364), so BM25 leads and the vectors lift
         * what BM25 ranks just below the top. Chosen on the 22 Spanish questions of the Debian Reference evaluation
         * from a grid of 12 (vector weight 0.25-1.0, constant 5/20/60), checked on 28 held-out ones (module README).
         */
        public static final Weights BM25_LED = new Weights(0.5, 1.0, 20);
        /** The textbook RRF: equal weights, constant 60. */
        public static final Weights CLASSIC = new Weights(1.0, 1.0, 60);
    }

    private Fusion() {
    }

    /** {@link #rrf(List, List, int, Weights)} with {@link Weights#DEFAULT}. */
    public static List<Hit> rrf(List<Hit> bm25, List<Hit> vector, int k) {
        return rrf(bm25, vector, k, Weights.DEFAULT);
    }

    /**
     * Fuses two ranked lists (best first; hits of the same passage are matched by {@link Passage#id()}) and keeps the
     * best {@code k}. A fused hit carries its BM25 score and cosine from the lists that ranked it ({@code NaN} else).
     * Equal fused scores keep the vector list's order.
     */
    public static List<Hit> rrf(List<Hit> bm25, List<Hit> vector, int k, Weights w) {
        Map<String, double[]> acc = new LinkedHashMap<>(); // id -> {fused, bm25, cosine}
        Map<String, Passage> passages = new LinkedHashMap<>();
        for (int i = 0; i < vector.size(); i++) {
            Hit h = vector.get(i);
            double[] a = acc.computeIfAbsent(h.passage().id(), id -> new double[] {0, Double.NaN, Double.NaN});
            a[0] += w.vector() / (w.rankConstant() + i + 1);
            a[2] = h.cosine();
            passages.putIfAbsent(h.passage().id(), h.passage());
        }
        for (int i = 0; i < bm25.size(); i++) {
            Hit h = bm25.get(i);
            double[] a = acc.computeIfAbsent(h.passage().id(), id -> new double[] {0, Double.NaN, Double.NaN});
            a[0] += w.bm25() / (w.rankConstant() + i + 1);
            a[1] = h.bm25();
            passages.putIfAbsent(h.passage().id(), h.passage());
        }
        List<Hit> fused = new ArrayList<>(acc.size());
        acc.forEach((id, a) -> fused.add(new Hit(passages.get(id), a[0], a[1], a[2])));
        fused.sort(Comparator.comparingDouble(Hit::score).reversed()); // stable: ties keep insertion order
        return fused.size() > k ? List.copyOf(fused.subList(0, k)) : fused;
    }
}
