package dev.habla.cli;

import dev.habla.client.LiveException;

/**
 * Process exit codes of {@code habla}. Documented in {@code habla-cli/README.md}; scripts may rely on them.
 */
public final class ExitCodes {
    private ExitCodes() {}

    /** Normal end: {@code exit}, {@code quit}, Ctrl-D, or a double Ctrl-C at the prompt. */
    public static final int OK = 0;
    /** A bug or an unexpected failure (stack trace with {@code --verbose}). */
    public static final int INTERNAL = 1;
    /** No API key and no emulator to fall back to. */
    public static final int NO_API_KEY = 2;
    /** The server rejected the API key (UNAUTHENTICATED). */
    public static final int UNAUTHENTICATED = 3;
    /** Unknown model (NOT_FOUND). */
    public static final int NOT_FOUND = 4;
    /** The server could not be reached or the connection dropped (UNAVAILABLE, TIMEOUT). */
    public static final int UNAVAILABLE = 5;
    /** Quota or rate limit (RESOURCE_EXHAUSTED). */
    public static final int RESOURCE_EXHAUSTED = 6;
    /** Any other server-side error (INVALID_ARGUMENT, INTERNAL, DEADLINE_EXCEEDED, PROTOCOL, ...). */
    public static final int SERVER_ERROR = 7;
    /** Ctrl-C while the chat was still connecting (128 + SIGINT, the shell's convention for an interrupted command). */
    public static final int INTERRUPTED = 130;
    /** Bad command line: unknown option, unknown voice, bad duration, unreadable file (sysexits EX_USAGE). */
    public static final int USAGE = 64;
    /** {@code habla talk --input}: the server heard no speech in the file (silent or too quiet; sysexits EX_DATAERR). */
    public static final int NO_SPEECH = 65;

    /**
     * {@code habla knowledge}: the index cannot be opened (none at the path, in use by another process, or built with
     * another embedding model) or the embedding model cannot be loaded (sysexits EX_NOINPUT).
     */
    public static final int NO_INDEX = 66;

    /** The exit code for a session failure of this kind. */
    public static int forKind(LiveException.Kind kind) {
        return switch (kind) {
            case UNAUTHENTICATED -> UNAUTHENTICATED;
            case NOT_FOUND -> NOT_FOUND;
            case UNAVAILABLE, TIMEOUT -> UNAVAILABLE;
            case RESOURCE_EXHAUSTED -> RESOURCE_EXHAUSTED;
            case INVALID_ARGUMENT, DEADLINE_EXCEEDED, INTERNAL, PROTOCOL, CLOSED -> SERVER_ERROR;
            case LISTENER_FAILED -> INTERNAL;
        };
    }
}
