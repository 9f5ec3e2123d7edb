package dev.habla.knowledge.solr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.knowledge.DomainPolicy;
import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.Hit;
import dev.habla.knowledge.IndexReport;
import dev.habla.knowledge.Indexer;
import dev.habla.knowledge.KnowledgeException;
import dev.habla.knowledge.Passage;
import dev.habla.knowledge.SearchMode;
import dev.habla.knowledge.SearchResult;
import dev.habla.knowledge.SourceDocument;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettySolrRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Solr store on a real SolrCloud (2 nodes, embedded ZooKeeper, a 2-shard collection, in this JVM) passes the
 * retrieval test on a real documentation corpus nobody here wrote: the Debian New Maintainers' Guide (Debian package
 * {@code maint-guide}, installed by {@code .ci/run}), paraphrased questions with the page that answers them, and
 * out-of-domain questions the default domain policy must decline. The measures of the embedded store's quality test
 * (recall@1, recall@5, MRR@10 per method; declines), printed, and issue 11's goals asserted: hybrid recall@5 ≥ 0.9,
 * ≥ 95 % of out-of-domain questions declined, ≤ 5 % of in-domain ones.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SolrKnowledgeStoreTest {
    static final Path CORPUS = Path.of("/usr/share/doc/maint-guide/html");
    static final String COLLECTION = "knowledge";

    @TempDir
    static Path tmp;
    MiniSolrCloudCluster cluster;
    SolrKnowledgeStore store;
    IndexReport report;

    @BeforeAll
    void startClusterAndIndex() throws Exception {
        assertThat(CORPUS).as("the maint-guide Debian package (installed by .ci/run: apt-get install maint-guide)").isDirectory();
        Path conf = SolrConfigset.write(tmp.resolve("conf"), Embedder.defaultModel().dimension());
        cluster = new MiniSolrCloudCluster.Builder(2, tmp.resolve("solr")).addConfig("habla", conf).build();
        CollectionAdminRequest.createCollection(COLLECTION, "habla", 2, 1).process(cluster.getSolrClient());
        cluster.waitForActiveCollection(COLLECTION, 2, 2);
        // Production code gets only the nodes' URLs (what a deployment gives its clients).
        store = SolrKnowledgeStore.connect(cluster.getJettySolrRunners().stream().map(JettySolrRunner::getBaseUrl)
                .map(Object::toString).toList(), COLLECTION, Embedder.defaultModel());
        long t0 = System.nanoTime();
        report = new Indexer(store).index(List.of(CORPUS), (done, total, file) -> { });
        System.out.printf(Locale.ROOT, "Solr: indexed %d files, %d passages in %.1f s (2 nodes, 2 shards)%n",
                report.indexed(), report.passagesTotal(), (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    void stop() throws Exception {
        if (store != null) {
            store.close();
        }
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    record Question(String text, String page) {}

    static List<Question> questions() throws IOException {
        List<Question> out = new ArrayList<>();
        try (InputStream in = SolrKnowledgeStoreTest.class.getResourceAsStream("/maint-guide-questions.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                out.add(new Question(f[0], f[1].equals("-") ? null : f[1]));
            }
        }
        return out;
    }

    /** Rank (1-based) of the first hit on {@code page}, pages counted once (first occurrence wins); 0 if absent. */
    static int pageRank(List<Hit> hits, String page) {
        List<String> pages = new ArrayList<>();
        for (Hit h : hits) {
            String p = Path.of(h.passage().source()).getFileName().toString();
            if (!pages.contains(p)) {
                pages.add(p);
            }
        }
        return pages.indexOf(page) + 1;
    }

    @Test
    void passesTheRetrievalTest() throws IOException {
        assertThat(report.skipped()).as("only the stylesheet and images are not text")
                .allSatisfy(s -> assertThat(s.path()).doesNotEndWith(".html"));
        assertThat(report.passagesTotal()).isGreaterThan(100);
        List<Question> qs = questions();
        DomainPolicy policy = DomainPolicy.of("Debian packaging");
        Map<SearchMode, double[]> measures = new EnumMap<>(SearchMode.class);   // recall@1, recall@5, MRR@10
        int inDomain = 0, falseDeclines = 0, outOfDomain = 0, declined = 0;
        for (Question q : qs) {
            if (q.page() == null) {
                outOfDomain++;
                declined += policy.judge(store.search(q.text(), 10)).inDomain() ? 0 : 1;
                continue;
            }
            inDomain++;
            for (SearchMode mode : SearchMode.values()) {
                SearchResult r = store.search(q.text(), 10, mode);
                int rank = pageRank(r.hits(), q.page());
                double[] m = measures.computeIfAbsent(mode, x -> new double[3]);
                m[0] += rank == 1 ? 1 : 0;
                m[1] += rank >= 1 && rank <= 5 ? 1 : 0;
                m[2] += rank >= 1 ? 1.0 / rank : 0;
                if (mode == SearchMode.HYBRID) {
                    falseDeclines += policy.judge(r).inDomain() ? 0 : 1;
                }
            }
        }
        for (SearchMode mode : SearchMode.values()) {
            double[] m = measures.get(mode);
            for (int i = 0; i < 3; i++) {
                m[i] /= inDomain;
            }
            System.out.printf(Locale.ROOT, "Solr %-6s recall@1 %.2f recall@5 %.2f MRR@10 %.2f (%d questions)%n",
                    mode, m[0], m[1], m[2], inDomain);
        }
        System.out.printf(Locale.ROOT, "Solr domain gate: %d/%d out-of-domain declined, %d/%d in-domain wrongly declined%n",
                declined, outOfDomain, falseDeclines, inDomain);
        double[] hybrid = measures.get(SearchMode.HYBRID);
        // Hybrid is not asserted to beat both single methods here: on this small corpus vectors alone find every page in
        // the top 5 and fusion loses 2 of 22 to BM25 noise; the fusion is the embedded store's, which its quality test
        // measures on the large corpus. What is asserted are the issue's absolute goals.
        assertThat(hybrid[1]).as("hybrid recall@5").isGreaterThanOrEqualTo(0.9);
        assertThat((double) declined / outOfDomain).as("out-of-domain declined").isGreaterThanOrEqualTo(0.95);
        assertThat((double) falseDeclines / inDomain).as("in-domain wrongly declined").isLessThanOrEqualTo(0.05);
    }

    @Test
    void hitsCarryTheirSourceHeadingAndCosineAndTheIndexKnowsItsFiles() {
        SearchResult r = store.search("how do I use lintian to check the package", 3);
        assertThat(r.hits()).hasSize(3);
        Hit best = r.hits().getFirst();
        assertThat(best.passage().source()).endsWith("checkit.en.html");
        assertThat(best.passage().headingPath()).isNotEmpty();
        assertThat(best.passage().text()).isNotBlank();
        assertThat(r.topCosine()).isBetween(0.3, 1.0);
        assertThat(r.hits()).isSortedAccordingTo((a, b) -> Double.compare(b.score(), a.score()));
        assertThat(store.info().embeddingModel()).isEqualTo(Embedder.DEFAULT_MODEL);
        assertThat(store.info().passages()).isEqualTo(report.passagesTotal());
        assertThat(store.sourceHashes()).hasSize(report.indexed())
                .containsKey(CORPUS.resolve("checkit.en.html").toAbsolutePath().normalize().toString());
    }

    @Test
    void aReplacedSourceLosesItsOldPassagesAndADeletedOneDisappears() {
        String source = "/virtual/extra.md";
        store.put(new SourceDocument(source, "h1", "en", List.of(
                new Passage(source + "#0", source, List.of("Zebras"), 0, "Zebra stripes confuse biting flies.", "en"),
                new Passage(source + "#1", source, List.of("Zebras"), 0, "Zebras sleep standing up.", "en"))));
        store.commit();
        assertThat(store.search("zebra stripes flies", 1, SearchMode.BM25).hits().getFirst().passage().id()).isEqualTo(source + "#0");
        store.put(new SourceDocument(source, "h2", "en", List.of(
                new Passage(source + "#0", source, List.of(), 0, "Okapis are relatives of giraffes.", "en"))));
        store.commit();
        assertThat(store.sourceHashes()).containsEntry(source, "h2");
        assertThat(store.search("zebras sleep standing", 5, SearchMode.BM25).hits())
                .noneMatch(h -> h.passage().source().equals(source));
        store.delete(source);
        store.commit();
        assertThat(store.sourceHashes()).doesNotContainKey(source);
        assertThat(store.search("okapis giraffes", 5, SearchMode.BM25).hits()).noneMatch(h -> h.passage().source().equals(source));
    }

    @Test
    void aSpanishQuestionIsAnsweredFromSpanishPassagesByBm25AndJudgedOnTermCoverage() {
        String source = "/virtual/manual.es.md";
        store.put(new SourceDocument(source, "h", "es", List.of(
                new Passage(source + "#0", source, List.of("Contraseñas"), 0,
                        "Para cambiar la contraseña del administrador, abra la página de configuración y pulse Guardar.", "es"),
                new Passage(source + "#1", source, List.of("Copias"), 0,
                        "Las copias de seguridad se guardan cada noche en el disco externo.", "es"))));
        store.commit();
        try {
            SearchResult r = store.search("¿Cómo puedo cambiar la contraseña del administrador?", 3);
            // The built-in model is English-only: its cosines mean nothing here, BM25 ranks and coverage judges.
            assertThat(r.vectorsCoverQuery()).isFalse();
            assertThat(r.hits()).allSatisfy(h -> assertThat(h.passage().language()).isEqualTo("es"));
            assertThat(r.hits().getFirst().passage().id()).isEqualTo(source + "#0");
            assertThat(r.termCoverage()).isEqualTo(1.0);
            assertThat(DomainPolicy.of("el manual").judge(r).inDomain()).isTrue();
            SearchResult off = store.search("¿Quién ganó el mundial de fútbol?", 3);
            assertThat(off.termCoverage()).isLessThan(0.35);
            assertThat(DomainPolicy.of("el manual").judge(off).inDomain()).isFalse();
        } finally {
            store.delete(source);
            store.commit();
        }
    }

    @Test
    void aCollectionBuiltWithAnotherModelIsRefusedByName() {
        Embedder other = new Embedder() {   // a differently named model of the same dimension: what a user's file would be
            final Embedder base = Embedder.defaultModel();
            @Override public String name() { return "someone-elses-model"; }
            @Override public int dimension() { return base.dimension(); }
            @Override public float[] embed(String text) { return base.embed(text); }
            @Override public List<float[]> embedAll(List<String> texts) { return base.embedAll(texts); }
        };
        assertThatThrownBy(() -> SolrKnowledgeStore.open(cluster.getSolrClient(), COLLECTION, other))
                .isInstanceOf(KnowledgeException.class)
                .hasMessageContaining("all-minilm-l6-v2-q").hasMessageContaining("someone-elses-model")
                .extracting(e -> ((KnowledgeException) e).kind()).isEqualTo(KnowledgeException.Kind.MODEL_MISMATCH);
    }

    @Test
    void theConfigsetIsWrittenForTheModelsDimension() throws IOException {
        Path dir = SolrConfigset.write(tmp.resolve("conf768"), 768);
        assertThat(Files.readString(dir.resolve("schema.xml"))).contains("vectorDimension=\"768\"").doesNotContain("@DIMENSION@");
        assertThat(dir.resolve("lang/stopwords_es.txt")).isRegularFile();
        assertThatThrownBy(() -> SolrConfigset.write(tmp.resolve("bad"), 0)).isInstanceOf(KnowledgeException.class);
    }
}
