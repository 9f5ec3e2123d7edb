package dev.habla.gateway.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * One minted ephemeral token, stored under the SHA-256 of its name (the name itself is not kept). Mutable state
 * ({@code usesLeft}, {@code revoked}) is guarded by the owning {@link TokenStore}'s lock.
 *
 * @param constraints the token's {@code bidiGenerateContentSetup} (JSON, camelCase), or null
 * @param fieldMask   the locked paths, or null (with constraints: every field locked)
 */
public final class Token {
    final String hash;
    final String app;
    final int uses;
    final Instant expireTime;
    final Instant newSessionExpireTime;
    final ObjectNode constraints;
    final List<String> fieldMask;
    int usesLeft; // guarded by the store's lock; unused when uses == 0 (unlimited)
    boolean revoked; // guarded by the store's lock

    Token(String hash, String app, int uses, Instant expireTime, Instant newSessionExpireTime, ObjectNode constraints,
            List<String> fieldMask) {
        this.hash = hash;
        this.app = app;
        this.uses = uses;
        this.usesLeft = uses;
        this.expireTime = expireTime;
        this.newSessionExpireTime = newSessionExpireTime;
        this.constraints = constraints;
        this.fieldMask = fieldMask;
    }

    public String hash() { return hash; }
    public String app() { return app; }
    public Instant expireTime() { return expireTime; }
    public Instant newSessionExpireTime() { return newSessionExpireTime; }
    public ObjectNode constraints() { return constraints; }
    public List<String> fieldMask() { return fieldMask; }
    public String logId() { return Secrets.logId(hash); }

    @Override
    public String toString() {
        return "Token[" + logId() + ", app=" + app + "]";
    }
}
