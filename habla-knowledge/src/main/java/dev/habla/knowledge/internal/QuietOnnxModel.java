package dev.habla.knowledge.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A langchain4j in-process BERT model whose onnxruntime session runs each text on the calling thread alone: one
 * intra-op thread, no spin-waiting. The library default (one intra-op thread per core, its helpers spinning after
 * each run) makes one short text a little faster on an idle machine, but a store's search embeds the query while
 * BM25 runs on another thread: on 2 cores the spinning helper takes the core BM25 needs (and other processes'). See
 * habla-knowledge-lucene's README for the figures. Batches ({@code embedAll}) still run in parallel, one text per
 * core, on langchain4j's executor.
 */
final class QuietOnnxModel extends AbstractInProcessEmbeddingModel {

    private final OnnxBertBiEncoder encoder;

    private QuietOnnxModel(OnnxBertBiEncoder encoder) {
        super(null); // langchain4j's default executor: one thread per core, for embedAll
        this.encoder = encoder;
    }

    /** The model and tokenizer bundled as class-path resources (e.g. langchain4j's all-MiniLM-L6-v2-q jar). */
    static QuietOnnxModel fromResources(String model, String tokenizer, PoolingMode pooling) {
        ClassLoader cl = QuietOnnxModel.class.getClassLoader();
        try (InputStream m = cl.getResourceAsStream(model); InputStream t = cl.getResourceAsStream(tokenizer)) {
            if (m == null || t == null) {
                throw new IllegalStateException("resource " + (m == null ? model : tokenizer) + " not on the class path");
            }
            return load(m.readAllBytes(), t, pooling);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static QuietOnnxModel fromFiles(Path model, Path tokenizer, PoolingMode pooling) {
        try (InputStream t = Files.newInputStream(tokenizer)) {
            return load(Files.readAllBytes(model), t, pooling);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static QuietOnnxModel load(byte[] model, InputStream tokenizer, PoolingMode pooling) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            // Otherwise onnxruntime's defaults, as langchain4j uses them (graph optimisations: all).
            // The session lives as long as the model (the default one: the process), like langchain4j's own.
            OrtSession session = env.createSession(model, options);
            return new QuietOnnxModel(new OnnxBertBiEncoder(env, session, tokenizer, pooling));
        } catch (OrtException e) {
            throw new IllegalStateException("onnxruntime cannot load the model: " + e.getMessage(), e);
        }
    }

    @Override
    protected OnnxBertBiEncoder model() {
        return encoder;
    }
}
