package dev.habla.knowledge;

import java.nio.file.Path;

/** Progress of an {@link Indexer} run, called on the indexing thread after each file. */
@FunctionalInterface
public interface IndexProgress {

    /** {@code done} of {@code total} files handled; {@code file} is the one just handled. */
    void onFile(int done, int total, Path file);

    IndexProgress NONE = (done, total, file) -> { };
}
