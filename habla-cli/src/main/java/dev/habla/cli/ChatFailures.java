package dev.habla.cli;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import java.net.URI;

/**
 * {@code habla chat}: maps a session that ended or failed (at the first connect, or after reconnects gave up) to the
 * command's outcome: exit 0 for a clean close by the server, else a {@link CliException} with the exit code of the
 * failure's kind and one line saying what went wrong and what to check (the key redacted). Knows what was being
 * tried (model, target, key, provider); immutable, called on the main (prompt) thread.
 */
final class ChatFailures {

    private final CliContext ctx;
    private final String modelId;
    /** The emulator's or --base-url's address; null: the provider's public endpoint. */
    private final URI target;
    private final KeyChoice key;
    private final ProviderArgs service;
    /** --api-version as given (null: the default), named in a model-not-found message. */
    private final String apiVersion;

    ChatFailures(CliContext ctx, String modelId, URI target, KeyChoice key, ProviderArgs service, String apiVersion) {
        this.ctx = ctx;
        this.modelId = modelId;
        this.target = target;
        this.key = key;
        this.service = service;
        this.apiVersion = apiVersion;
    }

    /** Where the chat connects, for messages. */
    String where() {
        return target != null ? target.toString()
                : service.openai() ? "api.openai.com" : "generativelanguage.googleapis.com";
    }

    /** The session ended while the chat was running: exit 0 if the server closed it cleanly, else map the error. */
    int ended(LiveEvent.Closed closed, Conversation conversation) {
        if (closed.error() == null) {
            ctx.err().println("habla: the server ended the session (" + closed.code()
                    + (closed.reason().isEmpty() ? "" : " " + closed.reason()) + ")");
            return ExitCodes.OK;
        }
        throw failure(closed.error(), conversation.reconnectAttempts());
    }

    CliException failure(LiveException e) {
        return failure(e, 0);
    }

    /**
     * @param reconnectAttempts how often the session tried to reconnect before failing with {@code e} (0: it failed
     *                          at the first connect, or without trying)
     */
    CliException failure(LiveException e, int reconnectAttempts) {
        String where = where();
        String detail = detail(e);
        if (reconnectAttempts > 0 && e.kind() == LiveException.Kind.UNAVAILABLE) {
            // The session lost its connection and every reconnect attempt failed: say so, with the last cause.
            String last = reason(e.closeCode() <= 0 && e.getCause() instanceof LiveException c ? c : e);
            return new CliException(ExitCodes.UNAVAILABLE, new KeyRedactor(key.key()).redact(
                    "lost the connection to " + where + " and could not reconnect (" + reconnectAttempts + " attempt"
                            + (reconnectAttempts == 1 ? "" : "s") + (last.isEmpty() ? "" : "; last: " + last)
                            + "); check the network or --base-url"), e);
        }
        String message = switch (e.kind()) {
            case UNAUTHENTICATED -> "the API key was rejected" + detail + "; check " + service.keyVariable()
                    + " (" + key.origin() + ")";
            case NOT_FOUND -> service.modelNotFound(modelId, apiVersion, e);
            case UNAVAILABLE -> e.closeCode() == 1000 || e.closeCode() == 1001
                    ? "the server ended the session" + detail + "; start habla again to continue"
                    : "cannot reach " + where + detail + "; check the network or --base-url";
            case TIMEOUT -> "no answer from " + where + " in time" + detail + "; check the network or --base-url";
            case RESOURCE_EXHAUSTED -> "quota or rate limit reached" + detail + "; wait a little or check your plan";
            case INVALID_ARGUMENT -> "the server refused the request" + detail;
            case DEADLINE_EXCEEDED -> "the session hit the server's deadline" + detail;
            case INTERNAL -> "the server failed" + detail;
            case PROTOCOL -> "the server broke the protocol" + detail;
            case CLOSED -> "the session was closed" + detail;
            case LISTENER_FAILED -> "internal error while showing the answer" + detail;
        };
        return new CliException(ExitCodes.forKind(e.kind()), new KeyRedactor(key.key()).redact(message), e);
    }

    /**
     * The NOT_FOUND message, written out in full: the server's close reason says the same but is cut at 123 bytes
     * (the WebSocket limit), mid-sentence.
     */
    static String modelNotFound(String modelId, String apiVersion, LiveException e) {
        return "model '" + modelId + "' was not found, or does not support the Live API, in API version "
                + (apiVersion == null ? ClientConfig.DEFAULT_API_VERSION : apiVersion.strip().toLowerCase(java.util.Locale.ROOT)) + (e.closeCode() > 0 ? " (close " + e.closeCode() + ")" : "")
                + "; pick another with --model (e.g. " + ChatCommand.DEFAULT_MODEL + ")";
    }

    /** " (reason)", or "" when there is none. */
    private static String detail(LiveException e) {
        String reason = reason(e);
        return reason.isEmpty() ? "" : " (" + reason + ")";
    }

    /** The close code and reason, the HTTP status, or the message; one line, "" when there is none. */
    private static String reason(LiveException e) {
        String reason = e.closeCode() > 0 ? (e.closeCode() + " " + e.closeReason()).strip()
                : e.httpStatus() > 0 ? "HTTP " + e.httpStatus() : e.getMessage();
        if (reason == null || reason.isBlank()) {
            return "";
        }
        // "connection refused or unreachable: ConnectException": the class name means nothing to a user.
        return oneLine(reason).replaceAll(":\\s*[A-Za-z.]*(Exception|Error)$", "");
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }
}
