package dev.habla.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The built-in model, loaded from its Maven artifact (no network), and a user's model file that is not there. */
@Timeout(120)
class EmbedderTest {

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    @Test
    void defaultModelGivesUnitVectorsThatPutParaphrasesClose() {
        Embedder e = Embedder.defaultModel();
        assertThat(e.name()).isEqualTo(Embedder.DEFAULT_MODEL);
        assertThat(e.dimension()).isEqualTo(384);
        float[] q = e.embed("How do I rotate the log files?");
        assertThat(dot(q, q)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        List<float[]> docs = e.embedAll(List.of("logrotate compresses and rotates system logs periodically",
                "The recipe needs two eggs, flour and a pinch of salt."));
        assertThat(docs).hasSize(2);
        assertThat(dot(q, docs.get(0))).isGreaterThan(dot(q, docs.get(1)) + 0.2);
        assertThat(Embedder.defaultModel()).isSameAs(e);
    }

    @Test
    void aUsersOnnxFileLoadsLikeThePackagedModel(@TempDir Path dir) throws java.io.IOException {
        // The packaged model's own files, copied out of its jar: what a user with a model file on disk has.
        Path model = dir.resolve("model.onnx");
        Path tokenizer = dir.resolve("tokenizer.json");
        for (var f : List.of(List.of("/all-minilm-l6-v2-q.onnx", model), List.of("/all-minilm-l6-v2-q-tokenizer.json",
                tokenizer))) {
            try (var in = EmbedderTest.class.getResourceAsStream((String) f.get(0))) {
                assertThat(in).as("resource " + f.get(0)).isNotNull();
                java.nio.file.Files.copy(in, (Path) f.get(1));
            }
        }
        Embedder mine = Embedder.onnx("my-model", model, tokenizer);
        assertThat(mine.name()).isEqualTo("my-model");
        assertThat(mine.dimension()).isEqualTo(384);
        String s = "How do I rotate the log files?";
        assertThat(dot(mine.embed(s), Embedder.defaultModel().embed(s))).isGreaterThan(0.999);
    }

    @Test
    void aMissingModelFileIsATypedError(@TempDir Path dir) {
        assertThatThrownBy(() -> Embedder.onnx("mine", dir.resolve("model.onnx"), dir.resolve("tokenizer.json")))
                .isInstanceOfSatisfying(KnowledgeException.class,
                        ex -> assertThat(ex.kind()).isEqualTo(KnowledgeException.Kind.MODEL_LOAD));
    }
}
