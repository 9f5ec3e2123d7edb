package dev.habla.knowledge;

/** A knowledge operation failed; {@link #kind()} says why, the message says what to do. */
public final class KnowledgeException extends RuntimeException {

    /** Why it failed. */
    public enum Kind {
        /** The index was built with another embedding model (or dimension) than the one it was opened with. */
        MODEL_MISMATCH,
        /** The embedding model could not be loaded (missing or unreadable ONNX / tokenizer file). */
        MODEL_LOAD,
        /** A file's format is not one ingest reads (Markdown, text, HTML, PDF). */
        UNSUPPORTED_FORMAT,
        /** A file could not be read or parsed (permissions, corrupt PDF, not text). */
        UNREADABLE,
        /** The index directory cannot be opened, written or is not a Habla index. */
        INDEX_IO,
        /** A caller passed something invalid (k &lt; 1, a blank query, ...). */
        BAD_ARGUMENT
    }

    private final Kind kind;

    public KnowledgeException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public KnowledgeException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
