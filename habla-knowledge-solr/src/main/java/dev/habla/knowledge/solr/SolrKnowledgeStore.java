package dev.habla.knowledge.solr;

import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.Fusion;
import dev.habla.knowledge.Languages;
import dev.habla.knowledge.Hit;
import dev.habla.knowledge.IndexInfo;
import dev.habla.knowledge.KnowledgeException;
import dev.habla.knowledge.KnowledgeStore;
import dev.habla.knowledge.Passage;
import dev.habla.knowledge.SearchMode;
import dev.habla.knowledge.SearchResult;
import dev.habla.knowledge.SourceDocument;
import dev.habla.knowledge.solr.internal.SolrQueries;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.solr.client.solrj.SolrClient;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.request.DocumentAnalysisRequest;
import org.apache.solr.client.solrj.response.AnalysisResponseBase;
import org.apache.solr.client.solrj.response.DocumentAnalysisResponse;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.params.CursorMarkParams;

/**
 * The {@link KnowledgeStore} on a SolrCloud collection (scale-out: shards and replicas are Solr's), ranking like the
 * embedded store: BM25 over the passage text analysed in its document's language, cosine HNSW over the same
 * embedder's vectors, both lists fused by habla-knowledge's {@link Fusion} (weighted reciprocal rank fusion), a
 * question in a clear language answered from passages in that language, the nearest passage's cosine and the
 * question's term coverage reported for the domain policy. Passages are embedded here, on the client, with the store's {@link Embedder}; Solr never
 * sees the model. The collection must use {@link SolrConfigset} (written for the embedder's dimension).
 *
 * <p>Thread safety: searches run concurrently (SolrJ clients are thread-safe); writes are serialised by
 * {@link #writeLock}. A search sees the last {@link #commit()}.
 */
public final class SolrKnowledgeStore implements KnowledgeStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SolrKnowledgeStore.class);

    private final SolrClient client;
    private final boolean ownsClient;
    private final String collection;
    private final Embedder embedder;
    /** The second model for Spanish passages and questions, or null: as the embedded store (its README). */
    private final Embedder spanish;
    /** Serialises put/delete/commit: a put is a delete-by-source then an add, which must not interleave with another. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();

    private SolrKnowledgeStore(SolrClient client, boolean ownsClient, String collection, Embedder embedder,
                               Embedder spanish) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.collection = collection;
        this.embedder = embedder;
        this.spanish = spanish;
    }

    /**
     * Opens the collection through {@code client} (not closed by {@link #close()}): records the embedder's name and
     * dimension in a new collection, or checks them against what an existing one was built with.
     *
     * @throws KnowledgeException {@code MODEL_MISMATCH} if the collection was built with another model;
     *                            {@code INDEX_IO} if Solr cannot be reached or refuses
     */
    public static SolrKnowledgeStore open(SolrClient client, String collection, Embedder embedder) {
        return open(client, collection, embedder, null);
    }

    /**
     * As {@link #open(SolrClient, String, Embedder)}, with a second model for Spanish passages and questions
     * ({@code Embedder.spanishModel()}; null = none), as the embedded store's {@code open(dir, embedder, spanish)}.
     * The collection records it: opening it with another one, or with or without one when it was built the other
     * way, is {@code MODEL_MISMATCH}.
     */
    public static SolrKnowledgeStore open(SolrClient client, String collection, Embedder embedder, Embedder spanish) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(embedder, "embedder");
        if (collection == null || collection.isBlank()) {
            throw new KnowledgeException(KnowledgeException.Kind.BAD_ARGUMENT, "a Solr collection name is required");
        }
        SolrKnowledgeStore s = new SolrKnowledgeStore(client, false, collection, embedder, spanish);
        s.checkModel();
        return s;
    }

    /**
     * Connects to a SolrCloud through its nodes' base URLs ({@code http://host:8983/solr}, one or more) and opens
     * {@code collection} as {@link #open} does; the client is closed with the store.
     */
    public static SolrKnowledgeStore connect(List<String> solrUrls, String collection, Embedder embedder) {
        return connect(solrUrls, collection, embedder, null);
    }

    /** As {@link #connect(List, String, Embedder)}, with a second model for Spanish (null = none), as {@link #open}. */
    public static SolrKnowledgeStore connect(List<String> solrUrls, String collection, Embedder embedder,
                                             Embedder spanish) {
        if (solrUrls == null || solrUrls.isEmpty()) {
            throw new KnowledgeException(KnowledgeException.Kind.BAD_ARGUMENT, "at least one Solr node URL is required");
        }
        SolrClient c = new CloudHttp2SolrClient.Builder(List.copyOf(solrUrls)).build();
        try {
            SolrKnowledgeStore s = new SolrKnowledgeStore(c, true, collection, embedder, spanish);
            s.checkModel();
            return s;
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private void checkModel() {
        SolrDocument index = call(() -> client.getById(collection, SolrQueries.INDEX_ID), "read the index record");
        if (index == null) {
            SolrInputDocument d = new SolrInputDocument();
            d.addField("id", SolrQueries.INDEX_ID);
            d.addField("kind", "index");
            d.addField("model", embedder.name());
            d.addField("dimension", embedder.dimension());
            if (spanish != null) {
                d.addField("model_es", spanishLabel());
            }
            call(() -> client.add(collection, d), "record the embedding model");
            call(() -> client.commit(collection), "commit");
            return;
        }
        String model = String.valueOf(index.getFirstValue("model"));
        int dimension = ((Number) index.getFirstValue("dimension")).intValue();
        if (!model.equals(embedder.name()) || dimension != embedder.dimension()) {
            throw new KnowledgeException(KnowledgeException.Kind.MODEL_MISMATCH, "Solr collection '" + collection
                    + "' was built with embedding model " + model + " (" + dimension + " dimensions), not "
                    + embedder.name() + " (" + embedder.dimension() + "): re-index it with this model or open it with that one");
        }
        Object recorded = index.getFirstValue("model_es");
        String recordedSpanish = recorded == null ? null : String.valueOf(recorded);
        String wanted = spanish == null ? null : spanishLabel();
        if (!Objects.equals(recordedSpanish, wanted)) {
            throw new KnowledgeException(KnowledgeException.Kind.MODEL_MISMATCH, "Solr collection '" + collection
                    + "' was built " + (recordedSpanish == null ? "without a Spanish model" : "with Spanish model "
                    + recordedSpanish) + ", not " + (wanted == null ? "without one" : "with " + wanted)
                    + ": open it the way it was built, or re-index it");
        }
    }

    private String spanishLabel() {
        return spanish.name() + "/" + spanish.dimension();
    }

    @Override
    public IndexInfo info() {
        SolrDocument index = call(() -> client.getById(collection, SolrQueries.INDEX_ID), "read the index record");
        long passages = count("kind:passage");
        long sources = count("kind:source");
        return new IndexInfo(index == null ? embedder.name() : String.valueOf(index.getFirstValue("model")),
                embedder.dimension(), (int) sources, passages);
    }

    @Override
    public Map<String, String> sourceHashes() {
        Map<String, String> out = new LinkedHashMap<>();
        String cursor = CursorMarkParams.CURSOR_MARK_START;
        while (true) {
            SolrQuery q = new SolrQuery("kind:source").setFields("source", "hash").setRows(1000).setSort("id", SolrQuery.ORDER.asc);
            q.set(CursorMarkParams.CURSOR_MARK_PARAM, cursor);
            QueryResponse r = call(() -> client.query(collection, q), "list the indexed sources");
            for (SolrDocument d : r.getResults()) {
                out.put((String) d.getFirstValue("source"), (String) d.getFirstValue("hash"));
            }
            String next = r.getNextCursorMark();
            if (next == null || next.equals(cursor)) {
                return out;
            }
            cursor = next;
        }
    }

    @Override
    public void put(SourceDocument doc) {
        Objects.requireNonNull(doc, "doc");
        // Embedding runs outside the lock (the slow part); only the replace itself is serialised.
        List<float[]> vectors = embedder.embedPassages(doc.passages().stream().map(SolrQueries::embeddingText).toList());
        // Spanish passages also get the Spanish model's vector, as in the embedded store.
        List<String> spanishTexts = spanish == null ? List.of() : doc.passages().stream()
                .filter(p -> "es".equals(p.language())).map(SolrQueries::embeddingText).toList();
        java.util.Iterator<float[]> es = (spanishTexts.isEmpty() ? List.<float[]>of()
                : spanish.embedPassages(spanishTexts)).iterator();
        List<SolrInputDocument> docs = new ArrayList<>(doc.passages().size() + 1);
        for (int i = 0; i < doc.passages().size(); i++) {
            Passage p = doc.passages().get(i);
            float[] esVector = spanish != null && "es".equals(p.language()) ? es.next() : null;
            docs.add(SolrQueries.passageDocument(p, vectors.get(i), esVector));
        }
        SolrInputDocument meta = new SolrInputDocument();
        meta.addField("id", SolrQueries.sourceId(doc.source()));
        meta.addField("kind", "source");
        meta.addField("source", doc.source());
        meta.addField("hash", doc.contentHash());
        meta.addField("language", doc.language());
        docs.add(meta);
        writeLock.lock();
        try {
            call(() -> client.deleteByQuery(collection, SolrQueries.passagesOf(doc.source())), "delete the old passages of " + doc.source());
            call(() -> client.add(collection, docs), "add the passages of " + doc.source());
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void delete(String source) {
        writeLock.lock();
        try {
            call(() -> client.deleteByQuery(collection, SolrQueries.passagesOf(source)), "delete the passages of " + source);
            call(() -> client.deleteById(collection, SolrQueries.sourceId(source)), "delete the record of " + source);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void commit() {
        writeLock.lock();
        try {
            call(() -> client.commit(collection), "commit");
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public SearchResult search(String query, int k, SearchMode mode) {
        if (query == null || query.isBlank()) {
            throw new KnowledgeException(KnowledgeException.Kind.BAD_ARGUMENT, "the query is blank");
        }
        if (k < 1) {
            throw new KnowledgeException(KnowledgeException.Kind.BAD_ARGUMENT, "k must be >= 1, got " + k);
        }
        Objects.requireNonNull(mode, "mode");
        int depth = Math.max(k, SolrQueries.CANDIDATES);
        String language = Languages.ofQuery(query).orElse(null);
        boolean vectorsCover = language == null || embedder.covers(language);
        // As the embedded store: a Spanish question ranks on the Spanish model's vectors when the store has one; the
        // domain policy keeps judging it as the main model says (term coverage for Spanish).
        boolean spanishVectors = spanish != null && "es".equals(language);
        float[] qv = spanishVectors ? spanish.embedQuery(query) : embedder.embedQuery(query);
        // As the embedded store: a question in a clearly recognised language is answered from passages in that
        // language when the index has any.
        String filter = language != null && count("kind:passage AND language:" + language) > 0 ? language : null;
        // The vector list always runs, CANDIDATES deep whatever k: its top-1 cosine is what the domain policy judges.
        List<Hit> vec = hits(SolrQueries.knn(spanishVectors ? "vector_es" : "vector", qv, depth, filter), true, depth);
        double topCosine = vec.isEmpty() ? Double.NaN : vec.getFirst().cosine();
        List<Hit> bm25 = hits(SolrQueries.bm25(query, mode == SearchMode.VECTOR ? SolrQueries.COVERAGE_DEPTH : depth, filter),
                false, depth);
        double coverage = coverage(query, language, bm25.subList(0, Math.min(SolrQueries.COVERAGE_DEPTH, bm25.size())));
        List<Hit> hits = switch (mode) {
            case VECTOR -> cut(vec, k);
            case BM25 -> cut(bm25, k);
            // Vectors of a model that does not know the question's language rank at random: BM25 alone then.
            case HYBRID -> spanishVectors ? Fusion.rrf(bm25, vec, k, Fusion.Weights.BM25_LED)
                    : vectorsCover ? Fusion.rrf(bm25, vec, k) : cut(bm25, k);
        };
        return new SearchResult(query, mode, hits, topCosine, coverage, vectorsCover);
    }

    private static List<Hit> cut(List<Hit> hits, int k) {
        return hits.size() > k ? hits.subList(0, k) : hits;
    }

    /**
     * The largest share of the question's analysed words found in one of {@code top} (their index texts), analysed in
     * the question's language (both, the better share, when unclear); NaN when the question has no word left. As the
     * embedded store, with Solr's own analysis: one document-analysis request (the question by each field's query
     * analyser, the passages by its index analyser), so no Lucene is needed here.
     */
    private double coverage(String query, String language, List<Hit> top) {
        List<String> langs = language == null ? List.of("en", "es") : List.of(language);
        DocumentAnalysisRequest req = new DocumentAnalysisRequest().setQuery(query);
        List<String> ids = new ArrayList<>();
        // One document at least, so the question is analysed even when BM25 found nothing (share 0, not NaN).
        int n = Math.max(1, top.size());
        for (int i = 0; i < n; i++) {
            SolrInputDocument d = new SolrInputDocument();
            String id = "coverage-" + i;
            d.addField("id", id);
            for (String l : langs) {
                d.addField("cov_" + l, i < top.size() ? top.get(i).passage().indexText() : "");
            }
            req.addDocument(d);
            ids.add(id);
        }
        DocumentAnalysisResponse r = call(() -> req.process(client, collection), "analyse the question");
        double best = Double.NaN;
        for (String l : langs) {
            Set<String> terms = null;
            double share = 0;
            for (int i = 0; i < n; i++) {
                DocumentAnalysisResponse.FieldAnalysis fa = r.getDocumentAnalysis(ids.get(i)).getFieldAnalysis("cov_" + l);
                if (terms == null) {
                    terms = lastTokens(fa.getQueryPhases());
                    if (terms.isEmpty()) {
                        break;
                    }
                }
                if (i >= top.size()) {
                    break;
                }
                Set<String> found = new HashSet<>();
                for (Map.Entry<String, List<AnalysisResponseBase.AnalysisPhase>> v : fa.getIndexPhasesByFieldValue()) {
                    found.addAll(lastTokens(v.getValue()));
                }
                int hit = 0;
                for (String t : terms) {
                    hit += found.contains(t) ? 1 : 0;
                }
                share = Math.max(share, (double) hit / terms.size());
            }
            if (terms != null && !terms.isEmpty()) {
                best = Double.isNaN(best) ? share : Math.max(best, share);
            }
        }
        return best;
    }

    private static Set<String> lastTokens(Iterable<AnalysisResponseBase.AnalysisPhase> phases) {
        AnalysisResponseBase.AnalysisPhase last = null;
        for (AnalysisResponseBase.AnalysisPhase p : phases) {
            last = p;
        }
        Set<String> out = new HashSet<>();
        if (last != null) {
            last.getTokens().forEach(t -> out.add(t.getText()));
        }
        return out;
    }

    /** Runs {@code q} (by POST: a vector literal is several KB) and reads its hits in rank order. */
    private List<Hit> hits(SolrQuery q, boolean vector, int rows) {
        QueryResponse r = call(() -> client.query(collection, q, SolrRequest.METHOD.POST), "search");
        return SolrQueries.read(r.getResults(), vector, rows);
    }

    private long count(String q) {
        return call(() -> client.query(collection, new SolrQuery(q).setRows(0)), "count").getResults().getNumFound();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownsClient) {
            closeQuietly(client);
        }
    }

    private static void closeQuietly(SolrClient c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("closing the Solr client failed", e);
        }
    }

    @FunctionalInterface
    private interface SolrCall<T> {
        T run() throws SolrServerException, IOException;
    }

    private <T> T call(SolrCall<T> c, String what) {
        if (closed.get()) {
            throw new IllegalStateException("the Solr knowledge store is closed");
        }
        try {
            return c.run();
        } catch (SolrServerException | IOException | org.apache.solr.common.SolrException e) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO,
                    "Solr collection '" + collection + "': cannot " + what + ": " + e.getMessage(), e);
        }
    }
}
