package dev.habla.knowledge.lucene.internal;

import dev.habla.knowledge.Hit;
import dev.habla.knowledge.Passage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.StoredFields;

/**
 * Ranking and fusion work on placeholder passages that carry only the Lucene doc id (as their id, which is what
 * {@code Fusion} matches on); stored fields — a block decompression each — are read only for the passages a search
 * returns or looks into. One per search, used on one thread (a {@link StoredFields} is not thread-safe), against one
 * searcher.
 */
public final class Resolver {
    private static final String PREFIX = "\u0000doc:";
    private final StoredFields stored;
    private final Map<Integer, Passage> loaded = new HashMap<>();

    public Resolver(StoredFields stored) {
        this.stored = stored;
    }

    /** A stand-in for the passage of Lucene document {@code doc}. */
    public static Passage placeholder(int doc) {
        return new Passage(PREFIX + doc, "", List.of(), 0, "", "");
    }

    /** {@code hits} with their placeholders replaced by the stored passages, scores kept. */
    public List<Hit> resolve(List<Hit> hits) throws IOException {
        List<Hit> out = new ArrayList<>(hits.size());
        for (Hit h : hits) {
            int doc = Integer.parseInt(h.passage().id().substring(PREFIX.length()));
            Passage p = loaded.get(doc);
            if (p == null) {
                p = PassageDocs.passage(stored.document(doc));
                loaded.put(doc, p);
            }
            out.add(new Hit(p, h.score(), h.bm25(), h.cosine()));
        }
        return out;
    }
}
