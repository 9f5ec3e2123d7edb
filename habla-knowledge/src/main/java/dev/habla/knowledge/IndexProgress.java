package dev.habla.knowledge;

import java.nio.file.Path;

/** Progress of an {@link Indexer} run, called on the indexing thread after each file. */
@FunctionalInterface
public interface IndexProgress {

    /** {@code done} of {@code total} files handled; {@code file} is the one just handled. */
    void onFile(int done, int total, Path file);

    /**
     * Called once, after the last file, before the store's commit: on a large index the commit may merge it into one
     * segment (seconds to tens of seconds at 100k passages), so a progress display can say so instead of sitting full.
     */
    default void onCommit() { }

    IndexProgress NONE = (done, total, file) -> { };
}
