package dev.habla.knowledge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds or updates a {@link KnowledgeStore} from files and directories: new and changed files (by SHA-256 of their
 * bytes) are re-read and their passages replaced; unchanged ones are not touched; sources under a root that no longer
 * exist are removed. Unsupported or unreadable files are reported in {@link IndexReport#skipped()}, never fatal.
 * Runs on the caller's thread; one commit at the end.
 */
public final class Indexer {
    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);

    private final KnowledgeStore store;
    private final Ingest.Options options;

    public Indexer(KnowledgeStore store) {
        this(store, Ingest.Options.DEFAULT);
    }

    public Indexer(KnowledgeStore store, Ingest.Options options) {
        this.store = store;
        this.options = options;
    }

    /** Indexes every regular file under {@code roots} (files or directories, walked recursively; hidden skipped). */
    public IndexReport index(List<Path> roots, IndexProgress progress) {
        long start = System.nanoTime();
        List<Path> files = new ArrayList<>();
        List<IndexReport.Skipped> skipped = new ArrayList<>();
        List<String> rootPrefixes = new ArrayList<>();
        for (Path root : roots) {
            Path abs = root.toAbsolutePath().normalize();
            rootPrefixes.add(abs.toString());
            if (Files.isRegularFile(abs)) {
                files.add(abs);
            } else if (Files.isDirectory(abs)) {
                try (Stream<Path> walk = Files.walk(abs)) {
                    walk.filter(Files::isRegularFile).filter(p -> !hidden(abs, p)).sorted().forEach(files::add);
                } catch (IOException | UncheckedIOException e) {
                    skipped.add(new IndexReport.Skipped(abs.toString(), "cannot list directory: " + e.getMessage()));
                }
            } else {
                skipped.add(new IndexReport.Skipped(abs.toString(), "no such file or directory"));
            }
        }
        Map<String, String> known = store.sourceHashes();
        Set<String> seen = new HashSet<>();
        int indexed = 0;
        int unchanged = 0;
        long added = 0;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            String source = Ingest.sourceOf(file);
            seen.add(source);
            try {
                if (Ingest.formatOf(file).isEmpty()) {
                    skipped.add(new IndexReport.Skipped(source, "unsupported file type"));
                } else if (sameHash(file, known.get(source))) {
                    unchanged++;
                } else {
                    SourceDocument doc = Ingest.read(file, options);
                    if (doc.passages().isEmpty()) {
                        skipped.add(new IndexReport.Skipped(source, "no text found"));
                        store.delete(source);
                    } else {
                        store.put(doc);
                        indexed++;
                        added += doc.passages().size();
                    }
                }
            } catch (KnowledgeException e) {
                if (e.kind() != KnowledgeException.Kind.UNSUPPORTED_FORMAT
                        && e.kind() != KnowledgeException.Kind.UNREADABLE) {
                    throw e;
                }
                LOG.debug("skipped {}: {}", source, e.getMessage());
                skipped.add(new IndexReport.Skipped(source, e.getMessage()));
            }
            progress.onFile(i + 1, files.size(), file);
        }
        int deleted = 0;
        for (String source : known.keySet()) {
            if (!seen.contains(source) && underAny(source, rootPrefixes) && !Files.exists(Path.of(source))) {
                store.delete(source);
                deleted++;
            }
        }
        progress.onCommit();
        store.commit();
        return new IndexReport(files.size(), indexed, unchanged, deleted, added, store.info().passages(), skipped,
                Duration.ofNanos(System.nanoTime() - start));
    }

    private static boolean sameHash(Path file, String knownHash) {
        if (knownHash == null) return false;
        try {
            return knownHash.equals(Ingest.hash(Files.readAllBytes(file)));
        } catch (IOException e) {
            return false; // read again below, where the error is reported
        }
    }

    private static boolean hidden(Path root, Path p) {
        for (Path part : root.relativize(p)) {
            if (part.toString().startsWith(".")) return true;
        }
        return false;
    }

    private static boolean underAny(String source, List<String> prefixes) {
        for (String p : prefixes) {
            if (source.equals(p) || source.startsWith(p.endsWith("/") ? p : p + "/")) return true;
        }
        return false;
    }
}
