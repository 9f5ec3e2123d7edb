package dev.habla.knowledge;

/**
 * A {@link DomainPolicy}'s judgement of one question.
 *
 * @param inDomain  the top-1 cosine reached the threshold
 * @param relevance the top-1 cosine judged ({@code NaN} for an empty index)
 * @param threshold the policy's threshold
 * @param outcome   what to do
 * @param sentence  the decline sentence when {@code outcome} is {@link Outcome#DECLINE}, otherwise {@code null}
 */
public record Verdict(boolean inDomain, double relevance, double threshold, Outcome outcome, String sentence) {

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
