package dev.habla.emulator.internal;

import dev.habla.server.AuthResult;
import dev.habla.server.Credential;
import dev.habla.server.LiveAuthenticator;
import dev.habla.server.UpgradeRequest;

/**
 * The emulator's credential rules, like the service's on the wire: {@code BidiGenerateContent} takes an API key (any
 * non-blank one, or exactly the configured one); {@code BidiGenerateContentConstrained} takes any well-formed
 * ephemeral token ({@code auth_tokens/…}; the emulator issues none, so it cannot check more). Anything else: close
 * 1008 {@code API key not valid. Please pass a valid API key.} Never logs what it sees.
 *
 * @param requiredKey the configured key, or null to accept any non-blank key
 */
record EmulatorAuthenticator(String requiredKey) implements LiveAuthenticator {
    private static final String TOKEN_PREFIX = "auth_tokens/";

    @Override
    public AuthResult authenticate(UpgradeRequest request) {
        return authorized(request) ? AuthResult.accept(request.endpoint().constrained() ? "token" : "key") : AuthResult.rejectBadKey();
    }

    boolean authorized(UpgradeRequest request) {
        return switch (request.credential()) {
            case Credential.EphemeralToken t -> t.token().startsWith(TOKEN_PREFIX) && t.token().length() > TOKEN_PREFIX.length();
            case Credential.ApiKey k -> !request.endpoint().constrained() && (requiredKey == null || requiredKey.equals(k.key()));
            case Credential.BearerToken b -> false;
            case Credential.None n -> false;
        };
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "EmulatorAuthenticator[" + (requiredKey == null ? "any key" : "one key") + "]";
    }
}
