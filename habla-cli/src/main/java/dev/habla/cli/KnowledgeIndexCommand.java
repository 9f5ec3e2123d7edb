package dev.habla.cli;

import dev.habla.knowledge.IndexInfo;
import dev.habla.knowledge.IndexProgress;
import dev.habla.knowledge.IndexReport;
import dev.habla.knowledge.Indexer;
import dev.habla.knowledge.Ingest;
import dev.habla.knowledge.KnowledgeException;
import dev.habla.knowledge.lucene.LuceneKnowledgeStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code habla knowledge index DIR…}: builds or updates the index. Only new or changed files are read again (SHA-256
 * of their bytes), files gone from a directory given are removed; a progress bar on stderr when it is a terminal;
 * a summary at the end. Unsupported or unreadable files are listed, never fatal.
 */
@Command(name = "index", usageHelpAutoWidth = true,
        description = "Build or update the knowledge index from files and directories (Markdown, text, HTML, PDF; "
                + "directories are walked, hidden files skipped). Unchanged files are not read again.")
final class KnowledgeIndexCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to index.")
    List<Path> roots;

    @Mixin
    KnowledgeIndexArgs indexArgs = new KnowledgeIndexArgs();

    @Option(names = "--max-chars", paramLabel = "N", defaultValue = "800",
            description = "Longest passage in characters (default: ${DEFAULT-VALUE}).")
    int maxChars;

    @Option(names = "--overlap", paramLabel = "N", defaultValue = "150",
            description = "Characters repeated across a cut inside a section (default: ${DEFAULT-VALUE}).")
    int overlap;

    @Option(names = "--spanish-model", negatable = true,
            description = "Embed Spanish passages a second time with the built-in e5-small-v2 model and rank Spanish "
                    + "questions on it with BM25 (better Spanish retrieval; Spanish passages take about 4x longer to "
                    + "index). Default for a new index built with the built-in model; the index remembers it.")
    Boolean spanishModel;

    KnowledgeIndexCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (maxChars < 100 || overlap < 0 || overlap >= maxChars / 2) {
            throw new CliException(ExitCodes.USAGE, "need --max-chars >= 100 and 0 <= --overlap < max-chars/2");
        }
        List<Path> paths = new ArrayList<>();
        for (Path r : roots) paths.add(ctx.resolve(r));
        PrintStream err = ctx.err();
        ProgressBar bar = new ProgressBar(err, ctx.console() && System.console() != null);
        IndexReport report;
        IndexInfo info;
        try (LuceneKnowledgeStore store = indexArgs.openForIndexing(ctx, spanishModel)) {
            report = new Indexer(store, new Ingest.Options(maxChars, overlap)).index(paths, bar);
            info = store.info();
        } catch (KnowledgeException e) {
            throw KnowledgeIndexArgs.failure(e);
        } finally {
            bar.finish();
        }
        PrintStream out = ctx.out();
        out.printf(Locale.ROOT, "%d files: %d indexed, %d unchanged, %d removed, %d skipped; %d passages written "
                        + "in %.1f s%n", report.files(), report.indexed(), report.unchanged(), report.deleted(),
                report.skipped().size(), report.passagesAdded(), report.elapsed().toMillis() / 1000.0);
        String spanish = LuceneKnowledgeStore.recordedSpanishModel(indexArgs.indexDir(ctx))
                .map(m -> ", Spanish passages also " + m).orElse("");
        out.printf(Locale.ROOT, "index %s: %d documents, %d passages (embedding model %s%s)%n",
                ctx.display(indexArgs.indexDir(ctx)), info.documents(), info.passages(), info.embeddingModel(), spanish);
        if (!report.skipped().isEmpty()) {
            out.println("skipped:");
            for (IndexReport.Skipped s : report.skipped()) {
                out.println("  " + ctx.display(Path.of(s.path())) + ": " + s.reason());
            }
        }
        return ExitCodes.OK;
    }

    /**
     * One line on stderr redrawn in place ({@code \r}) at most ten times a second, only on a terminal; called on the
     * indexing thread (the only thread that prints while indexing).
     */
    static final class ProgressBar implements IndexProgress {
        private static final int WIDTH = 30;
        private final PrintStream err;
        private final boolean enabled;
        private long lastDraw;
        private boolean drawn;

        ProgressBar(PrintStream err, boolean enabled) {
            this.err = err;
            this.enabled = enabled;
        }

        @Override
        public void onFile(int done, int total, Path file) {
            if (!enabled) return;
            long now = System.nanoTime();
            if (drawn && done < total && now - lastDraw < 100_000_000L) return; // first and last always drawn
            lastDraw = now;
            drawn = true;
            int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
            String name = file.getFileName() == null ? "" : file.getFileName().toString();
            if (name.length() > 30) name = "…" + name.substring(name.length() - 29);
            err.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " "
                    + String.format(Locale.ROOT, "%-30s", name));
            err.flush();
        }

        @Override
        public void onCommit() {
            if (!enabled || !drawn) return;
            // the line stays within the width finish() clears
            err.print("\r" + String.format(Locale.ROOT, "%-" + (WIDTH + 45) + "s",
                    "[" + "#".repeat(WIDTH) + "] saving the index (merging)…"));
            err.flush();
        }

        void finish() {
            if (drawn) {
                err.print("\r" + " ".repeat(WIDTH + 45) + "\r");
                err.flush();
            }
        }
    }
}
