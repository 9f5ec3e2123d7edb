package dev.habla.protocol;

/** Result of running {@link ExecutableCode}. */
@ProtoName("CodeExecutionResult")
public record CodeExecutionResult(
        Outcome outcome,
        String output) {
    /** How the run ended. */
    public enum Outcome { OUTCOME_UNSPECIFIED, OUTCOME_OK, OUTCOME_FAILED, OUTCOME_DEADLINE_EXCEEDED, UNRECOGNIZED }
}
