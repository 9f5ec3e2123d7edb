package dev.habla.emulator.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Credential check of an upgrade request, like the service: {@code BidiGenerateContent} takes an API key in
 * {@code ?key=} or {@code x-goog-api-key}; {@code BidiGenerateContentConstrained} takes an ephemeral token
 * ({@code auth_tokens/...}) in {@code ?access_token=} or {@code Authorization: Token ...}. Never logs what it sees.
 */
public final class Credentials {
    private Credentials() {}

    /**
     * Whether the request may proceed.
     *
     * @param requiredKey the configured key, or null to accept any non-empty key
     */
    public static boolean authorized(Endpoint ep, String rawQuery, String apiKeyHeader, String authorizationHeader, String requiredKey) {
        if (ep.constrained()) {
            String token = queryParam(rawQuery, "access_token");
            if (token == null && authorizationHeader != null && authorizationHeader.regionMatches(true, 0, "Token ", 0, 6)) {
                token = authorizationHeader.substring(6).trim();
            }
            // The emulator issues no tokens, so any well-formed one is accepted.
            return token != null && token.startsWith("auth_tokens/") && token.length() > "auth_tokens/".length();
        }
        String key = queryParam(rawQuery, "key");
        if (key == null || key.isEmpty()) {
            key = apiKeyHeader;
        }
        if (key == null || key.isBlank()) {
            return false;
        }
        return requiredKey == null || requiredKey.equals(key);
    }

    /** The first value of a query parameter, URL-decoded; null when absent. */
    static String queryParam(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
