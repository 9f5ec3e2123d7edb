package dev.habla.knowledge.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.Fusion;
import dev.habla.knowledge.Hit;
import dev.habla.knowledge.Indexer;
import dev.habla.knowledge.KnowledgeException;
import dev.habla.knowledge.SearchMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store with a second model for Spanish ({@code LuceneKnowledgeStore.open(dir, embedder, spanish)}), with fake
 * embedders: Spanish passages and questions go to the second model, the index records it, hybrid fuses BM25-led.
 */
@Timeout(120)
class SpanishModelTest {

    @TempDir
    Path tmp;

    private final HashingEmbedder embedder = new HashingEmbedder("hashing-test", 64);

    /** The fake Spanish model: a hashing embedder that remembers what it was asked to embed, and as what. */
    private static final class Recording implements Embedder {
        final HashingEmbedder inner;
        final List<String> queries = new CopyOnWriteArrayList<>();
        final List<String> passages = new CopyOnWriteArrayList<>();

        Recording(String name, int dimension) {
            inner = new HashingEmbedder(name, dimension);
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public int dimension() {
            return inner.dimension();
        }

        @Override
        public float[] embed(String text) {
            return inner.embed(text);
        }

        @Override
        public List<float[]> embedAll(List<String> texts) {
            return inner.embedAll(texts);
        }

        @Override
        public float[] embedQuery(String query) {
            queries.add(query);
            return inner.embed(query);
        }

        @Override
        public List<float[]> embedPassages(List<String> texts) {
            passages.addAll(texts);
            return inner.embedAll(texts);
        }
    }

    private Path docs() throws IOException {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(docs.resolve("returns.md"), """
                # Returns
                You can return an unused item within 30 days of delivery.
                """);
        Files.writeString(docs.resolve("devoluciones.md"), """
                # Devoluciones
                Puede devolver un artículo sin usar en los 30 días siguientes a la entrega.

                ## Contraseñas de la cuenta
                Las contraseñas de la tienda se cambian desde el perfil del cliente.

                ## Envíos
                Cada paquete recibe un número de seguimiento por correo cuando sale del almacén.
                """);
        return docs;
    }

    @Test
    void spanishPassagesAndQuestionsGoToTheSpanishModelOthersDoNot() throws IOException {
        Recording spanish = new Recording("hashing-es", 32);
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(tmp.resolve("index"), embedder, spanish)) {
            new Indexer(store).index(List.of(docs()), (d, t, f) -> { });
            assertThat(spanish.passages).hasSize(3).allMatch(t -> !t.contains("unused item"));

            List<Hit> vec = store.search("¿Cómo cambio las contraseñas de la cuenta?", 3, SearchMode.VECTOR).hits();
            assertThat(spanish.queries).containsExactly("¿Cómo cambio las contraseñas de la cuenta?");
            assertThat(vec).allMatch(h -> h.passage().language().equals("es"));
            assertThat(vec.get(0).passage().heading()).isEqualTo("Devoluciones > Contraseñas de la cuenta");
            // The cosine is the Spanish model's (32 buckets), not the main one's.
            String best = vec.get(0).passage().indexText();
            assertThat(vec.get(0).cosine()).isCloseTo(dot(spanish.inner.embed("¿Cómo cambio las contraseñas de la "
                    + "cuenta?"), spanish.inner.embed(best)), org.assertj.core.data.Offset.offset(1e-4));

            store.search("How do I return an unused item?", 3, SearchMode.VECTOR);
            assertThat(spanish.queries).as("an English question uses the main model").hasSize(1);
        }
    }

    @Test
    void spanishHybridIsBm25LedFusionOfBm25AndTheSpanishVectors() throws IOException {
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.inMemory(embedder, new Recording("hashing-es", 32))) {
            new Indexer(store).index(List.of(docs()), (d, t, f) -> { });
            String q = "¿Qué número de seguimiento recibe mi paquete?";
            List<Hit> bm25 = store.search(q, 50, SearchMode.BM25).hits();
            List<Hit> vec = store.search(q, 50, SearchMode.VECTOR).hits();
            List<String> expected = Fusion.rrf(bm25, vec, 3, Fusion.Weights.BM25_LED).stream()
                    .map(h -> h.passage().id()).toList();
            assertThat(store.search(q, 3, SearchMode.HYBRID).hits()).extracting(h -> h.passage().id())
                    .containsExactlyElementsOf(expected);
            assertThat(expected).isNotEmpty();
        }
    }

    @Test
    void aSpanishQuestionOnAnIndexWithoutSpanishPassagesIsAnsweredByBm25AndVectorsOfNothing() throws IOException {
        Path docs = Files.createDirectories(tmp.resolve("english"));
        Files.writeString(docs.resolve("returns.md"), "# Returns\nYou can return an unused item within 30 days.\n");
        Recording spanish = new Recording("hashing-es", 32);
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.inMemory(embedder, spanish)) {
            new Indexer(store).index(List.of(docs), (d, t, f) -> { });
            assertThat(spanish.passages).isEmpty();
            // No passage has a Spanish vector (the field does not exist in the index): no vector hits, BM25 decides.
            assertThat(store.search("¿Cómo devuelvo un item en 30 días?", 3, SearchMode.VECTOR).hits()).isEmpty();
            assertThat(store.search("¿Cómo devuelvo un item en 30 días?", 3, SearchMode.HYBRID).hits())
                    .extracting(h -> h.passage().heading()).containsExactly("Returns");
        }
    }

    @Test
    void theIndexRecordsItsSpanishModel() throws IOException {
        Path index = tmp.resolve("index");
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(index, embedder, new Recording("hashing-es", 32))) {
            new Indexer(store).index(List.of(docs()), (d, t, f) -> { });
        }
        assertThat(LuceneKnowledgeStore.recordedSpanishModel(index)).contains("hashing-es");
        assertThatThrownBy(() -> LuceneKnowledgeStore.open(index, embedder))
                .isInstanceOfSatisfying(KnowledgeException.class, e -> {
                    assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.MODEL_MISMATCH);
                    assertThat(e.getMessage()).contains("hashing-es");
                });
        assertThatThrownBy(() -> LuceneKnowledgeStore.open(index, embedder, new Recording("other-es", 32)))
                .isInstanceOfSatisfying(KnowledgeException.class, e -> {
                    assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.MODEL_MISMATCH);
                    assertThat(e.getMessage()).contains("hashing-es").contains("other-es");
                });
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(index, embedder, new Recording("hashing-es", 32))) {
            assertThat(store.info().documents()).isEqualTo(2);
        }

        Path plain = tmp.resolve("plain");
        try (LuceneKnowledgeStore store = LuceneKnowledgeStore.open(plain, embedder)) {
            new Indexer(store).index(List.of(docs()), (d, t, f) -> { });
        }
        assertThat(LuceneKnowledgeStore.recordedSpanishModel(plain)).isEmpty();
        assertThatThrownBy(() -> LuceneKnowledgeStore.open(plain, embedder, new Recording("hashing-es", 32)))
                .isInstanceOfSatisfying(KnowledgeException.class, e -> {
                    assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.MODEL_MISMATCH);
                    assertThat(e.getMessage()).contains("without a Spanish model");
                });
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
