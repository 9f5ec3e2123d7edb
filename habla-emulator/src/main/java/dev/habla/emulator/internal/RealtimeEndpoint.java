package dev.habla.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.emulator.ReplyPolicy;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.ErrorDetail;
import dev.habla.realtime.RealtimeCodec;
import dev.habla.realtime.RealtimeProtocolException;
import dev.habla.realtime.ServerEvent;
import dev.habla.realtime.Session;
import dev.habla.server.HttpCall;
import dev.habla.server.HttpReply;
import dev.habla.server.HttpService;
import dev.habla.server.SocketRequest;
import dev.habla.server.SocketRoute;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The emulator's OpenAI Realtime side, served by the same habla-server as the Live wire: the WebSocket route
 * {@code /v1/realtime} ({@link RealtimeConnection} per socket), the handshake rules (credentials, model, beta header;
 * refused in band like the service), and {@code POST /v1/realtime/client_secrets} (ephemeral {@code ek_} keys, kept
 * here until they expire on the emulator clock).
 *
 * <p>Thread-safe: {@code secrets} is concurrent; ids are atomic; everything else is fixed at construction.
 */
public final class RealtimeEndpoint {
    public static final String PATH = "/v1/realtime";
    public static final String SECRETS_PATH = "/v1/realtime/client_secrets";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MODELS = Pattern.compile(
            "gpt-realtime(-[a-z0-9.-]+)?|gpt-audio(-[a-z0-9.-]+)?|gpt-4o(-mini)?-realtime-preview(-[0-9-]+)?");
    private static final String KEY_PREFIX = "openai-insecure-api-key.";

    private final EmulatorCore core;
    private final ConcurrentHashMap<String, Secret> secrets = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    /** An ephemeral key: valid until {@code expiresAt} (emulator clock); its session settings apply to new sessions. */
    private record Secret(Instant expiresAt, String model, Session session) {}

    /** What the handshake decided: an error to send (then close) or the model and the secret's session. */
    record Admission(ErrorDetail error, int closeCode, String closeReason, String model, Session sessionFromSecret) {
        static Admission refuse(int code, String errorCode, String message) {
            return new Admission(new ErrorDetail("invalid_request_error", errorCode, message, null, null), code,
                    "invalid_request_error" + (errorCode == null ? "" : "." + errorCode), null, null);
        }
    }

    RealtimeEndpoint(EmulatorCore core) {
        this.core = core;
    }

    /** The WebSocket route for habla-server. The subprotocol chosen is {@code realtime} when offered. */
    public SocketRoute route() {
        return new SocketRoute(PATH, offered -> offered.contains("realtime") ? "realtime" : offered.getFirst(), wire -> {
            RealtimeConnection c = new RealtimeConnection(this, wire);
            c.open();
            return c;
        });
    }

    // ---- handshake ----

    Admission admit(SocketRequest req) {
        String beta = req.header("OpenAI-Beta");
        if (beta != null && beta.toLowerCase(Locale.ROOT).contains("realtime")
                || req.subprotocols().stream().anyMatch(p -> p.startsWith("openai-beta."))) {
            return Admission.refuse(4000, "beta_api_shape_disabled",
                    "The beta Realtime API shape ('OpenAI-Beta: realtime=v1') is not supported; use the GA shape.");
        }
        String key = credential(req);
        if (key == null) {
            return Admission.refuse(3000, null, "Missing bearer or basic authentication in header");
        }
        Secret secret = null;
        if (key.startsWith("ek_")) {
            secret = secrets.get(key);
            if (secret == null || !clock().now().isBefore(secret.expiresAt())) {
                return Admission.refuse(3000, "invalid_api_key", badKeyMessage(key));
            }
        } else if (core.config().apiKey() != null && !core.config().apiKey().equals(key)) {
            return Admission.refuse(3000, "invalid_api_key", badKeyMessage(key));
        }
        if (req.queryParam("intent") != null || req.queryParam("call_id") != null) {
            return Admission.refuse(4000, "invalid_value",
                    "The emulator serves model sessions only (?model=...), not transcription sessions or calls.");
        }
        String model = req.queryParam("model");
        if ((model == null || model.isEmpty()) && secret != null) {
            model = secret.model();
        }
        if (model == null || model.isEmpty()) {
            return Admission.refuse(4000, "missing_model",
                    "You must provide a model parameter, for example wss://api.openai.com/v1/realtime?model=gpt-realtime-1.5");
        }
        if (!MODELS.matcher(model).matches()) {
            return Admission.refuse(4000, "invalid_model", "Model \"" + model + "\" is not supported in realtime mode.");
        }
        return new Admission(null, 0, null, model, secret == null ? null : secret.session());
    }

    /** {@code Authorization: Bearer KEY}, else the {@code openai-insecure-api-key.KEY} subprotocol; null if none. */
    private static String credential(SocketRequest req) {
        String auth = req.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && !auth.substring(7).isBlank()) {
            return auth.substring(7).trim();
        }
        for (String p : req.subprotocols()) {
            if (p.startsWith(KEY_PREFIX) && p.length() > KEY_PREFIX.length()) {
                return p.substring(KEY_PREFIX.length());
            }
        }
        return null;
    }

    /** The service's text, with the key masked as it does (the client sent it; it is never logged). */
    private static String badKeyMessage(String key) {
        String masked = key.length() > 8 ? key.substring(0, 3) + "*".repeat(Math.min(20, key.length() - 7)) + key.substring(key.length() - 4) : "***";
        return "Incorrect API key provided: " + masked + ". You can find your API key at https://platform.openai.com/account/api-keys.";
    }

    // ---- client secrets (REST) ----

    /** Largest client-secrets request body (a session configuration with instructions and tools). */
    private static final int MAX_SECRETS_BODY = 1 << 20;

    /** Serves {@code POST /v1/realtime/client_secrets}; every other non-Live path is 404. */
    public HttpService restService() {
        return request -> {
            String path = request.path();
            if (!SECRETS_PATH.equals(path) && !(SECRETS_PATH + "/").equals(path)) {
                return null;
            }
            if (!"POST".equals(request.method())) {
                return json(405, error("Method not allowed: use POST.", null, "method_not_allowed"));
            }
            String auth = request.header("Authorization");
            String key = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
            if (key == null || key.isEmpty()) {
                return json(401, error("Missing bearer or basic authentication in header", null, null));
            }
            if (key.startsWith("ek_") || core.config().apiKey() != null && !core.config().apiKey().equals(key)) {
                return json(401, error(badKeyMessage(key), null, "invalid_api_key"));
            }
            String body;
            try {
                body = request.bodyText(MAX_SECRETS_BODY);
            } catch (HttpCall.BodyTooLargeException e) {
                return json(413, error("Request body too large: at most " + MAX_SECRETS_BODY + " bytes.", null, "request_too_large"));
            }
            try {
                return json(200, mint(body));
            } catch (RealtimeProtocolException e) {
                return json(400, error(e.getMessage(), e.param(), e.code()));
            }
        };
    }

    /** Mints a key for the request body; throws with the service's codes for a bad one. */
    private String mint(String body) {
        JsonNode req;
        try {
            req = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (Exception e) {
            throw new RealtimeProtocolException("invalid_json", null, "We could not parse the JSON body of your request.");
        }
        if (!(req instanceof ObjectNode o)) {
            throw new RealtimeProtocolException("invalid_type", null, "The request body must be a JSON object.");
        }
        long seconds = 600;
        JsonNode after = o.get("expires_after");
        if (after != null && after.has("seconds")) {
            if (!after.get("seconds").canConvertToLong()) {
                throw new RealtimeProtocolException("invalid_type", "expires_after.seconds", "Invalid type for 'expires_after.seconds': expected an integer.");
            }
            seconds = after.get("seconds").asLong();
            if (seconds < 10 || seconds > 7200) {
                throw new RealtimeProtocolException(seconds < 10 ? "integer_below_min_value" : "integer_above_max_value",
                        "expires_after.seconds", "Invalid 'expires_after.seconds': expected a value between 10 and 7200, but got " + seconds + " instead.");
            }
        }
        JsonNode sessionJson = o.has("session") ? o.get("session") : JSON.createObjectNode();
        ClientEvent ev = RealtimeCodec.decodeClient("{\"type\":\"session.update\",\"session\":" + sessionJson + "}");
        Session session = ((ClientEvent.SessionUpdate) ev).session();
        String model = session.model() != null ? session.model() : "gpt-realtime";
        Instant expires = clock().now().plusSeconds(seconds);
        RealtimeSettings effective = new RealtimeSettings(newId("sess_"), model, clock().now().plus(sessionCap()).getEpochSecond());
        effective.apply(session, false);
        String value = "ek_" + newId("emu");
        secrets.put(value, new Secret(expires, model, session));
        secrets.values().removeIf(s -> !clock().now().isBefore(s.expiresAt()));
        String full = RealtimeCodec.encode(new ServerEvent.SessionUpdated("event_0", effective.toSession()));
        try {
            ObjectNode out = JSON.createObjectNode();
            out.put("value", value);
            out.put("expires_at", expires.getEpochSecond());
            out.set("session", JSON.readTree(full).get("session"));
            return out.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String error(String message, String param, String code) {
        ObjectNode e = JSON.createObjectNode();
        e.put("message", message).put("type", "invalid_request_error").put("param", param).put("code", code);
        ObjectNode o = JSON.createObjectNode();
        o.set("error", e);
        return o.toString();
    }

    /** The service's JSON answers carry no charset parameter. */
    private static HttpReply json(int status, String body) {
        return HttpReply.text(status, "application/json", body);
    }

    // ---- shared with connections ----

    Scheduler clock() {
        return core.config().clock();
    }

    Duration sessionCap() {
        return core.config().realtimeSessionCap();
    }

    Duration textChunkDelay() {
        return core.config().textChunkDelay();
    }

    ReplyPolicy replies() {
        return core.config().replies();
    }

    long maxRecordedAudio() {
        return core.config().maxRecordedAudioBytes();
    }

    String nextConnectionId() {
        return core.nextConnectionId();
    }

    /** {@code prefix} + an emulator-unique suffix ({@code item_emu12}); the service's ids are random, clients do not parse them. */
    String newId(String prefix) {
        return prefix + (prefix.endsWith("_") ? "emu" : "_") + ids.incrementAndGet();
    }

    void register(RealtimeConnection c) {
        core.registerRealtime(c);
    }

    void unregister(RealtimeConnection c, dev.habla.emulator.EmulatorSession last) {
        core.unregisterRealtime(c, last);
    }

    void record(String sessionId, String raw) {
        core.recordRealtime(sessionId, raw);
    }
}
