package dev.habla.knowledge;

import java.time.Duration;
import java.util.List;

/**
 * What an {@link Indexer} run did.
 *
 * @param files          supported-or-not files found under the roots
 * @param indexed        files (new or changed) whose passages were (re)written
 * @param unchanged      files whose content hash matched the index: not touched
 * @param deleted        sources under the roots that no longer exist: removed from the index
 * @param passagesAdded  passages written by this run
 * @param passagesTotal  passages in the index after the run
 * @param skipped        files not indexed, with the reason (unsupported type, unreadable, no text)
 * @param elapsed        wall time of the run
 */
public record IndexReport(int files, int indexed, int unchanged, int deleted, long passagesAdded, long passagesTotal,
                          List<Skipped> skipped, Duration elapsed) {

    public IndexReport {
        skipped = List.copyOf(skipped);
    }

    /** A file that was not indexed and why. */
    public record Skipped(String path, String reason) {
    }
}
