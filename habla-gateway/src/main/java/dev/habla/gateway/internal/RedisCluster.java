package dev.habla.gateway.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.protocol.Content;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * {@link Cluster} state in Redis (one instance or a managed one; {@code redis://[user:password@]host:port[/db]},
 * {@code rediss://} for TLS). Every check-and-change is one Lua script (atomic in Redis; no home-made consensus):
 * taking a token use, taking an upstream slot (dead nodes' slots are purged in the same script), claiming a
 * conversation. Keys (prefix {@code habla:} by default): {@code node:<id>} (heartbeat, expires after
 * {@code 5 × heartbeat}), {@code tok:<sha256>}, {@code slots:app:<app>} and {@code slots:key} (session → node),
 * {@code secs:app:<app>:<day>} and {@code secs:key:<day>} (session seconds per UTC day), {@code conv:<handle>},
 * {@code handoff:<node>} (handles other nodes want).
 *
 * <p>Threads: callers' virtual threads (Jedis connections are pooled); one virtual thread ticks every heartbeat
 * (heartbeat, hand-off requests, revocations, minutes, and re-writing what failed while Redis was down). What could not
 * be written is kept in {@code dirty} / {@code unreleased} (concurrent) and written again by the tick.
 */
public final class RedisCluster implements Cluster {
    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONV_TTL = Duration.ofHours(6);

    private static final String TAKE_USE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 'API key not valid. Please pass a valid API key.' end
            local f = redis.call('HMGET', KEYS[1], 'revoked', 'exp', 'nse', 'uses', 'left')
            local now = tonumber(ARGV[1])
            if f[1] == '1' then return 'Ephemeral token was revoked.' end
            if tonumber(f[2]) <= now then return 'Ephemeral token expired.' end
            if tonumber(f[3]) <= now then
              return 'Ephemeral token can no longer start new sessions (newSessionExpireTime passed).'
            end
            if tonumber(f[4]) ~= 0 then
              if tonumber(f[5]) <= 0 then return 'Ephemeral token has no uses left.' end
              redis.call('HINCRBY', KEYS[1], 'left', -1)
            end
            return 'ok'
            """;

    // KEYS: slots:app:<app>, slots:key, secs:app:<app>:<day>, secs:key:<day>
    // ARGV: sid, node, appMax, keyMax, appSecsMax, keySecsMax, node key prefix
    private static final String ACQUIRE = """
            local function live(h)
              local all = redis.call('HGETALL', h)
              local n = 0
              for i = 1, #all, 2 do
                if redis.call('EXISTS', ARGV[7] .. all[i + 1]) == 1 then n = n + 1 else redis.call('HDEL', h, all[i]) end
              end
              return n
            end
            if tonumber(ARGV[5]) > 0 and tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[5]) then return 'minutes' end
            if tonumber(ARGV[6]) > 0 and tonumber(redis.call('GET', KEYS[4]) or '0') >= tonumber(ARGV[6]) then return 'minutes' end
            if tonumber(ARGV[3]) > 0 and live(KEYS[1]) >= tonumber(ARGV[3]) then return 'app' end
            if tonumber(ARGV[4]) > 0 and live(KEYS[2]) >= tonumber(ARGV[4]) then return 'key' end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            return 'ok'
            """;

    // KEYS: conv:<handle>; ARGV: seq, ttl ms, then field, value pairs. Writes only what is newer than the stored record.
    private static final String SAVE = """
            local stored = tonumber(redis.call('HGET', KEYS[1], 'seq') or '-1')
            if stored > tonumber(ARGV[1]) then return 'stale' end
            local fields = {'seq', ARGV[1]}
            for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
            redis.call('HSET', KEYS[1], unpack(fields))
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 'ok'
            """;

    // KEYS: conv:<handle>. The conversation ended: no write may revive it; gone a minute later.
    private static final String FORGET = """
            redis.call('HSET', KEYS[1], 'seq', '9007199254740991', 'ended', '1', 'node', '')
            redis.call('PEXPIRE', KEYS[1], 60000)
            return 'ok'
            """;

    // KEYS: slots:app:<app>, slots:key; ARGV: sid. Both in one step, so an acquire never sees half a release.
    private static final String RELEASE = """
            redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('HDEL', KEYS[2], ARGV[1])
            return 'ok'
            """;

    // KEYS: conv:<handle>; ARGV: this node, node key prefix, the claiming client's app. Returns {status, owner}.
    private static final String CLAIM = """
            local owner = redis.call('HGET', KEYS[1], 'node')
            if not owner then return {'missing', ''} end
            if redis.call('HGET', KEYS[1], 'app') ~= ARGV[3] or redis.call('HGET', KEYS[1], 'ended') == '1' then
              return {'missing', ''}
            end
            if owner == '' or owner == ARGV[1] or redis.call('EXISTS', ARGV[2] .. owner) == 0 then
              redis.call('HSET', KEYS[1], 'node', ARGV[1])
              return {'ok', owner}
            end
            return {'busy', owner}
            """;

    private final JedisPooled redis;
    private final JedisPooled beats; // the ticker's own connections: a burst of sessions never delays a heartbeat
    private final Duration deadAfter;
    private final String prefix;
    private final String node;
    private final Clock clock;
    private final Duration heartbeat;
    private final Duration claimWait;
    private final AtomicBoolean down = new AtomicBoolean();
    private final Map<String, Record> dirty = new ConcurrentHashMap<>();     // records to write again
    private final Map<String, String> unreleased = new ConcurrentHashMap<>(); // sid → app, slots to give back
    private final Map<String, String> held = new ConcurrentHashMap<>();       // sid → app, slots held here
    private final AtomicBoolean tickRunning = new AtomicBoolean();
    private volatile Thread ticker;
    private volatile Node hooks;
    private double revokedSeen = -1; // score of the newest revocation read (ticker thread only)
    private volatile boolean closed;

    /**
     * @param uri       {@code redis://…} or {@code rediss://…} (TLS; the JVM's trust store)
     * @param prefix    key prefix (several clusters can share one Redis)
     * @param heartbeat how often this node says it is alive; it is declared dead after 5 missed beats
     */
    public RedisCluster(URI uri, String prefix, Clock clock, Duration heartbeat) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(64);
        pool.setMaxIdle(16);
        pool.setMaxWait(Duration.ofSeconds(2));
        this.redis = new JedisPooled(pool, uri, 2000, 2000);
        GenericObjectPoolConfig<Connection> few = new GenericObjectPoolConfig<>();
        few.setMaxTotal(2);
        this.beats = new JedisPooled(few, uri, 2000, 2000);
        this.deadAfter = heartbeat.multipliedBy(5);
        this.prefix = prefix;
        this.node = "n-" + Secrets.randomHex(6);
        this.clock = clock;
        this.heartbeat = heartbeat;
        this.claimWait = heartbeat.multipliedBy(5).plusSeconds(5);
    }

    @Override public boolean shared() { return true; }
    @Override public String nodeId() { return node; }

    /** Whether the last Redis call failed (new sessions are refused meanwhile). */
    public boolean storeDown() { return down.get(); }

    private <T> T call(java.util.function.Supplier<T> op) {
        try {
            return op.get();
        } catch (JedisException | IllegalStateException e) { // IllegalStateException: the pool is closed (shutting down)
            if (!closed && down.compareAndSet(false, true)) {
                log.warn("Redis unreachable ({}); new sessions are refused until it is back", e.getMessage());
            }
            throw new Unavailable(REASON_UNAVAILABLE, e);
        }
    }

    // ---- tokens ----

    @Override
    public void tokenMinted(Token t) {
        Map<String, String> h = new HashMap<>();
        h.put("app", t.app);
        h.put("uses", Integer.toString(t.uses));
        h.put("left", Integer.toString(t.uses));
        h.put("exp", Long.toString(t.expireTime.toEpochMilli()));
        h.put("nse", Long.toString(t.newSessionExpireTime.toEpochMilli()));
        h.put("constraints", t.constraints == null ? "" : t.constraints.toString());
        h.put("mask", t.fieldMask == null ? "\u0000" : String.join(",", t.fieldMask));
        h.put("revoked", "0");
        String key = prefix + "tok:" + t.hash;
        call(() -> {
            redis.hset(key, h);
            return redis.pexpireAt(key, t.expireTime.plus(Duration.ofDays(1)).toEpochMilli());
        });
    }

    @Override
    public Token token(String hash) {
        Map<String, String> h = call(() -> redis.hgetAll(prefix + "tok:" + hash));
        if (h == null || h.isEmpty()) {
            return null;
        }
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

    @Override
    public String takeUse(Token t, Instant now) {
        Object r = call(() -> redis.eval(TAKE_USE, List.of(prefix + "tok:" + t.hash), List.of(Long.toString(now.toEpochMilli()))));
        return "ok".equals(r) ? null : String.valueOf(r);
    }

    @Override
    public void revoke(Token t) {
        long now = clock.millis();
        call(() -> {
            redis.hset(prefix + "tok:" + t.hash, "revoked", "1");
            // Nodes read this log from where they last were: one command per beat, however many sessions they hold.
            redis.zadd(prefix + "revoked", now, t.hash);
            return redis.zremrangeByScore(prefix + "revoked", 0, now - Duration.ofDays(1).toMillis());
        });
    }

    // ---- slots ----

    @Override
    public String acquire(String app, String sid, Limits limits) {
        if (down.get()) {
            throw new Unavailable(REASON_UNAVAILABLE, null);
        }
        String day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).toString();
        Object r = call(() -> redis.eval(ACQUIRE,
                List.of(prefix + "slots:app:" + app, prefix + "slots:key", prefix + "secs:app:" + app + ":" + day, prefix + "secs:key:" + day),
                List.of(sid, node, Integer.toString(limits.appSessions()), Integer.toString(limits.keySessions()),
                        Long.toString(limits.appMinutesPerDay() * 60L), Long.toString(limits.keyMinutesPerDay() * 60L),
                        prefix + "node:")));
        if ("ok".equals(r)) {
            held.put(sid, app);
            return null;
        }
        return String.valueOf(r);
    }

    @Override
    public void release(String app, String sid) {
        held.remove(sid);
        try {
            call(() -> redis.eval(RELEASE, List.of(prefix + "slots:app:" + app, prefix + "slots:key"), List.of(sid)));
        } catch (Unavailable e) {
            unreleased.put(sid, app); // given back by the tick once Redis is back
        }
    }

    /** Upstream slots held cluster-wide now (what {@code slots:key} lists; dead nodes' entries included until purged). */
    public long slotsInUse() {
        return call(() -> redis.hlen(prefix + "slots:key"));
    }

    // ---- conversations ----

    @Override
    public void save(Record r) {
        try {
            write(r);
            dirty.remove(r.handle(), r);
        } catch (Unavailable | JsonFailure e) {
            dirty.merge(r.handle(), r, (a, b) -> a.seq() >= b.seq() ? a : b);
        }
    }

    private static final class JsonFailure extends RuntimeException {
        JsonFailure(Throwable cause) { super(cause); }
    }

    private void write(Record r) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("seq", Long.toString(r.seq()));
        h.put("ttl", Long.toString(CONV_TTL.toMillis()));
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
        call(() -> redis.eval(SAVE, List.of(prefix + "conv:" + r.handle()), args));
    }

    @Override
    public void forget(String handle) {
        dirty.remove(handle);
        try {
            // A tombstone rather than a delete: a write still on its way (another thread's, older) cannot bring it back.
            call(() -> redis.eval(FORGET, List.of(prefix + "conv:" + handle), List.of()));
        } catch (Unavailable e) {
            // It expires on its own (CONV_TTL); a claim of it finds an ended conversation's last state at worst.
        }
    }

    @Override
    public Record claim(String handle, String app) throws InterruptedException {
        String key = prefix + "conv:" + handle;
        long deadline = System.nanoTime() + claimWait.toNanos();
        boolean asked = false;
        while (true) {
            @SuppressWarnings("unchecked")
            List<Object> r = (List<Object>) call(() -> redis.eval(CLAIM, List.of(key), List.of(node, prefix + "node:", app)));
            String status = String.valueOf(r.get(0));
            String owner = String.valueOf(r.get(1));
            if (status.equals("missing")) {
                return null;
            }
            if (status.equals("ok")) {
                Map<String, String> h = call(() -> redis.hgetAll(key));
                log.info("Conversation {} claimed from node {}", Secrets.logId(Secrets.hash(handle)), owner.isEmpty() ? "(released)" : owner);
                return parse(handle, h);
            }
            if (!asked) {
                asked = true;
                call(() -> redis.rpush(prefix + "handoff:" + owner, handle));
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            Thread.sleep(50); // polling a remote store: there is no local event to wait for
        }
    }

    private Record parse(String handle, Map<String, String> h) {
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

    // ---- node lifecycle ----

    @Override
    public void start(Node node) {
        this.hooks = node;
        try {
            beat(); // alive before the first session
        } catch (JedisException e) {
            // Redis not up yet (a container started before it): serve, refuse new sessions until the tick reaches it.
            down.set(true);
            log.warn("Redis unreachable at start ({}); new sessions are refused until it is reachable", e.getMessage());
        }
        // A platform thread with its own connections: heartbeats must not wait behind a burst of virtual threads.
        ticker = Thread.ofPlatform().daemon(true).name("habla-gw-cluster-" + this.node).start(this::loop);
        log.info("Cluster node {} up (heartbeat {})", this.node, heartbeat);
    }

    private void loop() {
        Instant last = clock.instant();
        while (!closed) {
            try {
                Thread.sleep(heartbeat.toMillis()); // a periodic task: it waits for time by design
            } catch (InterruptedException e) {
                return;
            }
            Instant now = clock.instant();
            try {
                tick(Duration.between(last, now));
            } catch (RuntimeException e) {
                if (down.compareAndSet(false, true)) {
                    log.warn("Redis unreachable ({}); new sessions are refused until it is back", e.toString());
                }
            }
            last = now;
        }
    }

    /** One beat: alive, state re-written after an outage, slots given back, minutes, hand-offs, revocations. */
    private void tick(Duration elapsed) {
        beat();
        if (down.getAndSet(false)) {
            log.info("Redis reachable again; re-writing this node's state");
            resync();
        }
        for (var e : List.copyOf(unreleased.entrySet())) {
            beats.eval(RELEASE, List.of(prefix + "slots:app:" + e.getValue(), prefix + "slots:key"), List.of(e.getKey()));
            unreleased.remove(e.getKey());
        }
        for (Record r : List.copyOf(dirty.values())) {
            save(r);
        }
        Map<String, Integer> perApp = new HashMap<>();
        held.values().forEach(app -> perApp.merge(app, 1, Integer::sum));
        String day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).toString();
        double secs = elapsed.toMillis() / 1000.0;
        int total = 0;
        for (var e : perApp.entrySet()) {
            beats.incrByFloat(prefix + "secs:app:" + e.getKey() + ":" + day, e.getValue() * secs);
            total += e.getValue();
        }
        if (total > 0) {
            beats.incrByFloat(prefix + "secs:key:" + day, total * secs);
        }
        Node n = hooks;
        List<String> wanted = beats.lpop(prefix + "handoff:" + node, 1000);
        if (wanted != null && n != null) {
            wanted.forEach(h -> Thread.ofVirtual().name("habla-gw-handoff").start(() -> n.handOff(h)));
        }
        if (n != null) {
            for (Conversation c : n.conversations()) {
                Record r = c.recordIfChanged(); // the upstream handle moved (a new one after each turn)
                if (r != null) {
                    save(r);
                }
            }
            if (revokedSeen < 0) {
                revokedSeen = clock.millis() - Duration.ofDays(1).toMillis();
            }
            // Inclusive of the last score read: a revocation in the same millisecond is not missed (marking is idempotent).
            for (var e : beats.zrangeByScoreWithScores(prefix + "revoked", revokedSeen, Double.POSITIVE_INFINITY)) {
                n.revoked(e.getElement());
                revokedSeen = Math.max(revokedSeen, e.getScore());
            }
        }
    }

    private void beat() {
        String prev = beats.setGet(prefix + "node:" + node, Long.toString(clock.millis()), SetParams.setParams().px(deadAfter.toMillis()));
        if (prev == null && ticker != null && !down.get()) {
            // This node was declared dead (stalled longer than deadAfter): its slots may have been purged. Put them back.
            log.warn("Node {} missed its heartbeats for {}; re-writing its slots and sessions", node, deadAfter);
            resync();
        }
    }

    /** After an outage (Redis may have restarted empty): this node's slots and conversation records again. */
    private void resync() {
        for (var e : held.entrySet()) {
            beats.hset(prefix + "slots:app:" + e.getValue(), e.getKey(), node);
            beats.hset(prefix + "slots:key", e.getKey(), node);
        }
        Node n = hooks;
        if (n != null) {
            for (Conversation c : n.conversations()) {
                Record r = c.record();
                if (r != null) {
                    dirty.put(r.handle(), r);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = ticker;
        if (t != null) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            beats.del(prefix + "node:" + node);
        } catch (JedisException e) {
            // Redis is gone: the heartbeat expires on its own.
        }
        beats.close();
        redis.close();
    }

    @Override
    public String toString() {
        return "RedisCluster[" + node + "]";
    }
}
