package dev.habla.protocol;

/** A frame that could not be decoded or encoded. {@link #path()} names the offending wire field. */
public final class ProtocolException extends RuntimeException {
    private final String path;

    public ProtocolException(String path, String message) {
        super(path == null || path.isEmpty() ? message : message + " (at " + path + ")");
        this.path = path == null ? "" : path;
    }

    public ProtocolException(String path, String message, Throwable cause) {
        this(path, message);
        initCause(cause);
    }

    /** Dotted wire path of the field at fault ({@code ""} for the frame itself). */
    public String path() {
        return path;
    }
}
