package dev.habla.knowledge.lucene.internal;

import dev.habla.knowledge.Embedder;
import dev.habla.knowledge.KnowledgeException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;

/**
 * What an index records about itself in its Lucene commit data: the embedding model's name and dimension and the
 * layout version. Written with every commit, checked on open.
 */
public final class IndexMeta {
    public static final String MODEL = "habla.embeddingModel";
    public static final String DIMENSION = "habla.dimension";
    public static final String FORMAT = "habla.format";
    /** The second model, for Spanish passages and questions; absent when the index has none. */
    public static final String SPANISH_MODEL = "habla.embeddingModel.es";
    /** Bumped when the layout or the analysis changes: an index of another version must be rebuilt. */
    public static final String FORMAT_VERSION = "2";

    private IndexMeta() {
    }

    public static Map<String, String> of(Embedder e) {
        return of(e, null);
    }

    /** The commit data of an index built with {@code e} and, for Spanish passages, {@code spanish} (null = none). */
    public static Map<String, String> of(Embedder e, Embedder spanish) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MODEL, e.name());
        m.put(DIMENSION, Integer.toString(e.dimension()));
        m.put(FORMAT, FORMAT_VERSION);
        if (spanish != null) m.put(SPANISH_MODEL, spanishLabel(spanish));
        return m;
    }

    private static String spanishLabel(Embedder spanish) {
        return spanish.name() + "/" + spanish.dimension();
    }

    public static boolean exists(Directory d) throws IOException {
        return DirectoryReader.indexExists(d);
    }

    public static Optional<String> recordedModel(Directory d) throws IOException {
        if (!exists(d)) return Optional.empty();
        return Optional.ofNullable(SegmentInfos.readLatestCommit(d).getUserData().get(MODEL));
    }

    /** The name of the second model for Spanish recorded in the index, if it has one. */
    public static Optional<String> recordedSpanishModel(Directory d) throws IOException {
        if (!exists(d)) return Optional.empty();
        String label = SegmentInfos.readLatestCommit(d).getUserData().get(SPANISH_MODEL);
        return label == null ? Optional.empty() : Optional.of(label.substring(0, label.lastIndexOf('/')));
    }

    /** Throws unless {@code d} is empty or a Habla index made with the same model and dimension. */
    public static void checkCompatible(Directory d, Embedder e) throws IOException {
        checkCompatible(d, e, null);
    }

    /** As {@link #checkCompatible(Directory, Embedder)}, and the Spanish model must be the recorded one (or both none). */
    public static void checkCompatible(Directory d, Embedder e, Embedder spanish) throws IOException {
        if (!exists(d)) {
            if (d.listAll().length > 0 && !onlyLock(d.listAll())) {
                throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO,
                        "the directory is not empty and holds no index: refusing to write an index into it");
            }
            return;
        }
        Map<String, String> data;
        try {
            data = SegmentInfos.readLatestCommit(d).getUserData();
        } catch (IndexNotFoundException ex) {
            return;
        }
        if (data.get(FORMAT) == null) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO,
                    "not a Habla knowledge index (a Lucene index without Habla's commit data)");
        }
        if (!FORMAT_VERSION.equals(data.get(FORMAT))) {
            throw new KnowledgeException(KnowledgeException.Kind.INDEX_IO, "the index has layout version "
                    + data.get(FORMAT) + ", this Habla reads version " + FORMAT_VERSION
                    + ": index the documents again into a new directory");
        }
        String model = data.get(MODEL);
        String dim = data.get(DIMENSION);
        if (!e.name().equals(model) || !Integer.toString(e.dimension()).equals(dim)) {
            throw new KnowledgeException(KnowledgeException.Kind.MODEL_MISMATCH, "the index was built with embedding "
                    + "model " + model + " (" + dim + " dimensions), not " + e.name() + " (" + e.dimension()
                    + "): open it with that model, or re-index into a new directory");
        }
        String recordedSpanish = data.get(SPANISH_MODEL);
        String wantedSpanish = spanish == null ? null : spanishLabel(spanish);
        if (!java.util.Objects.equals(recordedSpanish, wantedSpanish)) {
            throw new KnowledgeException(KnowledgeException.Kind.MODEL_MISMATCH, "the index was built "
                    + (recordedSpanish == null ? "without a Spanish model" : "with Spanish model " + recordedSpanish)
                    + ", not " + (wantedSpanish == null ? "without one" : "with " + wantedSpanish)
                    + ": open it the way it was built, or re-index into a new directory");
        }
    }

    private static boolean onlyLock(String[] files) {
        for (String f : files) if (!f.equals("write.lock")) return false;
        return true;
    }
}
