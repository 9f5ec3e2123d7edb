package dev.habla.gateway.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.gateway.AppUsage;
import dev.habla.gateway.GatewayApp;
import dev.habla.server.HttpCall;
import dev.habla.server.HttpReply;
import dev.habla.server.HttpService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP side (everything that is not a Live WebSocket path): {@code POST /{v1alpha,v1beta,v1}/auth_tokens}
 * (mint, Google-compatible), {@code DELETE /{version}/auth_tokens/{id}} (revoke), {@code GET /admin/usage} (the calling
 * app's usage), {@code GET /metrics} (Prometheus), {@code GET /healthz}, CORS for allowed origins, and static assets
 * from {@code assets} (the console); HEAD wherever GET is answered. Errors are Google-shaped JSON. Runs on the server's virtual threads; stateless
 * apart from the thread-safe stores. Never logs or echoes a key.
 */
public final class HttpApi implements HttpService {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final Pattern MINT = Pattern.compile("/+(?:.*/)?(v1alpha|v1beta|v1)/auth_tokens/?");
    private static final Pattern REVOKE = Pattern.compile("/+(?:.*/)?(v1alpha|v1beta|v1)/auth_tokens/([0-9a-f]{64})/?");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 1 << 20;

    private final TokenStore tokens;
    private final Accounting accounting;
    private final OriginPolicy origins;
    private final PrometheusMeterRegistry metrics;
    private final Function<String, Asset> assets;
    private final GatewayApp devTokens; // null: no /dev/token

    /** A static file: content type and bytes. */
    public record Asset(String contentType, byte[] bytes) {}

    private final java.util.concurrent.atomic.AtomicBoolean draining;

    public HttpApi(TokenStore tokens, Accounting accounting, OriginPolicy origins, PrometheusMeterRegistry metrics,
            Function<String, Asset> assets, GatewayApp devTokens) {
        this(tokens, accounting, origins, metrics, assets, devTokens, new java.util.concurrent.atomic.AtomicBoolean());
    }

    /** @param draining set while the node drains: {@code /healthz} answers 503 */
    public HttpApi(TokenStore tokens, Accounting accounting, OriginPolicy origins, PrometheusMeterRegistry metrics,
            Function<String, Asset> assets, GatewayApp devTokens, java.util.concurrent.atomic.AtomicBoolean draining) {
        this.draining = draining;
        this.tokens = tokens;
        this.accounting = accounting;
        this.origins = origins;
        this.metrics = metrics;
        this.assets = assets;
        this.devTokens = devTokens;
    }

    @Override
    public HttpReply handle(HttpCall request) {
        String path = request.path();
        String method = request.method();
        String origin = request.header("Origin");
        HttpReply reply;
        boolean allowed = origin == null || origins.allows(origin);
        try {
            if (!allowed) {
                accounting.refused("origin");
                throw GoogleError.permissionDenied("Origin not allowed by this gateway.");
            }
            reply = answer(request, method, path, origin);
        } catch (GoogleError e) {
            reply = HttpReply.json(e.httpStatus(), e.json());
        } catch (Exception e) {
            log.warn("HTTP {} {} failed", method, path.replaceAll("[^A-Za-z0-9/._-]", "?"), e);
            reply = HttpReply.json(500, new GoogleError(500, "INTERNAL", "Internal error encountered.", null).json());
        }
        // Every answer to an allowed page, errors included, carries the CORS headers: without them the page's code
        // sees a bare network error instead of Google's error body.
        return allowed && origin != null ? reply.withHeader("Access-Control-Allow-Origin", origin).withHeader("Vary", "Origin") : reply;
    }

    private HttpReply answer(HttpCall request, String method, String path, String origin) throws Exception {
        if ("OPTIONS".equals(method)) {
            return HttpReply.empty(204)
                    .withHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
                    .withHeader("Access-Control-Allow-Headers", "content-type, x-goog-api-key, x-goog-api-client, authorization")
                    .withHeader("Access-Control-Max-Age", "600");
        }
        Matcher m;
        if ("POST".equals(method) && (m = MINT.matcher(path)).matches()) {
            GatewayApp app = admin(request);
            String body = readBody(request);
            TokenStore.Minted minted = tokens.mint(app, body);
            log.info("Minted token {} for app {} (API version {})", minted.token().logId(), app.id(), m.group(1));
            return HttpReply.json(200, mintedJson(minted));
        }
        if ("POST".equals(method) && "/dev/token".equals(path) && devTokens != null) {
            // Dev mode only: the console on this machine gets single-use tokens without an admin key. Refused
            // unless both the TCP peer and the page (if any) are on loopback.
            boolean loopbackPeer = request.remoteAddress() != null && request.remoteAddress().getAddress() != null
                    && request.remoteAddress().getAddress().isLoopbackAddress();
            if (!loopbackPeer || (origin != null && !OriginPolicy.isLoopbackOrigin(origin))) {
                throw GoogleError.permissionDenied("Dev tokens are for loopback pages only.");
            }
            TokenStore.Minted minted = tokens.mint(devTokens, "{}");
            log.info("Minted dev token {} for app {}", minted.token().logId(), devTokens.id());
            return HttpReply.json(200, mintedJson(minted));
        }
        if ("DELETE".equals(method) && (m = REVOKE.matcher(path)).matches()) {
            GatewayApp app = admin(request);
            if (!tokens.revoke(app.id(), TokenStore.PREFIX + m.group(2))) {
                throw GoogleError.notFound("Token not found.");
            }
            log.info("Revoked token {} of app {}", Secrets.logId(Secrets.hash(TokenStore.PREFIX + m.group(2))), app.id());
            return HttpReply.json(200, "{}");
        }
        if ("GET".equals(method) || "HEAD".equals(method)) { // HEAD: the server sends the headers only
            switch (path) {
                case "/healthz" -> {
                    // A draining node answers 503 so load balancers stop sending it new clients.
                    return draining.get() ? HttpReply.text(503, "text/plain; charset=utf-8", "draining\n")
                            : HttpReply.text(200, "text/plain; charset=utf-8", "ok\n");
                }
                case "/metrics" -> {
                    return HttpReply.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                }
                case "/admin/usage" -> {
                    AppUsage u = accounting.snapshot(admin(request).id());
                    return HttpReply.json(200, JSON.writeValueAsString(u));
                }
                default -> {
                    Asset a = assets.apply(path);
                    if (a != null) {
                        return HttpReply.of(200, a.contentType(), a.bytes()).withHeader("Cache-Control", "no-cache");
                    }
                }
            }
        }
        throw GoogleError.notFound("Not found: " + method + " " + path.replaceAll("[^A-Za-z0-9/._-]", "?"));
    }

    private static String mintedJson(TokenStore.Minted minted) {
        ObjectNode out = JSON.createObjectNode();
        out.put("name", minted.name());
        out.put("expireTime", minted.token().expireTime().toString());
        out.put("newSessionExpireTime", minted.token().newSessionExpireTime().toString());
        return out.toString();
    }

    /** The app whose admin key the request carries ({@code x-goog-api-key}, else {@code ?key=}). */
    private GatewayApp admin(HttpCall request) {
        String key = request.header("x-goog-api-key");
        if (key == null || key.isEmpty()) {
            key = request.queryParam("key");
        }
        if (key == null || key.isEmpty()) {
            accounting.refused("key");
            throw GoogleError.noKey();
        }
        GatewayApp app = accounting.appForKey(key);
        if (app == null) {
            accounting.refused("key");
            throw GoogleError.badKey();
        }
        return app;
    }

    private static String readBody(HttpCall request) throws java.io.IOException {
        try {
            return request.bodyText(MAX_BODY);
        } catch (HttpCall.BodyTooLargeException e) {
            throw new GoogleError(413, "INVALID_ARGUMENT", "Request payload size exceeds the limit: " + MAX_BODY + " bytes.", null);
        }
    }
}
