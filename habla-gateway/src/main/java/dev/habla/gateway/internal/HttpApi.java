package dev.habla.gateway.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.gateway.AppUsage;
import dev.habla.gateway.GatewayApp;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP side (everything that is not a Live WebSocket path): {@code POST /{v1alpha,v1beta,v1}/auth_tokens}
 * (mint, Google-compatible), {@code DELETE /{version}/auth_tokens/{id}} (revoke), {@code GET /admin/usage} (the calling
 * app's usage), {@code GET /metrics} (Prometheus), {@code GET /healthz}, CORS for allowed origins, and static assets
 * from {@code assets} (the console). Errors are Google-shaped JSON. Runs on the server's virtual threads; stateless
 * apart from the thread-safe stores. Never logs or echoes a key.
 */
public final class HttpApi extends Handler.Abstract {
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
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        try {
            if (origin != null) {
                if (!origins.allows(origin)) {
                    accounting.refused("origin");
                    throw GoogleError.permissionDenied("Origin not allowed by this gateway.");
                }
                response.getHeaders().put("Access-Control-Allow-Origin", origin);
                response.getHeaders().put("Vary", "Origin");
            }
            if ("OPTIONS".equals(method)) {
                response.getHeaders().put("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
                response.getHeaders().put("Access-Control-Allow-Headers",
                        "content-type, x-goog-api-key, x-goog-api-client, authorization");
                response.getHeaders().put("Access-Control-Max-Age", "600");
                response.setStatus(204);
                callback.succeeded();
                return true;
            }
            Matcher m;
            if ("POST".equals(method) && (m = MINT.matcher(path)).matches()) {
                GatewayApp app = admin(request);
                String body = readBody(request);
                TokenStore.Minted minted = tokens.mint(app, body);
                ObjectNode out = JSON.createObjectNode();
                out.put("name", minted.name());
                out.put("expireTime", minted.token().expireTime().toString());
                out.put("newSessionExpireTime", minted.token().newSessionExpireTime().toString());
                log.info("Minted token {} for app {} (API version {})", minted.token().logId(), app.id(), m.group(1));
                return json(response, callback, 200, out.toString());
            }
            if ("POST".equals(method) && "/dev/token".equals(path) && devTokens != null) {
                // Dev mode only: the console on this machine gets single-use tokens without an admin key. Refused
                // unless both the TCP peer and the page (if any) are on loopback.
                boolean loopbackPeer = request.getConnectionMetaData().getRemoteSocketAddress() instanceof java.net.InetSocketAddress a
                        && a.getAddress().isLoopbackAddress();
                if (!loopbackPeer || (origin != null && !OriginPolicy.isLoopbackOrigin(origin))) {
                    throw GoogleError.permissionDenied("Dev tokens are for loopback pages only.");
                }
                TokenStore.Minted minted = tokens.mint(devTokens, "{}");
                log.info("Minted dev token {} for app {}", minted.token().logId(), devTokens.id());
                ObjectNode out = JSON.createObjectNode();
                out.put("name", minted.name());
                out.put("expireTime", minted.token().expireTime().toString());
                out.put("newSessionExpireTime", minted.token().newSessionExpireTime().toString());
                return json(response, callback, 200, out.toString());
            }
            if ("DELETE".equals(method) && (m = REVOKE.matcher(path)).matches()) {
                GatewayApp app = admin(request);
                if (!tokens.revoke(app.id(), TokenStore.PREFIX + m.group(2))) {
                    throw GoogleError.notFound("Token not found.");
                }
                log.info("Revoked token {} of app {}", Secrets.logId(Secrets.hash(TokenStore.PREFIX + m.group(2))), app.id());
                return json(response, callback, 200, "{}");
            }
            if ("GET".equals(method)) {
                switch (path) {
                    case "/healthz" -> {
                        // A draining node answers 503 so load balancers stop sending it new clients.
                        return draining.get() ? text(response, callback, 503, "text/plain; charset=utf-8", "draining\n")
                                : text(response, callback, 200, "text/plain; charset=utf-8", "ok\n");
                    }
                    case "/metrics" -> {
                        return text(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                    }
                    case "/admin/usage" -> {
                        AppUsage u = accounting.snapshot(admin(request).id());
                        return json(response, callback, 200, JSON.writeValueAsString(u));
                    }
                    default -> {
                        Asset a = assets.apply(path);
                        if (a != null) {
                            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
                            response.getHeaders().put(HttpHeader.CONTENT_TYPE, a.contentType());
                            response.setStatus(200);
                            response.write(true, ByteBuffer.wrap(a.bytes()), callback);
                            return true;
                        }
                    }
                }
            }
            throw GoogleError.notFound("Not found: " + method + " " + path.replaceAll("[^A-Za-z0-9/._-]", "?"));
        } catch (GoogleError e) {
            return json(response, callback, e.httpStatus(), e.json());
        } catch (Exception e) {
            log.warn("HTTP {} {} failed", method, path, e);
            return json(response, callback, 500, new GoogleError(500, "INTERNAL", "Internal error encountered.", null).json());
        }
    }

    /** The app whose admin key the request carries ({@code x-goog-api-key}, else {@code ?key=}). */
    private GatewayApp admin(Request request) {
        String key = request.getHeaders().get("x-goog-api-key");
        if (key == null || key.isEmpty()) {
            Fields q = Request.extractQueryParameters(request);
            key = q.getValue("key");
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

    private static String readBody(Request request) throws Exception {
        long len = request.getLength();
        if (len > MAX_BODY) {
            throw new GoogleError(413, "INVALID_ARGUMENT", "Request payload size exceeds the limit: " + MAX_BODY + " bytes.", null);
        }
        String s = Content.Source.asString(request, StandardCharsets.UTF_8);
        if (s.length() > MAX_BODY) {
            throw new GoogleError(413, "INVALID_ARGUMENT", "Request payload size exceeds the limit: " + MAX_BODY + " bytes.", null);
        }
        return s;
    }

    private static boolean json(Response response, Callback callback, int status, String body) {
        return text(response, callback, status, "application/json; charset=UTF-8", body);
    }

    private static boolean text(Response response, Callback callback, int status, String type, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
