package dev.habla.tools;

/**
 * An expected failure of a tool, whose message is meant for the model ({@code {"error": message}}): "no such city",
 * "file not found". Unlike other exceptions it is logged at DEBUG without a stack trace, since nothing is broken.
 * {@link IllegalArgumentException}s are treated the same way (bad input the model can correct).
 */
public class ToolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ToolException(String message) {
        super(message);
    }

    public ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}
