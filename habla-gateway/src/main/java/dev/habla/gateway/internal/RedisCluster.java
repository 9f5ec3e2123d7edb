package dev.habla.gateway.internal;

import static dev.habla.gateway.internal.RedisScripts.ACQUIRE;
import static dev.habla.gateway.internal.RedisScripts.CLAIM;
import static dev.habla.gateway.internal.RedisScripts.FORGET;
import static dev.habla.gateway.internal.RedisScripts.RELEASE;
import static dev.habla.gateway.internal.RedisScripts.SAVE;
import static dev.habla.gateway.internal.RedisScripts.TAKE_USE;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
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
 * {@code handoff:<node>} (handles other nodes want). The scripts are {@link RedisScripts}; how a token and a
 * conversation record are laid out as hashes is {@link RedisHashes}.
 *
 * <p>Threads: callers' virtual threads (Jedis connections are pooled); one virtual thread ticks every heartbeat
 * (heartbeat, hand-off requests, revocations, minutes, and re-writing what failed while Redis was down). What could not
 * be written is kept in {@code dirty} / {@code unreleased} (concurrent) and written again by the tick.
 */
public final class RedisCluster implements Cluster {
    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    private static final Duration CONV_TTL = Duration.ofHours(6);

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
        Map<String, String> h = RedisHashes.ofToken(t);
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
        return RedisHashes.token(hash, h);
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
        } catch (Unavailable | RedisHashes.JsonFailure e) {
            dirty.merge(r.handle(), r, (a, b) -> a.seq() >= b.seq() ? a : b);
        }
    }

    private void write(Record r) {
        List<String> args = RedisHashes.saveArgs(r, CONV_TTL);
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
                return RedisHashes.record(handle, node, h);
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
