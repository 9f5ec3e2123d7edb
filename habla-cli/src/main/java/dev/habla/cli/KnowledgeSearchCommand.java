package dev.habla.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.habla.knowledge.DomainPolicy;
import dev.habla.knowledge.Hit;
import dev.habla.knowledge.KnowledgeException;
import dev.habla.knowledge.SearchMode;
import dev.habla.knowledge.SearchResult;
import dev.habla.knowledge.Verdict;
import dev.habla.knowledge.lucene.LuceneKnowledgeStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code habla knowledge search "question"}: the passages found with source and scores, and the domain policy's
 * verdict. {@code --json} prints one object: {@code {"query", "inDomain", "hits": [{"source", "heading", "score",
 * "text"}], "verdict": {"outcome", "signal", "relevance", "threshold", "sentence"}}}, hits best first.
 */
@Command(name = "search", usageHelpAutoWidth = true,
        description = "Search the knowledge index: passages with source and scores, and whether the question is in "
                + "the domain (top-1 cosine against --threshold).")
final class KnowledgeSearchCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "QUESTION", description = "The question or search words.")
    String query;

    @Mixin
    KnowledgeIndexArgs indexArgs = new KnowledgeIndexArgs();

    @Option(names = "-k", paramLabel = "N", defaultValue = "5", description = "Passages to show (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--json", description = "Print one JSON object (for scripts).")
    boolean json;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "hybrid",
            description = "Ranking: hybrid (default), bm25 or vector.")
    SearchMode mode;

    @Option(names = "--domain", paramLabel = "TEXT", defaultValue = "the indexed documents",
            description = "The domain, in a sentence (used in the default decline sentence).")
    String domain;

    @Option(names = "--threshold", paramLabel = "COSINE",
            description = "Relevance threshold on the top-1 cosine (default: " + DomainPolicy.DEFAULT_THRESHOLD
                    + ", calibrated for the built-in model; calibrate your own with in- and out-of-domain questions).")
    Double threshold;

    @Option(names = "--coverage-threshold", paramLabel = "SHARE",
            description = "For questions in a language the embedding model does not cover (Spanish with the built-in "
                    + "model): the share of the question's words that the best passages must contain (default: "
                    + DomainPolicy.DEFAULT_COVERAGE_THRESHOLD + ").")
    Double coverageThreshold;

    @Option(names = "--decline", paramLabel = "SENTENCE", description = "What to say below the threshold.")
    String decline;

    @Option(names = "--warn", description = "Below the threshold, answer with a warning instead of declining.")
    boolean warn;

    KnowledgeSearchCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (k < 1) throw new CliException(ExitCodes.USAGE, "-k must be at least 1");
        if (query.isBlank()) throw new CliException(ExitCodes.USAGE, "the question is empty");
        DomainPolicy policy;
        try {
            policy = DomainPolicy.of(domain);
            if (threshold != null) policy = policy.withThreshold(threshold);
            if (coverageThreshold != null) policy = policy.withCoverageThreshold(coverageThreshold);
            if (decline != null) policy = policy.withDeclineSentence(decline);
            if (warn) policy = policy.withBelow(DomainPolicy.Below.WARN);
        } catch (KnowledgeException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage(), e);
        }
        SearchResult result;
        try (LuceneKnowledgeStore store = indexArgs.openExisting(ctx)) {
            result = store.search(query, k, mode);
        } catch (KnowledgeException e) {
            throw KnowledgeIndexArgs.failure(e);
        }
        Verdict verdict = policy.judge(result);
        if (json) {
            ctx.out().println(json(result, verdict));
        } else {
            print(result, verdict);
        }
        return ExitCodes.OK;
    }

    private void print(SearchResult result, Verdict verdict) {
        PrintStream out = ctx.out();
        out.printf(Locale.ROOT, "%s (%s %.3f, threshold %.2f)%s%n", switch (verdict.outcome()) {
            case ANSWER -> "in domain";
            case DECLINE -> "out of domain: declined";
            case ANSWER_WITH_WARNING -> "out of domain: answered with a warning";
        }, verdict.signal() == Verdict.Signal.COSINE ? "relevance" : "term coverage", verdict.relevance(),
                verdict.threshold(), verdict.sentence() == null ? "" : ": " + verdict.sentence());
        if (result.hits().isEmpty()) {
            out.println("no passages found");
        }
        int i = 1;
        for (Hit h : result.hits()) {
            var p = h.passage();
            out.printf(Locale.ROOT, "%d. %s%s%s%n", i++, ctx.display(Path.of(p.source())),
                    p.page() > 0 ? " p." + p.page() : "", p.headingPath().isEmpty() ? "" : " — " + p.heading());
            out.printf(Locale.ROOT, "   score %.4f  bm25 %s  cosine %s%n", h.score(), num(h.bm25()), num(h.cosine()));
            String text = p.text().replace('\n', ' ');
            out.println("   " + (text.length() > 300 ? text.substring(0, 297) + "..." : text));
        }
    }

    private static String num(double d) {
        return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, "%.3f", d);
    }

    static String json(SearchResult result, Verdict verdict) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("query", result.query());
            g.writeBooleanField("inDomain", verdict.inDomain());
            g.writeArrayFieldStart("hits");
            for (Hit h : result.hits()) {
                g.writeStartObject();
                g.writeStringField("source", h.passage().source());
                g.writeStringField("heading", h.passage().heading());
                g.writeNumberField("score", h.score());
                g.writeStringField("text", h.passage().text());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("verdict");
            g.writeStringField("outcome", verdict.outcome().name());
            g.writeStringField("signal", verdict.signal().name());
            if (Double.isNaN(verdict.relevance())) {
                g.writeNullField("relevance");
            } else {
                g.writeNumberField("relevance", verdict.relevance());
            }
            g.writeNumberField("threshold", verdict.threshold());
            if (verdict.sentence() == null) {
                g.writeNullField("sentence");
            } else {
                g.writeStringField("sentence", verdict.sentence());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string cannot fail", e);
        }
        return w.toString();
    }
}
