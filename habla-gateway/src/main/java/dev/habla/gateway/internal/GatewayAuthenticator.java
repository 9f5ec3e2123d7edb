package dev.habla.gateway.internal;

import dev.habla.gateway.GatewayApp;
import dev.habla.protocol.CloseCodes;
import dev.habla.server.AuthResult;
import dev.habla.server.Credential;
import dev.habla.server.LiveAuthenticator;
import dev.habla.server.UpgradeRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may open a Live WebSocket: a page from an allowed origin, with an ephemeral token on the constrained path
 * (principal {@code token:<hash>}) or an app's admin key on the plain path (principal {@code app:<id>}, for app
 * backends). Refusals are closes after the upgrade (a browser sees the reason; an HTTP status would reach it as a bare
 * "WebSocket error"). Runs on a virtual thread per upgrade; stateless apart from the thread-safe stores.
 */
public final class GatewayAuthenticator implements LiveAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(GatewayAuthenticator.class);
    static final String REASON_ORIGIN = "Origin not allowed by this gateway.";
    private final TokenStore tokens;
    private final Accounting accounting;
    private final OriginPolicy origins;

    public GatewayAuthenticator(TokenStore tokens, Accounting accounting, OriginPolicy origins) {
        this.tokens = tokens;
        this.accounting = accounting;
        this.origins = origins;
    }

    @Override
    public AuthResult authenticate(UpgradeRequest req) {
        String origin = req.header("origin");
        if (!origins.allows(origin)) {
            log.info("WebSocket refused: origin {} not allowed", origin);
            accounting.refused("origin");
            return new AuthResult.Rejected(CloseCodes.POLICY, REASON_ORIGIN);
        }
        return switch (req.credential()) {
            case Credential.EphemeralToken t -> {
                Token token = tokens.find(t.token());
                if (token == null) {
                    log.info("WebSocket refused: unknown or expired token");
                    accounting.refused("token");
                    yield AuthResult.rejectBadKey();
                }
                String bad = tokens.unusable(token);
                if (bad != null) {
                    log.info("WebSocket refused: token {}: {}", token.logId(), bad);
                    accounting.refused("token");
                    yield new AuthResult.Rejected(CloseCodes.POLICY, bad);
                }
                yield AuthResult.accept("token:" + token.hash());
            }
            case Credential.ApiKey k -> {
                GatewayApp app = accounting.appForKey(k.key());
                if (app == null) {
                    log.info("WebSocket refused: not an admin key");
                    accounting.refused("key");
                    yield AuthResult.rejectBadKey();
                }
                yield AuthResult.accept("app:" + app.id());
            }
            default -> {
                accounting.refused("key");
                yield AuthResult.rejectBadKey();
            }
        };
    }
}
