package dev.habla.knowledge;

import dev.habla.knowledge.internal.OnnxEmbedder;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns text into a unit-length vector (so cosine = dot product). Thread-safe.
 *
 * <p>{@link #defaultModel()} is all-MiniLM-L6-v2 (quantized, 384 dimensions, English), shipped inside a Maven
 * artifact: nothing is downloaded at run time. {@link #onnx} loads a user's own model file (for example a
 * multilingual one) with its {@code tokenizer.json}.
 */
public interface Embedder {

    /** The model's name, stored with an index; an index refuses to open with a differently named model. */
    String name();

    /** Length of every vector. */
    int dimension();

    /** The unit-length vector of {@code text}. */
    float[] embed(String text);

    /** The unit-length vectors of {@code texts}, in order (batched and parallel where the model allows). */
    List<float[]> embedAll(List<String> texts);

    /**
     * The vector of a search query. Stores embed questions with this and passages with {@link #embedPassages}: models
     * trained with a prefix per role (E5: {@code "query: "}, {@code "passage: "}) add it here. Default: {@link #embed}.
     */
    default float[] embedQuery(String query) {
        return embed(query);
    }

    /** The vectors of passages to index, in order (see {@link #embedQuery}). Default: {@link #embedAll}. */
    default List<float[]> embedPassages(List<String> passages) {
        return embedAll(passages);
    }

    /**
     * Whether the model's vectors mean something for text in {@code language} ({@code "en"}, {@code "es"}). Stores
     * fuse vectors into hybrid rankings, and the domain policy trusts cosines, only for covered languages. Default
     * true (a user's own model is assumed to fit the user's documents); the built-in model covers English only.
     */
    default boolean covers(String language) {
        return true;
    }

    /** Name of the second model for Spanish ({@link #spanishModel()}), as stored with indexes it built. */
    String SPANISH_MODEL = "e5-small-v2-q";

    /**
     * The built-in model for Spanish passages and questions: e5-small-v2 (quantized, 384 dimensions; shipped inside a
     * Maven artifact, loaded once per JVM), with its {@code "query: "} / {@code "passage: "} prefixes. It is an English
     * model, but it ranks Spanish passages for Spanish questions far better than the default model (Spanish recall@5
     * 0.727 against 0.455 on the Debian Reference; habla-knowledge-lucene README), at about 5x its embedding cost. A
     * store given it embeds Spanish passages twice and fuses these vectors for Spanish questions, BM25 first.
     */
    static Embedder spanishModel() {
        return OnnxEmbedder.spanishModel();
    }

    /** Name of the default model, as stored with indexes it built. */
    String DEFAULT_MODEL = "all-minilm-l6-v2-q";

    /** The default model (loaded once per JVM, ~1-2 s the first time; shared afterwards). */
    static Embedder defaultModel() {
        return OnnxEmbedder.defaultModel();
    }

    /**
     * A model from files: an ONNX sentence-embedding model with mean pooling and its Hugging Face
     * {@code tokenizer.json}. {@code name} is what the index stores (choose a stable one, e.g. the model's id).
     *
     * @throws KnowledgeException {@code MODEL_LOAD} when a file is missing or the model cannot be loaded
     */
    static Embedder onnx(String name, Path model, Path tokenizer) {
        return OnnxEmbedder.fromFiles(name, model, tokenizer);
    }
}
