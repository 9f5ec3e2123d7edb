package dev.habla.knowledge.lucene.internal;

import java.util.List;
import org.apache.lucene.index.LeafReaderContext;

/**
 * When a commit is followed by a merge of the whole index into one segment. Every segment costs each query its own
 * HNSW and BM25 search (at 100k passages, whole {@code search()} 6.9 / 14.1 ms p50 / p95 on 2 segments against
 * 4.3 / 8.3 ms on one, module README), so an index a user has just built should be one segment; but merging a big
 * index rewrites all of it (about 15 s at 100k passages on 2 cores), which a one-file update must not pay each time.
 *
 * <p>Rule: merge when what the runs since the last merge wrote — the documents in the segments other than the
 * largest (added or replacing ones), or the deletions in the largest (replaced or removed files), whichever is more
 * — reaches {@link #STALE_SHARE} of the index. A first build is all "outside" (several flushed segments) and merges once at its end; small
 * updates pile up as small segments (Lucene's merge policy keeps their number bounded) until they reach the share,
 * then one merge. Amortised, the merge costs each updated passage about 1 / {@link #STALE_SHARE} passages of merge
 * work (~1.6 ms at ~6,000 passages/s), against ~10 ms of embedding for the passage itself.
 */
public final class Compaction {
    /** Share of the index written since the last merge that triggers the next one. */
    public static final double STALE_SHARE = 0.10;

    private Compaction() {
    }

    /** Whether an index made of these segments (a reader's leaves) should be merged into one now. */
    public static boolean worthMerging(List<LeafReaderContext> leaves) {
        long maxDocs = 0;
        long largestLive = 0;
        int largestMax = -1;
        for (LeafReaderContext leaf : leaves) {
            int max = leaf.reader().maxDoc();
            maxDocs += max;
            if (max > largestMax) {
                largestMax = max;
                largestLive = leaf.reader().numDocs();
            }
        }
        if (maxDocs == 0) return false;
        long written = Math.max(maxDocs - largestMax, largestMax - largestLive);
        // One segment without deletions is already merged (written = 0).
        return written >= STALE_SHARE * maxDocs;
    }
}
