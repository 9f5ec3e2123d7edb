package dev.habla.cli;

import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.KnowledgeException;
import dev.habla.knowledge.lucene.LuceneKnowledgeStore;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the knowledge index is and which embedding model reads it: the options every command that opens an index
 * shares ({@code habla knowledge index|search}). Default index: {@code ~/.habla/knowledge}.
 */
final class KnowledgeIndexArgs {

    /** The index used when no {@code --index} is given, under the user's home. */
    static Path defaultIndex(CliContext ctx) {
        return ctx.home().resolve(".habla").resolve("knowledge");
    }

    @Option(names = "--index", paramLabel = "PATH",
            description = "The index directory (default: ~/.habla/knowledge).")
    Path index;

    @Option(names = "--embedding-model", paramLabel = "FILE.onnx",
            description = "Your own ONNX sentence-embedding model (mean pooling) instead of the built-in "
                    + "all-MiniLM-L6-v2; its tokenizer.json must sit beside it (or give --tokenizer). An index "
                    + "remembers its model: search it with the same one.")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "tokenizer.json",
            description = "The Hugging Face tokenizer.json of --embedding-model (default: beside the model file).")
    Path tokenizer;

    Path indexDir(CliContext ctx) {
        return index == null ? defaultIndex(ctx) : ctx.resolve(index);
    }

    /** The embedder: the built-in model, or the user's file named by its file name ({@code onnx:model.onnx}). */
    Embedder embedder(CliContext ctx) {
        if (model == null) {
            if (tokenizer != null) throw new CliException(ExitCodes.USAGE, "--tokenizer needs --embedding-model");
            return Embedder.defaultModel();
        }
        Path m = ctx.resolve(model);
        Path t = tokenizer == null ? m.resolveSibling("tokenizer.json") : ctx.resolve(tokenizer);
        if (!Files.isReadable(m)) throw new CliException(ExitCodes.USAGE, "cannot read --embedding-model " + m);
        if (!Files.isReadable(t)) {
            throw new CliException(ExitCodes.USAGE, "cannot read the tokenizer " + t + " (give --tokenizer)");
        }
        try {
            return Embedder.onnx("onnx:" + m.getFileName(), m, t);
        } catch (KnowledgeException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage(), e);
        }
    }

    /**
     * The second model for Spanish the index at {@code dir} was built with, loaded; null when it has none. An index
     * remembers it, so searching and re-indexing need no option.
     */
    static Embedder recordedSpanishModel(CliContext ctx, Path dir) {
        var name = LuceneKnowledgeStore.recordedSpanishModel(dir);
        if (name.isEmpty()) return null;
        if (!name.get().equals(Embedder.SPANISH_MODEL)) {
            throw new CliException(ExitCodes.NO_INDEX, "the index at " + ctx.display(dir) + " was built with Spanish "
                    + "model " + name.get() + ", which this habla does not have");
        }
        return Embedder.spanishModel();
    }

    /**
     * Opens the index for writing, creating it when absent. {@code spanishModel} is the user's choice of the second
     * model for Spanish ({@code --[no-]spanish-model}; null = not said): an existing index keeps what it was built with
     * unless told otherwise (then the store refuses the other set of models); a new index built with the built-in
     * model gets it by default — it is loaded only when a Spanish passage or question needs it, so an English corpus
     * costs nothing. A user's own model is assumed to cover the user's languages: no second model unless asked.
     */
    LuceneKnowledgeStore openForIndexing(CliContext ctx, Boolean spanishModel) {
        Path dir = indexDir(ctx);
        Embedder e = embedder(ctx);
        boolean exists = LuceneKnowledgeStore.recordedModel(dir).isPresent();
        Embedder spanish;
        if (spanishModel != null) {
            spanish = spanishModel ? Embedder.spanishModel() : null;
        } else if (exists) {
            spanish = recordedSpanishModel(ctx, dir);
        } else {
            spanish = Embedder.DEFAULT_MODEL.equals(e.name()) ? Embedder.spanishModel() : null;
        }
        try {
            return LuceneKnowledgeStore.open(dir, e, spanish);
        } catch (KnowledgeException ex) {
            throw failure(ex);
        }
    }

    /** Opens an existing index; a missing one is an error that says how to build it. */
    LuceneKnowledgeStore openExisting(CliContext ctx) {
        Path dir = indexDir(ctx);
        try {
            if (LuceneKnowledgeStore.recordedModel(dir).isEmpty()) {
                throw new CliException(ExitCodes.NO_INDEX, "no knowledge index at " + ctx.display(dir)
                        + " (build one with: habla knowledge index DIR" + (index == null ? "" : " --index " + index)
                        + ")");
            }
            return LuceneKnowledgeStore.open(dir, embedder(ctx), recordedSpanishModel(ctx, dir));
        } catch (KnowledgeException ex) {
            throw failure(ex);
        }
    }

    static CliException failure(KnowledgeException e) {
        return switch (e.kind()) {
            case BAD_ARGUMENT -> new CliException(ExitCodes.USAGE, e.getMessage(), e);
            default -> new CliException(ExitCodes.NO_INDEX, e.getMessage(), e);
        };
    }
}
