package dev.habla.server;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Live API WebSocket path and what it implies for credentials.
 *
 * <ul>
 *   <li>{@link Kind#API_KEY}: {@code /ws/google.ai.generativelanguage.{v1|v1beta|v1alpha}.GenerativeService.BidiGenerateContent}
 *       (API key in {@code ?key=} or {@code x-goog-api-key});</li>
 *   <li>{@link Kind#EPHEMERAL_TOKEN}: {@code …GenerativeService.BidiGenerateContentConstrained} (an {@code auth_tokens/…}
 *       token in {@code ?access_token=} or {@code Authorization: Token …});</li>
 *   <li>{@link Kind#VERTEX}: {@code /ws/google.cloud.aiplatform.{v1|v1beta1}.LlmBidiService/BidiGenerateContent}
 *       ({@code Authorization: Bearer …}, or an express-mode key in {@code x-goog-api-key}).</li>
 * </ul>
 * Leading duplicate slashes (the JS SDK requests {@code //ws/...}) and trailing slashes are tolerated.
 *
 * @param apiVersion {@code v1}, {@code v1beta}, {@code v1alpha} (Gemini API) or {@code v1}, {@code v1beta1} (Vertex)
 * @param kind       which service path, hence which credentials
 */
public record LiveEndpoint(String apiVersion, Kind kind) {
    private static final Pattern GEMINI = Pattern.compile(
            "/+ws/+google\\.ai\\.generativelanguage\\.(v1|v1beta|v1alpha)\\.GenerativeService\\.(BidiGenerateContent|BidiGenerateContentConstrained)/*");
    private static final Pattern VERTEX = Pattern.compile(
            "/+ws/+google\\.cloud\\.aiplatform\\.(v1|v1beta1)\\.LlmBidiService/+BidiGenerateContent/*");

    /** Which Live service path. */
    public enum Kind {
        /** Gemini API {@code BidiGenerateContent}: API key. */
        API_KEY,
        /** Gemini API {@code BidiGenerateContentConstrained}: ephemeral token. */
        EPHEMERAL_TOKEN,
        /** Vertex AI {@code LlmBidiService/BidiGenerateContent}: OAuth bearer token or express-mode key. */
        VERTEX
    }

    public LiveEndpoint {
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(kind, "kind");
    }

    /** The endpoint of a raw request path, or null when it is not a Live path. */
    public static LiveEndpoint parse(String rawPath) {
        if (rawPath == null) {
            return null;
        }
        Matcher m = GEMINI.matcher(rawPath);
        if (m.matches()) {
            return new LiveEndpoint(m.group(1), m.group(2).endsWith("Constrained") ? Kind.EPHEMERAL_TOKEN : Kind.API_KEY);
        }
        m = VERTEX.matcher(rawPath);
        if (m.matches()) {
            return new LiveEndpoint(m.group(1), Kind.VERTEX);
        }
        return null;
    }

    /** Whether this is the ephemeral-token ({@code …Constrained}) path. */
    public boolean constrained() {
        return kind == Kind.EPHEMERAL_TOKEN;
    }

    /** The canonical path of this endpoint (single leading slash). */
    public String path() {
        return switch (kind) {
            case API_KEY -> "/ws/google.ai.generativelanguage." + apiVersion + ".GenerativeService.BidiGenerateContent";
            case EPHEMERAL_TOKEN -> "/ws/google.ai.generativelanguage." + apiVersion + ".GenerativeService.BidiGenerateContentConstrained";
            case VERTEX -> "/ws/google.cloud.aiplatform." + apiVersion + ".LlmBidiService/BidiGenerateContent";
        };
    }
}
