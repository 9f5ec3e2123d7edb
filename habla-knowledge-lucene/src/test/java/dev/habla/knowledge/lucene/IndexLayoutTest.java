package dev.habla.knowledge.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.habla.knowledge.Hit;
import dev.habla.knowledge.KnowledgeException;
import dev.habla.knowledge.Passage;
import dev.habla.knowledge.SearchMode;
import dev.habla.knowledge.SourceDocument;
import dev.habla.knowledge.lucene.internal.FilterCaching;
import dev.habla.knowledge.lucene.internal.IndexMeta;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the store does to the index it writes: merges it into one segment when a commit changed a sizeable share of
 * it (not after a small update), reports exact cosines, caches only language filters, and refuses an index of an
 * older layout. Fake embedder: fast.
 */
@Timeout(120)
class IndexLayoutTest {

    private static final String[] WORDS = {"network", "printer", "kernel", "backup", "shell", "package", "mirror",
        "locale", "font", "sound", "firewall", "disk", "user", "cron", "mail", "proxy", "boot", "driver"};

    @TempDir
    Path tmp;

    private final HashingEmbedder embedder = new HashingEmbedder("hashing-test", 64);

    /** A synthetic file of {@code n} passages of random words (version {@code v} of its content). */
    private static SourceDocument file(int i, int n, int v) {
        Random rnd = new Random(i * 31L + v);
        List<Passage> ps = new ArrayList<>();
        String source = "/docs/file" + i + ".md";
        for (int j = 0; j < n; j++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 12; w++) text.append(WORDS[rnd.nextInt(WORDS.length)]).append(' ');
            ps.add(new Passage(source + "#" + j, source, List.of("File " + i), 0, text.toString().strip(), "en"));
        }
        return new SourceDocument(source, "hash" + i + "v" + v, "en", ps);
    }

    private static int segments(Path index) throws IOException {
        try (Directory d = FSDirectory.open(index)) {
            return SegmentInfos.readLatestCommit(d).size();
        }
    }

    @Test
    void aBuildEndsInOneSegmentAndASmallUpdateDoesNotRewriteTheIndex() throws IOException {
        Path index = tmp.resolve("index");
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(index, embedder)) {
            // Three indexing runs of 10 files each (a commit each: a segment each).
            for (int run = 0; run < 3; run++) {
                for (int i = run * 10; i < run * 10 + 10; i++) store.put(file(i, 20, 0));
                store.commit();
            }
            assertThat(segments(index)).isEqualTo(1);
            assertThat(store.info().passages()).isEqualTo(600);

            // One changed file (20 of 600 passages): a small segment beside the big one, no rewrite.
            store.put(file(3, 20, 1));
            store.commit();
            assertThat(segments(index)).isEqualTo(2);
            // Further updates pile up until they are a sizeable share (10 %): then one merge.
            int updated = 1;
            while (segments(index) > 1) {
                assertThat(updated).as("files updated without a merge").isLessThan(6);
                store.put(file(3 + updated, 20, 1));
                store.commit();
                updated++;
            }
            // 4 files of 21 documents (20 passages and the file's marker) = 84 of 714 documents (11.8 %).
            assertThat(updated).isEqualTo(4);
            assertThat(store.info().passages()).isEqualTo(600);
            assertThat(store.search("kernel driver boot", 5, SearchMode.VECTOR).hits()).hasSize(5);
        }
    }

    @Test
    void vectorHitsCarryExactCosinesBestFirst() {
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.inMemory(embedder)) {
            Map<String, Passage> byId = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                SourceDocument d = file(i, 30, 0);
                store.put(d);
                d.passages().forEach(p -> byId.put(p.id(), p));
            }
            store.commit();
            String query = "printer driver for the network";
            float[] q = embedder.embed(query);
            List<Hit> hits = store.search(query, 20, SearchMode.VECTOR).hits();
            assertThat(hits).hasSize(20);
            double previous = Double.MAX_VALUE;
            for (Hit h : hits) {
                float exact = VectorUtil.dotProduct(q, embedder.embed(byId.get(h.passage().id()).indexText()));
                assertThat(h.cosine()).isCloseTo(exact, within(1e-6));
                assertThat(h.cosine()).isLessThanOrEqualTo(previous);
                previous = h.cosine();
            }
        }
    }

    @Test
    void onlyFiltersOnTheLanguageFieldAreCached() {
        FilterCaching policy = new FilterCaching("lang");
        TermQuery lang = new TermQuery(new Term("lang", "en"));
        assertThat(policy.shouldCache(lang)).isTrue();
        // What the vector search makes of its filter: the filter and the vector field's existence, both FILTER.
        assertThat(policy.shouldCache(new BooleanQuery.Builder().add(lang, BooleanClause.Occur.FILTER)
                .add(new FieldExistsQuery("vector"), BooleanClause.Occur.FILTER).build())).isTrue();
        assertThat(policy.shouldCache(new TermQuery(new Term("text_en", "kernel")))).isFalse();
        assertThat(policy.shouldCache(new BooleanQuery.Builder().add(lang, BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term("text_en", "kernel")), BooleanClause.Occur.MUST).build())).isFalse();
        assertThat(policy.shouldCache(new FieldExistsQuery("vector"))).isFalse();
    }

    @Test
    void anIndexOfAnOlderLayoutIsRefusedWithIndexAgain() throws IOException {
        Path index = tmp.resolve("index");
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(index, embedder)) {
            store.put(file(0, 5, 0));
            store.commit();
        }
        try (Directory d = FSDirectory.open(index); IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
            Map<String, String> data = new HashMap<>(IndexMeta.of(embedder));
            data.put(IndexMeta.FORMAT, "1");
            w.setLiveCommitData(data.entrySet());
            w.commit();
        }
        assertThatThrownBy(() -> LuceneKnowledgeStore.open(index, embedder))
                .isInstanceOfSatisfying(KnowledgeException.class, e -> {
                    assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.INDEX_IO);
                    assertThat(e.getMessage()).contains("layout version 1").contains("index the documents again");
                });
    }
}
