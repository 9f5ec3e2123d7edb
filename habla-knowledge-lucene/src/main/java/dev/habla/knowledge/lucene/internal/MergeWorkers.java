package dev.habla.knowledge.lucene.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;

/**
 * Lucene's default codec, but the HNSW graph of a merged segment is built by one worker per core instead of one:
 * the merge of a whole index into one segment at commit ({@link Compaction}) is mostly HNSW graph building. The
 * index format is unchanged (same vectors format, same graph parameters: 16 neighbours, beam 100), so indexes written
 * with and without it read alike. Owns the worker threads (started on the first merge, daemon); {@link #close()}
 * stops them: call it after the IndexWriter is closed or rolled back.
 */
public final class MergeWorkers implements AutoCloseable {
    private final ExecutorService pool;
    private final Codec codec;

    public MergeWorkers() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** With {@code workers} graph-building threads per merge (at least 1). */
    public MergeWorkers(int count) {
        int workers = Math.max(1, count);
        AtomicInteger n = new AtomicInteger();
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r, "habla-knowledge-hnsw-merge-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = Executors.newFixedThreadPool(workers, daemons);
        KnnVectorsFormat hnsw = new Lucene99HnswVectorsFormat(Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN,
                Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH, workers, workers > 1 ? pool : null);
        this.codec = new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return hnsw;
            }
        };
    }

    /** The codec to write the index with. */
    public Codec codec() {
        return codec;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
