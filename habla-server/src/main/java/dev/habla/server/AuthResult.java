package dev.habla.server;

import dev.habla.protocol.CloseCodes;
import java.util.Objects;

/** What a {@link LiveAuthenticator} decided about one upgrade request. */
public sealed interface AuthResult {
    /**
     * The connection may proceed.
     *
     * @param principal who it is (an app, a token id; never the secret itself), available as
     *                  {@link LiveConnection#principal()}
     */
    record Accepted(String principal) implements AuthResult {
        public Accepted {
            Objects.requireNonNull(principal, "principal");
        }
    }

    /**
     * Like the service: the upgrade succeeds, then the server closes with {@code code} and {@code reason} (cut to 123
     * bytes) and no handler is created.
     */
    record Rejected(int code, String reason) implements AuthResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    static AuthResult accept(String principal) {
        return new Accepted(principal);
    }

    /** Close 1008 {@code API key not valid. Please pass a valid API key.}, what the service sends for a bad key. */
    static AuthResult rejectBadKey() {
        return new Rejected(CloseCodes.POLICY, CloseCodes.REASON_BAD_KEY);
    }
}
