package dev.habla.knowledge.lucene;

import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.Ingest;
import dev.habla.knowledge.Passage;
import dev.habla.knowledge.SearchMode;
import dev.habla.knowledge.SourceDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Benchmark harness (not a test; module README says how to run it): passages indexed per second, query latency
 * p50/p95 (embedding + hybrid search) at 10k and 100k passages, memory.
 *
 * <p>Corpus: the Debian Reference (EN + ES, ~2,000 real passages, embedded for real: the indexing rate of the whole
 * pipeline). Larger indexes are made of recombined real passages: each synthetic passage joins sentences of two
 * real ones (realistic words for BM25) and gets the normalised sum of their real vectors plus noise (realistic
 * neighbourhoods for HNSW), through {@link Precomputed} so that building 100k passages does not take an hour of
 * model time; the Lucene-only indexing rate is reported for them. Queries are embedded for real, every time.
 *
 * <p>As the CLI builds an index by default, the store is opened with the second model for Spanish
 * ({@link Embedder#spanishModel()}, e5): the real pipeline embeds Spanish passages with it too, synthetic Spanish
 * passages get a {@code vector_es} made the same way from recorded real e5 vectors (both halves of a synthetic passage
 * come from passages of one language), and latency is reported per question language (the store embeds a Spanish
 * question with e5 and searches {@code vector_es}). {@code -Dbench.spanish=false} runs without the second model.
 *
 * <p>Args: {@code [sizes=10000,100000] [queries=300]} (queries: alternately an English and a Spanish question).
 */
public final class KnowledgeBench {

    private static final int WARM_UP = 200;

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length > 0 ? Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {10_000, 100_000};
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        Embedder model = Embedder.defaultModel();
        Embedder spanishModel = Boolean.parseBoolean(System.getProperty("bench.spanish", "true"))
                ? Embedder.spanishModel() : null;
        if (Boolean.getBoolean("bench.embedders")) {
            embedders(model);
            return;
        }
        if (Boolean.getBoolean("bench.mergeWorkers")) {
            mergeWorkers(sizes[sizes.length - 1]);
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(RetrievalQualityTest.CORPUS)) {
            files = s.filter(p -> p.toString().endsWith(".html")).sorted().toList();
        }
        System.out.printf(Locale.ROOT, "cores %d, max heap %d MiB, %s; second model for Spanish: %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                org.apache.lucene.util.Version.LATEST, spanishModel == null ? "none" : spanishModel.name());

        // 1. The real pipeline: parse, cut, embed, index, commit.
        List<Passage> real = new ArrayList<>();
        Map<String, float[]> vectors = new HashMap<>();
        Map<String, float[]> vectorsEs = new HashMap<>();
        Path dir0 = Files.createTempDirectory("habla-bench-real");
        // The real model, keeping each passage's vector for the synthetic corpora below (no second embedding run).
        Precomputed recording = new Precomputed(model, Map.of()) {
            @Override
            public List<float[]> embedPassages(List<String> texts) {
                List<float[]> vs = model.embedPassages(texts);
                for (int i = 0; i < texts.size(); i++) vectors.put(texts.get(i), vs.get(i));
                return vs;
            }
        };
        // The same for the Spanish model's passage vectors ("passage: " prefix added by the model, keyed without it).
        Precomputed recordingEs = spanishModel == null ? null : new Precomputed(spanishModel, Map.of()) {
            @Override
            public List<float[]> embedPassages(List<String> texts) {
                List<float[]> vs = spanishModel.embedPassages(texts);
                for (int i = 0; i < texts.size(); i++) vectorsEs.put(texts.get(i), vs.get(i));
                return vs;
            }
        };
        long t0 = System.nanoTime();
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(dir0, recording, recordingEs)) {
            for (Path f : files) {
                SourceDocument d = Ingest.read(f);
                store.put(d);
                real.addAll(d.passages());
            }
            store.commit();
        }
        double realSecs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "real pipeline (parse+cut+embed+index+commit): %d passages (%d Spanish, %s) "
                + "in %.1f s = %.0f passages/s (load %s)%n", real.size(), real.stream().filter(p -> "es".equals(
                        p.language())).count(), spanishModel == null ? "one model" : "Spanish ones embedded twice",
                realSecs, real.size() / realSecs, loadAverage());
        // English and Spanish questions alternately (as the store tells them: Languages.ofQuery; unclear = English
        // side, the store treats them so); Spanish: the 22+6 of the quality set and the 28 held-out ones.
        List<String> en = new ArrayList<>();
        List<String> es = new ArrayList<>();
        for (String set : List.of("/quality/debian-reference-questions.tsv",
                "/quality/debian-reference-questions-es-heldout.tsv")) {
            for (QualityEval.Question q : QualityEval.load(set)) {
                (isSpanish(q.text()) ? es : en).add(q.text());
            }
        }
        List<String> questions = new ArrayList<>();
        for (int i = 0; i < Math.max(en.size(), es.size()); i++) {
            questions.add(en.get(i % en.size()));
            questions.add(es.get(i % es.size()));
        }
        System.out.printf(Locale.ROOT, "questions: %d English (or unclear), %d Spanish, asked alternately%n", en.size(),
                es.size());

        for (int size : sizes) {
            Path dir = Files.createTempDirectory("habla-bench-" + size);
            Precomputed embedder = new Precomputed(model, vectors);
            Precomputed embedderEs = spanishModel == null ? null : new Precomputed(spanishModel, vectorsEs);
            List<SourceDocument> docs = synthetic(real, embedder, embedderEs, size, new Random(size));
            long t1 = System.nanoTime();
            try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(dir, embedder, embedderEs)) {
                for (SourceDocument d : docs) store.put(d);
                long t2 = System.nanoTime();
                store.commit(); // as the product does it: a build of several segments is merged into one here
                long t3 = System.nanoTime();
                double secs = (t3 - t1) / 1e9;
                System.out.printf(Locale.ROOT, "%,d passages: Lucene indexing (vectors precomputed) %.1f s = %.0f "
                        + "passages/s, of which the final commit (and merge) %.1f s; %d segment(s); index on disk "
                        + "%.1f MiB (load %s)%n", size, secs, size / secs, (t3 - t2) / 1e9, segments(dir),
                        du(dir) / 1048576.0, loadAverage());
                // Warm up, then measure: embed alone, search alone (vector given), and both (what a caller pays).
                // Steady state of a long-running process (JIT, page cache): one pass over the question set and more.
                for (int i = 0; i < WARM_UP; i++) store.search(questions.get(i % questions.size()) + " w" + i, 5);
                long[] embed = new long[queries];
                long[] total = new long[queries];
                boolean[] spanishQ = new boolean[queries];
                String before = loadAverage();
                for (int i = 0; i < queries; i++) {
                    String q = question(questions, i);
                    spanishQ[i] = isSpanish(q);
                    // The model the store embeds this question with (e5 with its "query: " prefix for Spanish ones).
                    Embedder queryModel = spanishModel != null && spanishQ[i] ? spanishModel : model;
                    long a = System.nanoTime();
                    queryModel.embedQuery(q);
                    long b = System.nanoTime();
                    store.search(q, 5, SearchMode.HYBRID);
                    long c = System.nanoTime();
                    embed[i] = b - a;
                    total[i] = c - b; // search() embeds again itself: this is embed + search end to end
                }
                String after = loadAverage();
                for (int side = 0; side < 3; side++) {
                    boolean[] pick = new boolean[queries];
                    for (int i = 0; i < queries; i++) pick[i] = side == 2 || spanishQ[i] == (side == 1);
                    long[] e = select(embed, pick);
                    long[] t = select(total, pick);
                    System.out.printf(Locale.ROOT, "%,d passages, %s questions (%d queries), hybrid k=5: query "
                                    + "embedding%s p50 %.1f ms p95 %.1f ms; embed + search p50 %.1f ms p95 %.1f ms "
                                    + "(load %s before, %s after)%n", size,
                            new String[] {"English", "Spanish", "all"}[side], e.length,
                            side == 1 && spanishModel != null ? " (e5)" : side == 0 ? " (MiniLM)" : "",
                            pct(e, 50), pct(e, 95), pct(t, 50), pct(t, 95), before, after);
                }
                stages(store, dir, model, spanishModel, questions, queries, size);
                System.gc();
                Runtime rt = Runtime.getRuntime();
                System.out.printf(Locale.ROOT, "%,d passages: heap used after GC %d MiB, process RSS %s%n", size,
                        (rt.totalMemory() - rt.freeMemory()) >> 20, rss());
                // An incremental update on the built index: one changed file of 100 passages, then commit.
                SourceDocument changed = docs.get(docs.size() / 2);
                List<Passage> edited = new ArrayList<>();
                for (Passage p : changed.passages()) {
                    Passage e = new Passage(p.id(), p.source(), p.headingPath(), 0, p.text() + " (edited)",
                            p.language());
                    embedder.remember(e.indexText(), embedder.vectorOf(p.indexText()));
                    if (embedderEs != null && "es".equals(p.language())) {
                        embedderEs.remember(e.indexText(), embedderEs.vectorOf(p.indexText()));
                    }
                    edited.add(e);
                }
                long u = System.nanoTime();
                store.put(new SourceDocument(changed.source(), "edited", changed.language(), edited));
                store.commit();
                System.out.printf(Locale.ROOT, "%,d passages: one file of %d passages changed: put + commit %.0f ms, "
                        + "%d segment(s) (load %s)%n", size, edited.size(), (System.nanoTime() - u) / 1e6,
                        segments(dir), loadAverage());
            }
        }
    }

    /**
     * forceMerge(1) of a two-segment index of {@code size} random unit vectors (and a short text each) with one
     * HNSW merge worker against one per core ({@code MergeWorkers}), interleaved over two rounds.
     */
    private static void mergeWorkers(int size) throws IOException {
        Path base = Files.createTempDirectory("habla-bench-merge");
        Random rnd = new Random(7);
        try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(base);
                var workers = new dev.habla.knowledge.lucene.internal.MergeWorkers(1);
                org.apache.lucene.index.IndexWriter w = new org.apache.lucene.index.IndexWriter(d,
                        new org.apache.lucene.index.IndexWriterConfig().setRAMBufferSizeMB(1024)
                                .setCodec(workers.codec()))) {
            for (int i = 0; i < size; i++) {
                float[] v = new float[384];
                double n = 0;
                for (int j = 0; j < v.length; j++) {
                    v[j] = (float) rnd.nextGaussian();
                    n += v[j] * v[j];
                }
                for (int j = 0; j < v.length; j++) v[j] /= (float) Math.sqrt(n);
                org.apache.lucene.document.Document doc = new org.apache.lucene.document.Document();
                doc.add(new org.apache.lucene.document.TextField("text", "passage " + i + " word" + rnd.nextInt(5000),
                        org.apache.lucene.document.Field.Store.YES));
                doc.add(new org.apache.lucene.document.KnnFloatVectorField("vector", v,
                        org.apache.lucene.index.VectorSimilarityFunction.DOT_PRODUCT));
                w.addDocument(doc);
                if (i == size / 2) w.commit();
            }
            w.commit();
        }
        System.out.printf(Locale.ROOT, "%,d random vectors in %d segments%n", size, segments(base));
        for (int round = 0; round < 2; round++) {
            for (int n : new int[] {1, Runtime.getRuntime().availableProcessors()}) {
                Path dir = Files.createTempDirectory("habla-bench-merge-" + n);
                try (Stream<Path> files = Files.list(base)) {
                    for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
                }
                String before = loadAverage();
                long t = System.nanoTime();
                try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(dir);
                        var workers = new dev.habla.knowledge.lucene.internal.MergeWorkers(n);
                        org.apache.lucene.index.IndexWriter w = new org.apache.lucene.index.IndexWriter(d,
                                new org.apache.lucene.index.IndexWriterConfig().setCodec(workers.codec()))) {
                    w.forceMerge(1);
                    w.commit();
                }
                System.out.printf(Locale.ROOT, "round %d: forceMerge(1) with %d HNSW merge worker(s): %.1f s (load %s "
                        + "before, %s after)%n", round, n, (System.nanoTime() - t) / 1e9, before, loadAverage());
            }
        }
    }

    private static int segments(Path dir) throws IOException {
        try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(dir)) {
            return org.apache.lucene.index.SegmentInfos.readLatestCommit(d).size();
        }
    }

    /**
     * Where a query's time goes: each stage alone, one after the other on this thread (no overlap), against a reader
     * of the committed index: query embedding, BM25 top 50 (with the language filter search() applies), HNSW top 50
     * unfiltered and with the language filter (uncached and cached), stored fields of 5 passages.
     */
    private static void stages(LuceneKnowledgeStore store, Path dir, Embedder model, Embedder spanishModel,
            List<String> questions, int queries, int size) throws IOException {
        try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(dir);
                org.apache.lucene.index.DirectoryReader r = org.apache.lucene.index.DirectoryReader.open(d)) {
            dev.habla.knowledge.lucene.internal.Analysis analysis = new dev.habla.knowledge.lucene.internal.Analysis();
            org.apache.lucene.search.IndexSearcher s = new org.apache.lucene.search.IndexSearcher(r);
            // The store's searchers keep the language filter as a cached bit set (FilterCaching): both are timed.
            org.apache.lucene.search.IndexSearcher cached = new org.apache.lucene.search.IndexSearcher(r);
            cached.setQueryCachingPolicy(new dev.habla.knowledge.lucene.internal.FilterCaching("lang"));
            String[] names = {"embed", "BM25 top-50", "HNSW top-50", "HNSW top-50 lang-filtered",
                    "HNSW top-50 lang-filtered (cached filter)", "stored fields x5", "whole search()"};
            long[][] t = new long[names.length][queries];
            boolean[] spanishQ = new boolean[queries];
            String before = loadAverage();
            for (int i = 0; i < queries; i++) {
                String q = question(questions, i);
                String lang = dev.habla.knowledge.Languages.ofQuery(q).orElse("en");
                org.apache.lucene.search.Query filter = new org.apache.lucene.search.TermQuery(
                        new org.apache.lucene.index.Term("lang", lang));
                // As search() runs it: a Spanish question on an index with the second model is embedded by e5 and
                // searched on vector_es.
                spanishQ[i] = spanishModel != null && isSpanish(q);
                Embedder queryModel = spanishQ[i] ? spanishModel : model;
                String field = spanishQ[i] ? "vector_es" : "vector";
                long a = System.nanoTime();
                float[] v = queryModel.embedQuery(q);
                long b = System.nanoTime();
                org.apache.lucene.search.Query bq = analysis.query(q);
                if (bq != null) s.search(bq, 50);
                long c = System.nanoTime();
                org.apache.lucene.search.TopDocs top = s.search(
                        new org.apache.lucene.search.KnnFloatVectorQuery(field, v, 50), 50);
                long e = System.nanoTime();
                s.search(
                        new org.apache.lucene.search.KnnFloatVectorQuery(field, v, 50, filter), 50);
                long f0 = System.nanoTime();
                cached.search(
                        new org.apache.lucene.search.KnnFloatVectorQuery(field, v, 50, filter), 50);
                long f = System.nanoTime();
                org.apache.lucene.index.StoredFields sf = s.storedFields();
                for (int j = 0; j < Math.min(5, top.scoreDocs.length); j++) sf.document(top.scoreDocs[j].doc);
                long g = System.nanoTime();
                store.search(q, 5, SearchMode.HYBRID);
                long h = System.nanoTime();
                long[] ts = {a, b, c, e, f0, f, g, h};
                for (int j = 0; j < names.length; j++) t[j][i] = ts[j + 1] - ts[j];
            }
            String after = loadAverage();
            for (int side = 0; side < 2; side++) {
                boolean[] pick = new boolean[queries];
                int n = 0;
                for (int i = 0; i < queries; i++) {
                    pick[i] = spanishQ[i] == (side == 1);
                    if (pick[i]) n++;
                }
                if (n == 0) continue;
                StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%,d passages, stages alone, %s "
                        + "(%d queries, %d segments, load %s before, %s after):", size, side == 1
                        ? "Spanish questions (e5, vector_es)" : spanishModel == null ? "all questions (MiniLM, vector)"
                        : "English questions (MiniLM, vector)", n, r.leaves().size(), before, after));
                for (int j = 0; j < names.length; j++) {
                    long[] sel = select(t[j], pick);
                    out.append(String.format(Locale.ROOT, " %s p50 %.1f p95 %.1f ms;", names[j], pct(sel, 50),
                            pct(sel, 95)));
                }
                System.out.println(out);
            }
            System.out.printf(Locale.ROOT, "%,d passages: HNSW (as search() runs it) recall@10 against an exact search "
                    + "over all vectors: %.4f%n", size, recallAt10(s, model, questions));
            analysis.close();
        }
    }

    /**
     * Share of the exact 10 nearest passages (dot product over every vector of the index) that the vector search
     * finds, as {@code search()} runs it (HNSW, 50 deep). Unfiltered.
     */
    private static double recallAt10(org.apache.lucene.search.IndexSearcher s, Embedder model, List<String> questions)
            throws IOException {
        long found = 0;
        for (String q : questions) {
            float[] v = model.embed(q);
            java.util.PriorityQueue<float[]> best = new java.util.PriorityQueue<>((x, y) -> Float.compare(x[0], y[0]));
            for (org.apache.lucene.index.LeafReaderContext leaf : s.getIndexReader().leaves()) {
                org.apache.lucene.index.FloatVectorValues values = leaf.reader().getFloatVectorValues("vector");
                org.apache.lucene.index.KnnVectorValues.DocIndexIterator it = values.iterator();
                for (int doc = it.nextDoc(); doc != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;
                        doc = it.nextDoc()) {
                    float score = org.apache.lucene.util.VectorUtil.dotProduct(v, values.vectorValue(it.index()));
                    best.add(new float[] {score, leaf.docBase + doc});
                    if (best.size() > 10) best.poll();
                }
            }
            java.util.Set<Integer> exact = new java.util.HashSet<>();
            for (float[] b : best) exact.add((int) b[1]);
            org.apache.lucene.search.TopDocs top = s.search(
                    new org.apache.lucene.search.KnnFloatVectorQuery("vector", v, 50), 50);
            org.apache.lucene.search.ScoreDoc[] hits = top.scoreDocs;
            for (int i = 0; i < Math.min(10, hits.length); i++) if (exact.contains(hits[i].doc)) found++;
        }
        return found / (10.0 * questions.size());
    }

    /**
     * The query embedding with langchain4j's own session (onnxruntime defaults: one intra-op thread per core, spinning)
     * against the default model's (one thread, no spinning), alone and with a 3 ms CPU task on a virtual thread beside
     * it (what the BM25 half of a search is), interleaved in two rounds so that the machine's load hits both alike.
     */
    private static void embedders(Embedder quiet) throws Exception {
        var stock = new dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel();
        java.util.function.Consumer<String> a = stock::embed;
        java.util.function.Consumer<String> b = quiet::embed;
        for (int w = 0; w < 200; w++) {
            a.accept("warm-up " + w);
            b.accept("warm-up " + w);
        }
        for (int round = 0; round < 2; round++) {
            for (boolean beside : new boolean[] {false, true}) {
                long[] ta = embedTimes(a, beside, 300, round * 1000);
                long[] tb = embedTimes(b, beside, 300, round * 1000 + 500);
                System.out.printf(Locale.ROOT, "query embedding %s: onnxruntime defaults p50 %.1f p95 %.1f ms; one "
                                + "thread, no spinning p50 %.1f p95 %.1f ms (load %s)%n",
                        beside ? "with a 3 ms CPU task beside" : "alone", pct(ta, 50), pct(ta, 95), pct(tb, 50),
                        pct(tb, 95), loadAverage());
            }
        }
    }

    private static volatile long sink;

    private static long[] embedTimes(java.util.function.Consumer<String> embed, boolean beside, int n, int seed)
            throws InterruptedException {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            String q = "how do I configure network interface number " + (seed + i) + " at boot";
            Thread task = beside ? Thread.ofVirtual().start(() -> {
                long end = System.nanoTime() + 3_000_000, x = 0;
                while (System.nanoTime() < end) x = x * 31 + 7;
                sink = x;
            }) : null;
            long start = System.nanoTime();
            embed.accept(q);
            t[i] = System.nanoTime() - start;
            if (task != null) task.join();
        }
        return t;
    }

    private static boolean isSpanish(String question) {
        return "es".equals(dev.habla.knowledge.Languages.ofQuery(question).orElse(null));
    }

    /** The i-th query: the question set in turn, with a number appended after the first pass (no two alike). */
    private static String question(List<String> questions, int i) {
        return questions.get(i % questions.size()) + (i >= questions.size() ? " " + i : "");
    }

    private static long[] select(long[] values, boolean[] pick) {
        int n = 0;
        for (boolean b : pick) if (b) n++;
        long[] out = new long[n];
        for (int i = 0, j = 0; i < values.length; i++) if (pick[i]) out[j++] = values[i];
        return out;
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    /**
     * Synthetic documents of 100 passages each, recombined from real ones of one language (see class comment); with
     * {@code embedderEs} (may be null), Spanish ones also get the sum of their halves' real e5 vectors plus noise.
     */
    static List<SourceDocument> synthetic(List<Passage> real, Precomputed embedder, Precomputed embedderEs, int size,
            Random rnd) {
        Map<String, List<Passage>> byLanguage = new HashMap<>();
        for (Passage p : real) byLanguage.computeIfAbsent(p.language(), l -> new ArrayList<>()).add(p);
        List<SourceDocument> docs = new ArrayList<>();
        List<Passage> cur = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Passage a = real.get(rnd.nextInt(real.size()));
            List<Passage> same = byLanguage.get(a.language());
            Passage b = same.get(rnd.nextInt(same.size()));
            String text = half(a.text(), true) + " " + half(b.text(), false);
            String source = "/synthetic/doc" + (i / 100) + ".html";
            Passage p = new Passage(source + "#" + (i % 100), source, a.headingPath(), 0, text, a.language());
            embedder.remember(p.indexText(), mix(embedder.vectorOf(a.indexText()), embedder.vectorOf(b.indexText()),
                    rnd));
            if (embedderEs != null && "es".equals(a.language())) {
                embedderEs.remember(p.indexText(), mix(embedderEs.vectorOf(a.indexText()),
                        embedderEs.vectorOf(b.indexText()), rnd));
            }
            cur.add(p);
            if (cur.size() == 100 || i == size - 1) {
                docs.add(new SourceDocument(source, "synthetic" + i, a.language(), cur));
                cur = new ArrayList<>();
            }
        }
        return docs;
    }

    /** The normalised sum of two unit vectors plus a little noise. */
    private static float[] mix(float[] va, float[] vb, Random rnd) {
        float[] v = new float[va.length];
        double n = 0;
        for (int j = 0; j < v.length; j++) {
            v[j] = va[j] + vb[j] + (float) (rnd.nextGaussian() * 0.02);
            n += v[j] * v[j];
        }
        for (int j = 0; j < v.length; j++) v[j] /= (float) Math.sqrt(n);
        return v;
    }

    private static String half(String s, boolean first) {
        int mid = s.indexOf(' ', s.length() / 2);
        if (mid < 0) return s;
        return first ? s.substring(0, mid) : s.substring(mid + 1);
    }

    private static double pct(long[] nanos, int p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)] / 1e6;
    }

    private static long du(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static String rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return line.substring(6).strip();
        }
        return "?";
    }

    /**
     * The real model's name and dimension; passages' vectors ({@link #embedAll}) looked up from those computed or
     * made before, queries ({@link #embed}) embedded for real.
     */
    static class Precomputed implements Embedder {
        private final Embedder model;
        private final Map<String, float[]> known;

        Precomputed(Embedder model, Map<String, float[]> known) {
            this.model = model;
            this.known = new HashMap<>(known);
        }

        void remember(String text, float[] v) {
            known.put(text, v);
        }

        /** A passage's vector: recorded or made before, else the model's (as a passage: its prefix, if any). */
        float[] vectorOf(String text) {
            return known.computeIfAbsent(text, t -> model.embedPassages(List.of(t)).get(0));
        }

        @Override
        public String name() {
            return model.name();
        }

        @Override
        public int dimension() {
            return model.dimension();
        }

        @Override
        public boolean covers(String language) {
            return model.covers(language);
        }

        /** Queries: always the real model (stores embed passages through embedAll, queries through embed). */
        @Override
        public float[] embed(String text) {
            return model.embed(text);
        }

        /** Queries: the real model, with its query prefix if any (what the store calls for a question). */
        @Override
        public float[] embedQuery(String query) {
            return model.embedQuery(query);
        }

        @Override
        public List<float[]> embedAll(List<String> texts) {
            return texts.stream().map(this::vectorOf).toList();
        }

        @Override
        public List<float[]> embedPassages(List<String> texts) {
            return texts.stream().map(this::vectorOf).toList();
        }
    }

}
