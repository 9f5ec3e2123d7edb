package dev.habla.knowledge;

/**
 * A {@link DomainPolicy}'s judgement of one question.
 *
 * @param inDomain  the relevance reached the threshold
 * @param signal    what was judged: the top-1 cosine, or the term coverage when the vectors do not cover the
 *                  question's language
 * @param relevance the value judged ({@code NaN} for an empty index)
 * @param threshold the policy's threshold for that signal
 * @param outcome   what to do
 * @param sentence  the decline sentence when {@code outcome} is {@link Outcome#DECLINE}, otherwise {@code null}
 */
public record Verdict(boolean inDomain, Signal signal, double relevance, double threshold, Outcome outcome,
                      String sentence) {

    /** Which relevance signal a verdict judged. */
    public enum Signal {
        /** {@link SearchResult#topCosine()} against {@link DomainPolicy#threshold()}. */
        COSINE,
        /** {@link SearchResult#termCoverage()} against {@link DomainPolicy#coverageThreshold()}. */
        TERM_COVERAGE
    }

    /** What to do with the question. */
    public enum Outcome {
        /** In the domain: answer from the passages. */
        ANSWER,
        /** Out of the domain, policy DECLINE: say the sentence instead of answering. */
        DECLINE,
        /** Out of the domain, policy WARN: answer, saying the documents do not cover it. */
        ANSWER_WITH_WARNING
    }
}
