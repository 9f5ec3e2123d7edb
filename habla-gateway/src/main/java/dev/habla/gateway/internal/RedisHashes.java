package dev.habla.gateway.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.gateway.internal.Cluster.Record;
import dev.habla.protocol.Content;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@link RedisCluster} lays out a token ({@code tok:<sha256>}) and a conversation record ({@code conv:<handle>}) as
 * Redis hashes, both ways. No I/O, no state: callable from any thread.
 */
final class RedisHashes {
    /** RedisCluster's logger: a malformed entry is reported under the name it always had. */
    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RedisHashes() {
    }

    /** A record's transcript could not be written as JSON (the record is kept to be written again). */
    static final class JsonFailure extends RuntimeException {
        JsonFailure(Throwable cause) { super(cause); }
    }

    /** The fields of a token's hash as minted ({@code left} = {@code uses}; not revoked). */
    static Map<String, String> ofToken(Token t) {
        Map<String, String> h = new HashMap<>();
        h.put("app", t.app);
        h.put("uses", Integer.toString(t.uses));
        h.put("left", Integer.toString(t.uses));
        h.put("exp", Long.toString(t.expireTime.toEpochMilli()));
        h.put("nse", Long.toString(t.newSessionExpireTime.toEpochMilli()));
        h.put("constraints", t.constraints == null ? "" : t.constraints.toString());
        h.put("mask", t.fieldMask == null ? "\u0000" : String.join(",", t.fieldMask));
        h.put("revoked", "0");
        return h;
    }

    /** The token stored in {@code h} (not empty), or null (logged) when it is malformed. */
    static Token token(String hash, Map<String, String> h) {
        try {
            ObjectNode constraints = h.get("constraints").isEmpty() ? null : (ObjectNode) JSON.readTree(h.get("constraints"));
            String m = h.get("mask");
            List<String> mask = "\u0000".equals(m) ? null : m.isEmpty() ? List.of() : List.of(m.split(","));
            Token t = new Token(hash, h.get("app"), Integer.parseInt(h.get("uses")),
                    Instant.ofEpochMilli(Long.parseLong(h.get("exp"))), Instant.ofEpochMilli(Long.parseLong(h.get("nse"))),
                    constraints, mask);
            t.revoked = "1".equals(h.get("revoked"));
            return t;
        } catch (Exception e) {
            log.warn("Token {} in Redis is malformed: {}", Secrets.logId(hash), e.toString());
            return null;
        }
    }

    /**
     * The ARGV of {@link RedisScripts#SAVE} for {@code r}: seq, ttl (ms), then field, value pairs.
     *
     * @throws JsonFailure if the transcript cannot be written as JSON
     */
    static List<String> saveArgs(Record r, Duration ttl) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("seq", Long.toString(r.seq()));
        h.put("ttl", Long.toString(ttl.toMillis()));
        h.put("app", r.app());
        h.put("node", r.node());
        h.put("token", r.tokenHash() == null ? "" : r.tokenHash());
        h.put("setup", r.setupJson());
        h.put("announce", r.announce() ? "1" : "0");
        h.put("up", r.upstreamHandle() == null ? "" : r.upstreamHandle());
        try {
            h.put("transcript", JSON.writeValueAsString(r.transcript() == null ? List.of() : r.transcript()));
        } catch (Exception e) {
            throw new JsonFailure(e);
        }
        h.put("turn", r.turnOpen() ? "1" : "0");
        List<String> args = new ArrayList<>();
        h.forEach((k, v) -> {
            if (k.equals("seq") || k.equals("ttl")) {
                args.add(v);
            } else {
                args.add(k);
                args.add(v);
            }
        });
        return args;
    }

    /** The record stored in {@code h}, now owned by {@code node}, or null (logged) when it is malformed. */
    static Record record(String handle, String node, Map<String, String> h) {
        try {
            List<Content> transcript = JSON.readValue(h.getOrDefault("transcript", "[]"), new TypeReference<List<Content>>() { });
            return new Record(handle, h.get("app"), node, h.get("token").isEmpty() ? null : h.get("token"), h.get("setup"),
                    "1".equals(h.get("announce")), h.get("up").isEmpty() ? null : h.get("up"), transcript, "1".equals(h.get("turn")),
                    Long.parseLong(h.getOrDefault("seq", "0")));
        } catch (Exception e) {
            log.warn("Conversation record is malformed: {}", e.toString());
            return null;
        }
    }
}
