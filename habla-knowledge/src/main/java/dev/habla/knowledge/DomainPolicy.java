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
 * @param description    the domain in a sentence ("the Debian operating system"), given to the model
 * @param threshold      top-1 cosine below which a question is out of the domain
 * @param below          what to do below the threshold
 * @param declineSentence what to say when declining (write it in the users' language)
 */
public record DomainPolicy(String description, double threshold, Below below, String declineSentence) {

    /** What to do with a question below the threshold. */
    public enum Below {
        /** Do not answer: say {@link #declineSentence()}. */
        DECLINE,
        /** Answer, but with a warning that the documents do not cover it. */
        WARN
    }

    /** Default threshold for {@link Embedder#DEFAULT_MODEL}, calibrated on the Debian Reference (module README). */
    public static final double DEFAULT_THRESHOLD = 0.40;

    public DomainPolicy {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(below, "below");
        Objects.requireNonNull(declineSentence, "declineSentence");
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new KnowledgeException(KnowledgeException.Kind.BAD_ARGUMENT,
                    "relevance threshold must be a cosine in [-1, 1], got " + threshold);
        }
    }

    /** Declines below {@link #DEFAULT_THRESHOLD} with a default English sentence naming the domain. */
    public static DomainPolicy of(String description) {
        return new DomainPolicy(description, DEFAULT_THRESHOLD, Below.DECLINE,
                "Sorry, I can only answer questions about " + description + ".");
    }

    public DomainPolicy withThreshold(double t) {
        return new DomainPolicy(description, t, below, declineSentence);
    }

    public DomainPolicy withBelow(Below b) {
        return new DomainPolicy(description, threshold, b, declineSentence);
    }

    public DomainPolicy withDeclineSentence(String s) {
        return new DomainPolicy(description, threshold, below, s);
    }

    /** The policy's verdict on a search. An empty index (no passages) is out of every domain. */
    public Verdict judge(SearchResult result) {
        double relevance = result.topCosine();
        boolean inDomain = !Double.isNaN(relevance) && relevance >= threshold;
        Verdict.Outcome outcome = inDomain ? Verdict.Outcome.ANSWER
                : below == Below.DECLINE ? Verdict.Outcome.DECLINE : Verdict.Outcome.ANSWER_WITH_WARNING;
        return new Verdict(inDomain, relevance, threshold, outcome,
                outcome == Verdict.Outcome.DECLINE ? declineSentence : null);
    }
}
