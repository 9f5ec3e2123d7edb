package dev.habla.protocol;

/** Code the model generated for the code-execution tool. */
@ProtoName("ExecutableCode")
public record ExecutableCode(
        Language language,
        String code) {
    /** Programming language of the code. */
    public enum Language { LANGUAGE_UNSPECIFIED, PYTHON, UNRECOGNIZED }
}
