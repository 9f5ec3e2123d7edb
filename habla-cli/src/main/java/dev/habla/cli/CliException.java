package dev.habla.cli;

/**
 * A failure the user can act on: its message is printed as one line on stderr (prefixed {@code habla: }) and the
 * process exits with {@link #exitCode()}. No stack trace unless {@code --verbose}.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
