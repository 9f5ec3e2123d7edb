package dev.habla.server;

import dev.habla.server.internal.RequestParts;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A WebSocket upgrade request on a Live path, as an authenticator sees it.
 *
 * @param endpoint      the Live path
 * @param rawQuery      the query string, undecoded (null when none)
 * @param headers       request headers, first value of each, names case-insensitive
 * @param remoteAddress the peer (null when unknown)
 */
public record UpgradeRequest(LiveEndpoint endpoint, String rawQuery, Map<String, String> headers, InetSocketAddress remoteAddress) {
    public UpgradeRequest {
        Objects.requireNonNull(endpoint, "endpoint");
        headers = RequestParts.headers(headers);
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The first value of a query parameter, URL-decoded; {@code ""} for a bare name; null when absent. */
    public String queryParam(String name) {
        return RequestParts.queryParam(rawQuery, name);
    }

    /**
     * The credential where the endpoint's clients put it: API key path: {@code ?key=} (non-empty) else
     * {@code x-goog-api-key}; ephemeral path: {@code ?access_token=} else {@code Authorization: Token …}; Vertex:
     * {@code Authorization: Bearer …} else {@code x-goog-api-key}. Blank values count as none.
     */
    public Credential credential() {
        return switch (endpoint.kind()) {
            case API_KEY -> {
                String key = queryParam("key");
                if (key == null || key.isEmpty()) {
                    key = header("x-goog-api-key");
                }
                yield blank(key) ? new Credential.None() : new Credential.ApiKey(key);
            }
            case EPHEMERAL_TOKEN -> {
                String token = queryParam("access_token");
                if (token == null) {
                    token = authorization("token ");
                }
                yield blank(token) ? new Credential.None() : new Credential.EphemeralToken(token);
            }
            case VERTEX -> {
                String bearer = authorization("bearer ");
                if (!blank(bearer)) {
                    yield new Credential.BearerToken(bearer);
                }
                String key = header("x-goog-api-key");
                yield blank(key) ? new Credential.None() : new Credential.ApiKey(key);
            }
        };
    }

    /** The value after a case-insensitive {@code scheme } prefix of the Authorization header, trimmed, or null. */
    private String authorization(String scheme) {
        String a = header("Authorization");
        if (a == null || a.length() < scheme.length() || !a.substring(0, scheme.length()).toLowerCase(Locale.ROOT).equals(scheme)) {
            return null;
        }
        return a.substring(scheme.length()).trim();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Never prints the query or headers (they carry credentials). */
    @Override
    public String toString() {
        return "UpgradeRequest[" + endpoint + ", from " + remoteAddress + "]";
    }
}
