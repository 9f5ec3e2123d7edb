package dev.habla.server;

/**
 * Decides whether an upgrade request may open a Live session. Called on a virtual thread once per upgrade, before the
 * socket opens (the socket is not read meanwhile); it may block, but the client waits for its upgrade that long (a
 * token lookup is fine, a remote call should be cached). Must never log the secret it sees.
 */
@FunctionalInterface
public interface LiveAuthenticator {
    AuthResult authenticate(UpgradeRequest request);

    /** Any request with a non-blank credential of the endpoint's kind; principal {@code "anonymous"}. For tests. */
    static LiveAuthenticator anyCredential() {
        return r -> r.credential() instanceof Credential.None ? AuthResult.rejectBadKey() : AuthResult.accept("anonymous");
    }
}
