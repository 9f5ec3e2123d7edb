package dev.habla.knowledge.lucene;

import static dev.habla.knowledge.lucene.internal.PassageDocs.F_HASH;
import static dev.habla.knowledge.lucene.internal.PassageDocs.F_LANG;
import static dev.habla.knowledge.lucene.internal.PassageDocs.F_SOURCE;
import static dev.habla.knowledge.lucene.internal.PassageDocs.F_TYPE;
import static dev.habla.knowledge.lucene.internal.PassageDocs.F_VECTOR;
import static dev.habla.knowledge.lucene.internal.PassageDocs.F_VECTOR_ES;
import static dev.habla.knowledge.lucene.internal.PassageDocs.T_PASSAGE;
import static dev.habla.knowledge.lucene.internal.PassageDocs.T_SOURCE;

import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.Fusion;
import dev.habla.knowledge.Hit;
import dev.habla.knowledge.IndexInfo;
import dev.habla.knowledge.KnowledgeException;
import dev.habla.knowledge.KnowledgeStore;
import dev.habla.knowledge.Languages;
import dev.habla.knowledge.SearchMode;
import dev.habla.knowledge.SearchResult;
import dev.habla.knowledge.SourceDocument;
import dev.habla.knowledge.lucene.internal.Analysis;
import dev.habla.knowledge.lucene.internal.Compaction;
import dev.habla.knowledge.lucene.internal.FilterCaching;
import dev.habla.knowledge.lucene.internal.IndexMeta;
import dev.habla.knowledge.lucene.internal.MergeWorkers;
import dev.habla.knowledge.lucene.internal.PassageDocs;
import dev.habla.knowledge.lucene.internal.Resolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link KnowledgeStore}: Apache Lucene 10 in a local directory (or in memory). BM25 over the passage
 * text analysed in its document's language ({@link Analysis}), HNSW over unit vectors (dot product = cosine),
 * hybrid = reciprocal rank fusion of both lists ({@link Fusion}). The embedding model's name and dimension are kept
 * in the index's commit data; opening with another model throws {@code MODEL_MISMATCH}.
 *
 * <p>Threads: searches run on the caller's thread against the searcher of the last commit ({@link SearcherManager}
 * hands out and releases them); writes are serialised by {@link #writeLock} so a document's delete-then-add is never
 * interleaved with another write of the same source. The IndexWriter holds the directory's lock file: one process
 * writes an index at a time (a second open gets {@code INDEX_IO} "in use").
 */
public final class LuceneKnowledgeStore implements KnowledgeStore {
    private static final Logger LOG = LoggerFactory.getLogger(LuceneKnowledgeStore.class);

    /** Candidates taken from each list before fusion (and for the top-1 cosine). */
    static final int FUSION_DEPTH = 50;
    /** BM25 passages the term coverage looks at. */
    private static final int COVERAGE_DEPTH = 5;
    /**
     * Lucene's indexing buffer. Every segment costs each query its own HNSW and BM25 search: with Lucene's 16 MB
     * default a 100k-passage index ends in ~15 segments, and one segment answers HNSW 4-5x and BM25 2-3x faster
     * (measured, module README). Indexing is bound by the embedding model, not by Lucene, so fewer, larger flushes
     * cost nothing that shows; the buffer is a ceiling on heap used while indexing, not an allocation.
     */
    private static final double RAM_BUFFER_MB = 128;


    private final Directory directory;
    private final Embedder embedder;
    /**
     * The second model for Spanish ({@link Embedder#spanishModel()}), or null: Spanish passages get a second vector
     * in {@code PassageDocs.F_VECTOR_ES}, and Spanish questions rank on it, fused with BM25 by {@link Fusion.Weights#BM25_LED}.
     */
    private final Embedder spanish;
    private final Analysis analysis = new Analysis();
    private final MergeWorkers mergeWorkers = new MergeWorkers();
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean closed;

    private LuceneKnowledgeStore(Directory directory, Embedder embedder, Embedder spanish) throws IOException {
        this.directory = directory;
        this.embedder = embedder;
        this.spanish = spanish;
        try {
            IndexMeta.checkCompatible(directory, embedder, spanish);
            IndexWriterConfig config = new IndexWriterConfig(analysis.indexAnalyzer())
                    .setRAMBufferSizeMB(RAM_BUFFER_MB).setCodec(mergeWorkers.codec());
            this.writer = new IndexWriter(directory, config);
        } catch (IOException | RuntimeException e) {
            mergeWorkers.close();
            analysis.close();
            throw e;
        }
        writer.setLiveCommitData(IndexMeta.of(embedder, spanish).entrySet());
        if (!IndexMeta.exists(directory)) writer.commit(); // a new index records its model at once
        this.searchers = new SearcherManager(writer, FilterCaching.searchers(F_LANG));
    }

    /**
     * Opens (or creates) the index in {@code dir} for {@code embedder}'s vectors.
     *
     * @throws KnowledgeException {@code MODEL_MISMATCH} when the index was built with another model or dimension;
     *                            {@code INDEX_IO} when the directory is not an index, is in use, or cannot be written
     */
    public static LuceneKnowledgeStore open(Path dir, Embedder embedder) {
        return open(dir, embedder, null);
    }

    /**
     * Opens (or creates) the index in {@code dir} with a second model for Spanish passages and questions
     * ({@link Embedder#spanishModel()}; null = none). The index records both models: opening it with another pair,
     * or with or without the second one when it was built the other way, is {@code MODEL_MISMATCH}.
     */
    public static LuceneKnowledgeStore open(Path dir, Embedder embedder, Embedder spanish) {
        try {
            Files.createDirectories(dir);
            Directory d = FSDirectory.open(dir);
            try {
                return new LuceneKnowledgeStore(d, embedder, spanish);
            } catch (IOException | RuntimeException e) {
                d.close();
                throw e;
            }
        } catch (LockObtainFailedException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO,
                    "index " + dir + " is in use by another process (its write.lock is held)", e);
        } catch (IOException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "cannot open index " + dir + ": " + e, e);
        }
    }

    /** An index in memory (tests, benchmarks, throw-away corpora). */
    public static LuceneKnowledgeStore inMemory(Embedder embedder) {
        return inMemory(embedder, null);
    }

    /** An index in memory with a second model for Spanish (null = none), as {@link #open(Path, Embedder, Embedder)}. */
    public static LuceneKnowledgeStore inMemory(Embedder embedder, Embedder spanish) {
        try {
            return new LuceneKnowledgeStore(new ByteBuffersDirectory(), embedder, spanish);
        } catch (IOException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "cannot create in-memory index: " + e, e);
        }
    }

    /** The embedding model recorded in the index at {@code dir}, without opening it for writing (empty if none). */
    public static java.util.Optional<String> recordedModel(Path dir) {
        if (!Files.isDirectory(dir)) return java.util.Optional.empty();
        try (Directory d = FSDirectory.open(dir)) {
            return IndexMeta.recordedModel(d);
        } catch (IOException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "cannot read index " + dir + ": " + e, e);
        }
    }

    /**
     * The second model for Spanish recorded in the index at {@code dir} ({@link Embedder#SPANISH_MODEL} for
     * {@link Embedder#spanishModel()}), without opening it for writing; empty if it has none or there is no index.
     */
    public static java.util.Optional<String> recordedSpanishModel(Path dir) {
        if (!Files.isDirectory(dir)) return java.util.Optional.empty();
        try (Directory d = FSDirectory.open(dir)) {
            return IndexMeta.recordedSpanishModel(d);
        } catch (IOException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "cannot read index " + dir + ": " + e, e);
        }
    }

    public Embedder embedder() {
        return embedder;
    }

    @Override
    public IndexInfo info() {
        return withSearcher(s -> new IndexInfo(embedder.name(), embedder.dimension(),
                s.count(new TermQuery(new Term(F_TYPE, T_SOURCE))),
                s.count(new TermQuery(new Term(F_TYPE, T_PASSAGE)))));
    }

    @Override
    public Map<String, String> sourceHashes() {
        return withSearcher(s -> {
            Map<String, String> out = new HashMap<>();
            TermQuery q = new TermQuery(new Term(F_TYPE, T_SOURCE));
            int n = Math.max(1, s.count(q));
            StoredFields stored = s.storedFields();
            for (ScoreDoc sd : s.search(q, n).scoreDocs) {
                Document d = stored.document(sd.doc);
                out.put(d.get(F_SOURCE), d.get(F_HASH));
            }
            return out;
        });
    }

    @Override
    public void put(SourceDocument doc) {
        ensureOpen();
        // Embedding (the slow part) runs before the write lock: puts from several threads embed in parallel.
        List<Document> docs = PassageDocs.of(doc, embedder, spanish);
        writeLock.lock();
        try {
            writer.updateDocuments(new Term(F_SOURCE, doc.source()), docs);
        } catch (IOException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "cannot write " + doc.source() + ": " + e, e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void delete(String source) {
        ensureOpen();
        writeLock.lock();
        try {
            writer.deleteDocuments(new Term(F_SOURCE, source));
        } catch (IOException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "cannot delete " + source + ": " + e, e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Commits; when the writes since the index was last merged are a sizeable share of it (a first build, a large
     * update: {@link Compaction}), then merges it into one segment and commits again, which takes seconds on a large
     * index (about 10 s per 100k passages on 2 cores) but makes every later search faster.
     */
    @Override
    public void commit() {
        ensureOpen();
        writeLock.lock();
        try {
            writer.commit();
            searchers.maybeRefreshBlocking();
            compactIfWorthIt();
        } catch (IOException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "cannot commit the index: " + e, e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * After a commit that changed a sizeable share of the index, merges it into one segment ({@link Compaction} says
     * when and why) and commits again. Under {@link #writeLock}; searches keep using the previous searcher meanwhile.
     */
    private void compactIfWorthIt() throws IOException {
        IndexSearcher s = searchers.acquire();
        boolean merge;
        try {
            merge = Compaction.worthMerging(s.getIndexReader().leaves());
        } finally {
            searchers.release(s);
        }
        if (!merge) return;
        long start = System.nanoTime();
        writer.forceMerge(1);
        writer.commit();
        searchers.maybeRefreshBlocking();
        LOG.debug("merged the index into one segment in {} ms", (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public SearchResult search(String query, int k, SearchMode mode) {
        if (query == null || query.isBlank()) {
            throw new KnowledgeException(KnowledgeException.Kind.BAD_ARGUMENT, "the query is blank");
        }
        if (k < 1) throw new KnowledgeException(KnowledgeException.Kind.BAD_ARGUMENT, "k must be >= 1, got " + k);
        ensureOpen();
        int depth = Math.max(k, FUSION_DEPTH);
        String language = Languages.ofQuery(query).orElse(null);
        boolean vectorsCover = language == null || embedder.covers(language);
        // A Spanish question on an index with the Spanish model ranks on that model's vectors of Spanish passages.
        // Its cosines are not the main model's (e5's crowd into 0.77-0.91), so vectorsCover stays as the main model
        // says and the domain policy keeps judging such questions by term coverage.
        boolean spanishVectors = spanish != null && "es".equals(language);
        Embedder queryModel = spanishVectors ? spanish : embedder;
        String vectorField = spanishVectors ? F_VECTOR_ES : F_VECTOR;
        return withSearcher(s -> {
            Query filter = languageFilter(s, language);
            // BM25 and its term coverage run on a virtual thread while this thread embeds the query and runs the
            // vector search: the two halves cost about the same. Both use the searcher acquired above (thread-safe);
            // each thread reads stored fields through its own StoredFields (those are not).
            int bm25Depth = mode == SearchMode.VECTOR ? COVERAGE_DEPTH : depth;
            FutureTask<Lexical> lexical = new FutureTask<>(() -> {
                List<Hit> bm25 = bm25Hits(s, query, bm25Depth, filter);
                List<String> texts = new Resolver(s.storedFields()).resolve(cut(bm25, COVERAGE_DEPTH)).stream()
                        .map(h -> h.passage().indexText()).toList();
                return new Lexical(bm25, analysis.coverage(query, language, texts));
            });
            Thread.ofVirtual().name("habla-knowledge-bm25").start(lexical);
            List<Hit> vec;
            Lexical lex;
            try {
                float[] qv = queryModel.embedQuery(query);
                // Always FUSION_DEPTH deep whatever k (HNSW's beam is k wide: k = 1 finds poor neighbours): its top-1
                // cosine is what the domain policy judges. Only Spanish passages have a Spanish vector, so that field
                // needs no language filter (a filtered HNSW search costs about twice an unfiltered one).
                vec = vectorHits(s, vectorField, qv, depth, spanishVectors ? null : filter);
            } finally {
                // Never release the searcher while the BM25 half still reads it.
                lex = join(lexical);
            }
            double topCosine = vec.isEmpty() ? Double.NaN : vec.get(0).cosine();
            List<Hit> hits = switch (mode) {
                case VECTOR -> cut(vec, k);
                case BM25 -> cut(lex.hits(), k);
                // Vectors of a model that does not know the question's language rank at random: BM25 alone then.
                case HYBRID -> spanishVectors ? Fusion.rrf(lex.hits(), vec, k, Fusion.Weights.BM25_LED)
                        : vectorsCover ? Fusion.rrf(lex.hits(), vec, k) : cut(lex.hits(), k);
            };
            return new SearchResult(query, mode, new Resolver(s.storedFields()).resolve(hits), topCosine,
                    lex.coverage(), vectorsCover);
        });
    }

    /** The BM25 half of a search: its ranked placeholders and the term coverage of its best passages. */
    private record Lexical(List<Hit> hits, double coverage) {
    }

    private static Lexical join(FutureTask<Lexical> task) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // finish waiting (the task uses the searcher); restore the flag after
                }
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error err) throw err;
            throw new IOException(c);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static List<Hit> cut(List<Hit> hits, int k) {
        return hits.size() > k ? hits.subList(0, k) : hits;
    }

    /**
     * Questions in a clearly recognised language are answered from passages in that language when the index has
     * any (a mixed English/Spanish manual answers a Spanish question from its Spanish pages); otherwise from all.
     */
    private static Query languageFilter(IndexSearcher s, String lang) throws IOException {
        if (lang == null) return null;
        TermQuery q = new TermQuery(new Term(F_LANG, lang));
        int inLanguage = s.count(q);
        // None in that language, or all of them: filtering would change nothing but cost (a filtered HNSW search
        // costs about twice an unfiltered one at 100k passages).
        if (inLanguage == 0 || inLanguage == s.count(new TermQuery(new Term(F_TYPE, T_PASSAGE)))) return null;
        return q;
    }

    private List<Hit> bm25Hits(IndexSearcher s, String query, int n, Query filter) throws IOException {
        Query q = analysis.query(query);
        if (q == null) return List.of();
        if (filter != null) {
            q = new BooleanQuery.Builder().add(q, BooleanClause.Occur.MUST).add(filter, BooleanClause.Occur.FILTER)
                    .build();
        }
        TopDocs top = s.search(q, n);
        List<Hit> out = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc sd : top.scoreDocs) {
            out.add(new Hit(Resolver.placeholder(sd.doc), sd.score, sd.score, Double.NaN));
        }
        return out;
    }

    private List<Hit> vectorHits(IndexSearcher s, String field, float[] qv, int n, Query filter) throws IOException {
        TopDocs top = s.search(new KnnFloatVectorQuery(field, qv, n, filter), n);
        List<Hit> out = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc sd : top.scoreDocs) {
            // Lucene scores DOT_PRODUCT as (1 + dot) / 2; the vectors are unit length, so dot = cosine.
            double cosine = 2.0 * sd.score - 1.0;
            out.add(new Hit(Resolver.placeholder(sd.doc), cosine, Double.NaN, cosine));
        }
        return out;
    }

    @FunctionalInterface
    private interface SearcherJob<T> {
        T run(IndexSearcher s) throws IOException;
    }

    private <T> T withSearcher(SearcherJob<T> job) {
        ensureOpen();
        try {
            IndexSearcher s = searchers.acquire();
            try {
                return job.run(s);
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "index read failed: " + e, e);
        } catch (UncheckedIOException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "index read failed: " + e, e);
        }
    }

    private void ensureOpen() {
        if (closed) throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "the store is closed");
    }

    /** Closes without committing: writes since the last {@link #commit()} are dropped. Idempotent. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) return;
            closed = true;
            searchers.close();
            writer.rollback(); // not close(): close() would commit what was not committed
            mergeWorkers.close();
            directory.close();
            analysis.close();
        } catch (IOException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "closing the index failed: " + e, e);
        } finally {
            writeLock.unlock();
        }
    }
}
