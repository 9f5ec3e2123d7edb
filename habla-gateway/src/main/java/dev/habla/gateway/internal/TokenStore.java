package dev.habla.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.gateway.GatewayApp;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.Strictness;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Ephemeral tokens: minting from a Google-compatible {@code auth_tokens} request, lookup by hash, use counting and
 * revocation. Tokens are {@code auth_tokens/} + 64 random hex digits (256 bits, URL-safe: the JS SDK puts them in the
 * query unencoded); only their SHA-256 is stored. Expired tokens are dropped on each mint. {@code lock} guards the map
 * and every token's mutable state; thread-safe.
 */
public final class TokenStore {
    public static final String PREFIX = "auth_tokens/";
    static final Duration DEFAULT_EXPIRE = Duration.ofMinutes(30);
    static final Duration DEFAULT_NEW_SESSION = Duration.ofSeconds(60);
    static final Duration MAX_AHEAD = Duration.ofHours(20);
    private static final Set<String> FIELDS = Set.of("uses", "expireTime", "newSessionExpireTime", "bidiGenerateContentSetup",
            "fieldMask", "name");
    private static final Set<String> GENERATION_FIELDS = Set.of("temperature", "topK", "topP", "maxOutputTokens",
            "responseModalities", "seed", "speechConfig", "candidateCount", "presencePenalty", "frequencyPenalty",
            "mediaResolution", "thinkingConfig", "enableAffectiveDialog");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final Cluster cluster;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Token> byHash = new HashMap<>(); // guarded by lock

    public TokenStore(Clock clock) {
        this(clock, Cluster.STANDALONE);
    }

    /**
     * @param cluster where tokens are shared when it is {@link Cluster#shared()}: mints are written there, unknown
     *                hashes looked up there (then cached here), uses taken and revocations made there atomically
     */
    public TokenStore(Clock clock, Cluster cluster) {
        this.clock = clock;
        this.cluster = cluster;
    }

    /** What a mint returns: the secret name (given to the caller once) and the stored token. */
    public record Minted(String name, Token token) {}

    /**
     * Mints a token for {@code app} from the JSON body of {@code POST …/auth_tokens}.
     *
     * @throws GoogleError 400 for a malformed body, unknown fields, bad times, a bad setup or a model the app may not use
     */
    public Minted mint(GatewayApp app, String body) {
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (Exception e) {
            throw GoogleError.invalidArgument("Invalid JSON payload received. " + firstLine(e.getMessage()));
        }
        if (!(root instanceof ObjectNode req)) {
            throw GoogleError.invalidArgument("Invalid JSON payload received. Expected an object.");
        }
        for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw GoogleError.invalidArgument("Invalid JSON payload received. Unknown name \"" + f + "\": Cannot find field.");
            }
        }
        Instant now = clock.instant();
        int uses = 1;
        if (req.has("uses")) {
            JsonNode u = req.get("uses");
            if (!u.canConvertToInt() || (!u.isIntegralNumber() && !u.isTextual()) || u.asInt(-1) < 0) {
                throw GoogleError.invalidArgument("Invalid value at 'uses': must be a non-negative integer.");
            }
            uses = u.asInt();
        }
        Instant expire = time(req, "expireTime", now, now.plus(DEFAULT_EXPIRE));
        Instant newSession = time(req, "newSessionExpireTime", now, now.plus(DEFAULT_NEW_SESSION));
        if (newSession.isAfter(expire)) {
            newSession = expire; // no session can start after the token itself has expired
        }
        ObjectNode constraints = null;
        if (req.hasNonNull("bidiGenerateContentSetup")) {
            JsonNode s = req.get("bidiGenerateContentSetup");
            if (!(s instanceof ObjectNode setup)) {
                throw GoogleError.invalidArgument("Invalid value at 'bidi_generate_content_setup': expected an object.");
            }
            try { // the same strict decoding as a Live setup, so a token never carries what a session would refuse
                ObjectNode wrapped = JSON.createObjectNode();
                wrapped.set("setup", setup);
                LiveCodec.decodeClient(wrapped.toString(), Strictness.STRICT);
            } catch (ProtocolException e) {
                throw GoogleError.invalidArgument("Invalid value at 'bidi_generate_content_setup." + e.path() + "': " + e.getMessage());
            }
            if (setup.hasNonNull("model") && !app.allows(setup.get("model").asText())) {
                throw GoogleError.permissionDenied("Model " + setup.get("model").asText() + " is not allowed for this app.");
            }
            constraints = setup.deepCopy();
        }
        List<String> mask = null;
        if (req.hasNonNull("fieldMask")) {
            mask = new ArrayList<>();
            for (String p : req.get("fieldMask").asText().split(",")) {
                String path = p.strip();
                if (!path.isEmpty()) {
                    // Bare generation fields (the SDK sends them unmapped when there are no constraints) mean the same.
                    mask.add(GENERATION_FIELDS.contains(path) ? "generationConfig." + path : path);
                }
            }
            mask = List.copyOf(mask);
        }
        String name = PREFIX + Secrets.randomHex(32);
        Token t = new Token(Secrets.hash(name), app.id(), uses, expire, newSession, constraints, mask);
        if (cluster.shared()) {
            try {
                cluster.tokenMinted(t);
            } catch (Cluster.Unavailable e) {
                throw new GoogleError(503, "UNAVAILABLE", Cluster.REASON_UNAVAILABLE, null);
            }
        }
        lock.lock();
        try {
            // Expired a day ago: forgotten (until then they are refused as expired, not as unknown).
            byHash.values().removeIf(x -> x.expireTime.plus(Duration.ofDays(1)).isBefore(now));
            byHash.put(t.hash, t);
        } finally {
            lock.unlock();
        }
        return new Minted(name, t);
    }

    private static Instant time(ObjectNode req, String field, Instant now, Instant dflt) {
        if (!req.hasNonNull(field)) {
            return dflt;
        }
        Instant t;
        try {
            t = Instant.parse(req.get(field).asText());
        } catch (DateTimeParseException e) {
            throw GoogleError.invalidArgument("Invalid value at '" + snake(field) + "' (type.googleapis.com/google.protobuf.Timestamp), \""
                    + req.get(field).asText() + "\"");
        }
        if (!t.isAfter(now)) {
            throw GoogleError.invalidArgument(field + " must be in the future.");
        }
        if (t.isAfter(now.plus(MAX_AHEAD))) {
            throw GoogleError.invalidArgument(field + " must be less than 20 hours in the future.");
        }
        return t;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** The token named {@code name} ({@code auth_tokens/…}), expired or not (until swept); null if there is none. */
    public Token find(String name) {
        if (name == null || !name.startsWith(PREFIX)) {
            return null;
        }
        return byHash(Secrets.hash(name));
    }

    /** The token stored under {@code hash} (a principal from the authenticator), or null. */
    public Token byHash(String hash) {
        lock.lock();
        try {
            Token t = byHash.get(hash);
            if (t != null || !cluster.shared()) {
                return t;
            }
        } finally {
            lock.unlock();
        }
        Token shared;
        try {
            shared = cluster.token(hash); // minted on another node
        } catch (Cluster.Unavailable e) {
            return null;
        }
        if (shared == null) {
            return null;
        }
        lock.lock();
        try {
            Token t = byHash.putIfAbsent(hash, shared);
            return t != null ? t : shared;
        } finally {
            lock.unlock();
        }
    }

    /** A token in use here was revoked on another node (the cluster's refresh). */
    public void markRevoked(String hash) {
        lock.lock();
        try {
            Token t = byHash.get(hash);
            if (t != null) {
                t.revoked = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Why {@code t} cannot be used for anything now (revoked or expired), or null if it can. */
    public String unusable(Token t) {
        lock.lock();
        try {
            if (t.revoked) {
                return "Ephemeral token was revoked.";
            }
            if (!t.expireTime.isAfter(clock.instant())) {
                return "Ephemeral token expired.";
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes one use for a new session (resumptions never call this).
     *
     * @return null if taken, else the close reason
     */
    public String takeUse(Token t) {
        if (cluster.shared()) {
            String u = unusable(t);
            // Uses, expiry and revocation as the cluster sees them, in one atomic step (may throw Unavailable).
            return u != null ? u : cluster.takeUse(t, clock.instant());
        }
        lock.lock();
        try {
            String u = unusable(t);
            if (u != null) {
                return u;
            }
            if (!t.newSessionExpireTime.isAfter(clock.instant())) {
                return "Ephemeral token can no longer start new sessions (newSessionExpireTime passed).";
            }
            if (t.uses != 0) {
                if (t.usesLeft <= 0) {
                    return "Ephemeral token has no uses left.";
                }
                t.usesLeft--;
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Revokes the token named {@code name} if it belongs to {@code app}; false if there is no such token. */
    public boolean revoke(String app, String name) {
        Token t = find(name);
        if (t == null || !t.app.equals(app)) {
            return false;
        }
        if (cluster.shared()) {
            try {
                cluster.revoke(t);
            } catch (Cluster.Unavailable e) {
                throw new GoogleError(503, "UNAVAILABLE", Cluster.REASON_UNAVAILABLE, null);
            }
        }
        lock.lock();
        try {
            t.revoked = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Tokens held (not yet swept). */
    public int size() {
        lock.lock();
        try {
            return byHash.size();
        } finally {
            lock.unlock();
        }
    }

}
