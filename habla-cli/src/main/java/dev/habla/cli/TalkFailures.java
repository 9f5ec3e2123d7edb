package dev.habla.cli;

import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import java.net.URI;
import java.util.Locale;

/**
 * {@code habla talk}: maps a session that ended or failed to the command's outcome: an exit code, or a
 * {@link CliException} with one line that says what went wrong and what to check (the key redacted). Stateless after
 * construction; called on the command's thread (also while the loop starts).
 */
final class TalkFailures {

    private final CliContext ctx;
    private final ProviderArgs service;
    /** --api-version as given (null: the default), named in a model-not-found message. */
    private final String apiVersion;

    TalkFailures(CliContext ctx, ProviderArgs service, String apiVersion) {
        this.ctx = ctx;
        this.service = service;
        this.apiVersion = apiVersion;
    }

    int ended(LiveEvent.Closed closed, String modelId, URI target, KeyChoice key) {
        if (closed.error() == null) {
            ctx.err().println("habla: the server ended the session (" + closed.code()
                    + (closed.reason().isEmpty() ? "" : " " + closed.reason()) + ")");
            return ExitCodes.OK;
        }
        throw failure(closed.error(), modelId, target, key);
    }

    CliException failure(LiveException e, String modelId, URI target, KeyChoice key) {
        String where = target != null ? target.toString()
                : service.openai() ? "api.openai.com" : "generativelanguage.googleapis.com";
        String reason = e.closeCode() > 0 ? (e.closeCode() + " " + e.closeReason()).strip()
                : e.httpStatus() > 0 ? "HTTP " + e.httpStatus() : e.getMessage();
        String detail = reason == null || reason.isBlank() ? "" : " (" + reason.replaceAll("\\s+", " ").strip() + ")";
        String message = switch (e.kind()) {
            case UNAUTHENTICATED -> "the API key was rejected" + detail + "; check " + service.keyVariable()
                    + " (" + key.origin() + ")";
            case NOT_FOUND -> service.modelNotFound(modelId, apiVersion, e);
            case UNAVAILABLE, TIMEOUT -> "cannot reach " + where + detail + "; check the network or --base-url";
            case RESOURCE_EXHAUSTED -> "quota or rate limit reached" + detail + "; wait a little or check your plan";
            default -> "the session failed: " + e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + detail;
        };
        return new CliException(ExitCodes.forKind(e.kind()), new KeyRedactor(key.key()).redact(message), e);
    }
}
