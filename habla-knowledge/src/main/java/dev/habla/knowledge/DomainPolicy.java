package dev.habla.knowledge;

import java.util.Objects;

/**
 * What the assistant may answer: a domain description, a relevance threshold on the top-1 cosine of a search (the
 * nearest passage, {@link SearchResult#topCosine()}), and what to do below it.
 *
 * <p>The top-1 cosine separates in-domain from out-of-domain questions far better than BM25 scores (which depend on
 * query length); the threshold is specific to the model and the corpus: calibrate it on a handful of in- and
 * out-of-domain questions (shared/docs/rag.md §4). Questions in another language than the index score like
 * out-of-domain ones with English-only models: translate the query before judging.
 *
 * <p>When the embedding model does not cover the question's language ({@link SearchResult#vectorsCoverQuery()}
 * false: the built-in English model and a Spanish question), cosines mean nothing; the policy then judges the
 * share of the question's words found in the best passages ({@link SearchResult#termCoverage()}) against
 * {@code coverageThreshold}.
 *
 * @param description       the domain in a sentence ("the Debian operating system"), given to the model
 * @param threshold         top-1 cosine below which a question is out of the domain
 * @param coverageThreshold term coverage below which a question the vectors cannot judge is out of the domain
 * @param below             what to do below the threshold
 * @param declineSentence   what to say when declining (write it in the users' language)
 */
public record DomainPolicy(String description, double threshold, double coverageThreshold, Below below,
                           String declineSentence) {

    /** What to do with a question below the threshold. */
    public enum Below {
        /** Do not answer: say {@link #declineSentence()}. */
        DECLINE,
        /** Answer, but with a warning that the documents do not cover it. */
        WARN
    }

    /** Default threshold for {@link Embedder#DEFAULT_MODEL}, calibrated on the Debian Reference (module README). */
    public static final double DEFAULT_THRESHOLD = 0.40;

    /** Default term-coverage threshold, calibrated on the Spanish Debian Reference (module README). */
    public static final double DEFAULT_COVERAGE_THRESHOLD = 0.35;

    public DomainPolicy {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(below, "below");
        Objects.requireNonNull(declineSentence, "declineSentence");
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new KnowledgeException(KnowledgeException.Kind.BAD_ARGUMENT,
                    "relevance threshold must be a cosine in [-1, 1], got " + threshold);
        }
        if (!(coverageThreshold >= 0 && coverageThreshold <= 1)) {
            throw new KnowledgeException(KnowledgeException.Kind.BAD_ARGUMENT,
                    "coverage threshold must be in [0, 1], got " + coverageThreshold);
        }
    }

    /** Declines below {@link #DEFAULT_THRESHOLD} with a default English sentence naming the domain. */
    public static DomainPolicy of(String description) {
        return new DomainPolicy(description, DEFAULT_THRESHOLD, DEFAULT_COVERAGE_THRESHOLD, Below.DECLINE,
                "Sorry, I can only answer questions about " + description + ".");
    }

    public DomainPolicy withThreshold(double t) {
        return new DomainPolicy(description, t, coverageThreshold, below, declineSentence);
    }

    public DomainPolicy withCoverageThreshold(double c) {
        return new DomainPolicy(description, threshold, c, below, declineSentence);
    }

    public DomainPolicy withBelow(Below b) {
        return new DomainPolicy(description, threshold, coverageThreshold, b, declineSentence);
    }

    public DomainPolicy withDeclineSentence(String s) {
        return new DomainPolicy(description, threshold, coverageThreshold, below, s);
    }

    /** The policy's verdict on a search. An empty index (no passages) is out of every domain. */
    public Verdict judge(SearchResult result) {
        boolean cosine = result.vectorsCoverQuery();
        double relevance = cosine ? result.topCosine() : result.termCoverage();
        double limit = cosine ? threshold : coverageThreshold;
        boolean inDomain = !Double.isNaN(relevance) && relevance >= limit;
        Verdict.Outcome outcome = inDomain ? Verdict.Outcome.ANSWER
                : below == Below.DECLINE ? Verdict.Outcome.DECLINE : Verdict.Outcome.ANSWER_WITH_WARNING;
        return new Verdict(inDomain, cosine ? Verdict.Signal.COSINE : Verdict.Signal.TERM_COVERAGE, relevance, limit,
                outcome,
                outcome == Verdict.Outcome.DECLINE ? declineSentence : null);
    }
}
