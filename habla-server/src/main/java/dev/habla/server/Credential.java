package dev.habla.server;

/**
 * The credential an upgrade request carries, taken from where its {@link LiveEndpoint} says clients put it. The
 * secrets never appear in {@code toString()} (logs stay clean).
 */
public sealed interface Credential {
    /** An API key ({@code ?key=} or {@code x-goog-api-key}). */
    record ApiKey(String key) implements Credential {
        @Override
        public String toString() {
            return "ApiKey[<redacted>]";
        }
    }

    /** An ephemeral token ({@code ?access_token=} or {@code Authorization: Token …}), e.g. {@code auth_tokens/…}. */
    record EphemeralToken(String token) implements Credential {
        @Override
        public String toString() {
            return "EphemeralToken[<redacted>]";
        }
    }

    /** An OAuth bearer token ({@code Authorization: Bearer …}; Vertex). */
    record BearerToken(String token) implements Credential {
        @Override
        public String toString() {
            return "BearerToken[<redacted>]";
        }
    }

    /** Nothing usable was sent. */
    record None() implements Credential {}
}
