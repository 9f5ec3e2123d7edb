package dev.habla.knowledge.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.knowledge.Hit;
import dev.habla.knowledge.IndexReport;
import dev.habla.knowledge.Indexer;
import dev.habla.knowledge.Ingest;
import dev.habla.knowledge.KnowledgeException;
import dev.habla.knowledge.SearchMode;
import dev.habla.knowledge.SearchResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store on a small corpus, with a fake embedder (fast) except where the real model matters. */
@Timeout(120)
class LuceneKnowledgeStoreTest {

    @TempDir
    Path tmp;

    private final HashingEmbedder embedder = new HashingEmbedder("hashing-test", 64);

    private Path docs() throws IOException {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(docs.resolve("returns.md"), """
                # Returns
                You can return an unused item within 30 days of delivery.

                ## Refunds
                Refunds are paid to the original card within five working days.
                """);
        Files.writeString(docs.resolve("devoluciones.md"), """
                # Devoluciones
                Puede devolver un artículo sin usar en los 30 días siguientes a la entrega.

                ## Contraseñas de la cuenta
                Las contraseñas de la tienda se cambian desde el perfil del cliente.
                """);
        Files.writeString(docs.resolve("shipping.html"), """
                <html><head><title>Shipping</title></head><body>
                <h2>Parcel tracking</h2><p>Every parcel gets a tracking number by e-mail once it leaves the warehouse.</p>
                </body></html>
                """);
        return docs;
    }

    @Test
    void searchFindsPassagesWithSourceHeadingAndScoresInEveryMode() throws IOException {
        Path docs = docs();
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(tmp.resolve("index"), embedder)) {
            IndexReport report = new Indexer(store).index(List.of(docs), (d, t, f) -> { });
            assertThat(report.files()).isEqualTo(3);
            assertThat(report.indexed()).isEqualTo(3);
            assertThat(store.info().documents()).isEqualTo(3);
            assertThat(store.info().passages()).isEqualTo(report.passagesTotal()).isEqualTo(5);

            SearchResult r = store.search("when are refunds paid to my card", 3);
            Hit top = r.hits().get(0);
            assertThat(top.passage().heading()).isEqualTo("Returns > Refunds");
            assertThat(top.passage().source()).isEqualTo(docs.resolve("returns.md").toAbsolutePath().toString());
            assertThat(top.bm25()).isPositive();
            assertThat(top.cosine()).isBetween(0.0, 1.0);
            assertThat(r.topCosine()).isGreaterThanOrEqualTo(top.cosine());
            assertThat(r.hits()).hasSizeLessThanOrEqualTo(3);

            assertThat(store.search("parcel tracking number", 1, SearchMode.BM25).hits().get(0).passage().heading())
                    .isEqualTo("Shipping > Parcel tracking");
            assertThat(store.search("tracking number parcel", 1, SearchMode.VECTOR).hits().get(0).passage()
                    .heading()).isEqualTo("Shipping > Parcel tracking");
        }
    }

    @Test
    void spanishDocumentsAreStemmedAsSpanish() throws IOException {
        Path docs = docs();
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(tmp.resolve("index"), embedder)) {
            new Indexer(store).index(List.of(docs), (d, t, f) -> { });
            // "contraseña" (singular) finds "contraseñas" only through the Spanish analyser's plural stemming.
            List<Hit> hits = store.search("¿cómo cambio la contraseña?", 5, SearchMode.BM25).hits();
            assertThat(hits).isNotEmpty();
            assertThat(hits.get(0).passage().language()).isEqualTo("es");
            assertThat(hits.get(0).passage().heading()).isEqualTo("Devoluciones > Contraseñas de la cuenta");
        }
    }

    @Test
    void reindexingTouchesOnlyChangedDeletedAndNewFiles() throws IOException {
        Path docs = docs();
        Files.write(docs.resolve("logo.png"), new byte[] {1, 2, 3});
        Path index = tmp.resolve("index");
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(index, embedder)) {
            IndexReport first = new Indexer(store).index(List.of(docs), (d, t, f) -> { });
            assertThat(first.indexed()).isEqualTo(3);
            assertThat(first.skipped()).extracting(IndexReport.Skipped::reason).containsExactly("unsupported file type");
        }
        Files.writeString(docs.resolve("returns.md"), "# Returns\nReturns are free of charge.\n");
        Files.delete(docs.resolve("shipping.html"));
        Files.writeString(docs.resolve("faq.txt"), "Opening hours are nine to five.\n");
        List<Integer> progress = new ArrayList<>();
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(index, embedder)) {
            IndexReport second = new Indexer(store).index(List.of(docs), (d, t, f) -> progress.add(d));
            assertThat(second.indexed()).as("changed returns.md and new faq.txt").isEqualTo(2);
            assertThat(second.unchanged()).as("devoluciones.md").isEqualTo(1);
            assertThat(second.deleted()).as("shipping.html").isEqualTo(1);
            assertThat(progress).containsExactly(1, 2, 3, 4);
            assertThat(store.info().documents()).isEqualTo(3);
            assertThat(store.sourceHashes()).containsEntry(docs.resolve("faq.txt").toAbsolutePath().toString(),
                    Ingest.hash(Files.readAllBytes(docs.resolve("faq.txt"))));
            assertThat(store.search("parcel tracking", 5, SearchMode.BM25).hits()).isEmpty();
            assertThat(store.search("free of charge", 1).hits().get(0).passage().text())
                    .isEqualTo("Returns are free of charge.");
        }
    }

    @Test
    void anIndexRefusesAnotherEmbeddingModel() throws IOException {
        Path index = tmp.resolve("index");
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(index, embedder)) {
            new Indexer(store).index(List.of(docs()), (d, t, f) -> { });
        }
        assertThat(LuceneKnowledgeStore.recordedModel(index)).contains("hashing-test");
        assertThatThrownBy(() -> LuceneKnowledgeStore.open(index, new HashingEmbedder("other-model", 64)))
                .isInstanceOfSatisfying(KnowledgeException.class, e -> {
                    assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.MODEL_MISMATCH);
                    assertThat(e.getMessage()).contains("hashing-test").contains("other-model");
                });
        assertThatThrownBy(() -> LuceneKnowledgeStore.open(index, new HashingEmbedder("hashing-test", 32)))
                .isInstanceOfSatisfying(KnowledgeException.class,
                        e -> assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.MODEL_MISMATCH));
        // Still opens with the right one.
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(index, embedder)) {
            assertThat(store.info().documents()).isEqualTo(3);
        }
    }

    @Test
    void anIndexInUseOrANonIndexDirectoryIsATypedError() throws IOException {
        Path index = tmp.resolve("index");
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(index, embedder)) {
            assertThatThrownBy(() -> LuceneKnowledgeStore.open(index, embedder))
                    .isInstanceOfSatisfying(KnowledgeException.class, e -> {
                        assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.INDEX_IO);
                        assertThat(e.getMessage()).contains("in use");
                    });
            assertThat(store.info().passages()).isZero();
        }
        Path notIndex = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(notIndex.resolve("holiday.jpg"), "x");
        assertThatThrownBy(() -> LuceneKnowledgeStore.open(notIndex, embedder))
                .isInstanceOfSatisfying(KnowledgeException.class,
                        e -> assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.INDEX_IO));
        assertThat(notIndex.resolve("holiday.jpg")).exists();
    }

    @Test
    void badQueriesAreTypedErrorsAndAnEmptyIndexIsOutOfEveryDomain() {
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.inMemory(embedder)) {
            SearchResult r = store.search("anything at all", 5);
            assertThat(r.hits()).isEmpty();
            assertThat(r.topCosine()).isNaN();
            assertThatThrownBy(() -> store.search(" ", 5)).isInstanceOfSatisfying(KnowledgeException.class,
                    e -> assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.BAD_ARGUMENT));
            assertThatThrownBy(() -> store.search("q", 0)).isInstanceOfSatisfying(KnowledgeException.class,
                    e -> assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.BAD_ARGUMENT));
        }
    }

    @Test
    void closeDropsUncommittedWritesAndIsIdempotent() throws IOException {
        Path index = tmp.resolve("index");
        LuceneKnowledgeStore store = LuceneKnowledgeStore.open(index, embedder);
        store.put(Ingest.read(docs().resolve("returns.md")));
        store.close();
        store.close();
        assertThatThrownBy(() -> store.search("q", 1)).isInstanceOf(KnowledgeException.class);
        try (LuceneKnowledgeStore again = LuceneKnowledgeStore.open(index, embedder)) {
            assertThat(again.info().passages()).isZero();
        }
    }
}
