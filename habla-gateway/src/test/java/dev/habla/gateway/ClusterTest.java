package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveSession;
import dev.habla.client.ResilientSession;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.EmulatorSession;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.gateway.internal.Accounting;
import dev.habla.gateway.internal.Admission;
import dev.habla.gateway.internal.Cluster;
import dev.habla.protocol.ResponseModality;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * Cluster mode (issue 14): gateway nodes sharing state in a Redis of the test's own, against one emulator upstream.
 * Each test uses its own key prefix. Nodes are in-process, except the one the node-loss test SIGKILLs (a child JVM).
 */
@Timeout(120)
class ClusterTest {
    static final Duration T = Duration.ofSeconds(30);
    static final Duration BEAT = Duration.ofMillis(300);
    static RedisProcess redis;
    static LiveEmulator emulator;

    @BeforeAll
    static void start() throws Exception {
        redis = new RedisProcess();
        emulator = LiveEmulator.create(b -> b.port(0).apiKey(Fixture.PROVIDER_KEY).keepClosedSessions(8));
    }

    @AfterAll
    static void stop() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static Gateway node(String prefix, GatewayApp app, Consumer<Gateway.Builder> more) {
        return Gateway.create(b -> {
            b.upstream(c -> c.apiKey(Fixture.PROVIDER_KEY).baseUrl(emulator.baseUrl())).app(app)
                    .redis(redis.uri()).redisPrefix(prefix).heartbeat(BEAT);
            more.accept(b);
        });
    }

    static Gateway node(String prefix) {
        return node(prefix, GatewayApp.of("shop", Fixture.ADMIN_KEY), b -> { });
    }

    static SessionConfig text() {
        return SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT));
    }

    static LiveClient adminClient(String baseUrl) {
        return LiveClient.create(c -> c.apiKey(Fixture.ADMIN_KEY).baseUrl(baseUrl).connectTimeout(Duration.ofSeconds(60)));
    }

    static String mint(Gateway gw, String body) throws Exception {
        var r = Fixture.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.baseUrl() + "/v1alpha/auth_tokens"))
                .header("x-goog-api-key", Fixture.ADMIN_KEY).header("content-type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Fixture.JSON.readTree(r.body()).path("name").asText();
    }

    /** Issue 14 §4: a {@code uses: 1} token raced on two nodes starts exactly one session, every round. */
    @Test
    void singleUseTokenRacedOnTwoNodesStartsExactlyOneSession() throws Exception {
        try (Gateway a = node("t4:"); Gateway b = node("t4:"); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 8; round++) {
                String token = mint(round % 2 == 0 ? a : b, "{\"uses\":1}");
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Object>> results = new ArrayList<>();
                for (Gateway gw : List.of(a, b)) {
                    results.add(pool.submit(() -> {
                        try (LiveClient client = LiveClient.create(c -> c.ephemeralToken(token).baseUrl(gw.baseUrl()).apiVersion("v1alpha"))) {
                            go.await();
                            Events ev = new Events();
                            try (LiveSession s = client.connect(text(), ev)) {
                                s.sendText("race");
                                return ev.reply(T);
                            } catch (LiveException e) {
                                return e;
                            }
                        }
                    }));
                }
                go.countDown();
                List<Object> outcomes = new ArrayList<>();
                for (Future<Object> f : results) {
                    outcomes.add(f.get(60, TimeUnit.SECONDS));
                }
                assertThat(outcomes).as("round %d", round).filteredOn(o -> o.equals("You said: race")).hasSize(1);
                assertThat(outcomes).filteredOn(o -> o instanceof LiveException).singleElement()
                        .isInstanceOfSatisfying(LiveException.class, e -> {
                            assertThat(e.closeCode()).isEqualTo(1008);
                            assertThat(e.closeReason()).isEqualTo("Ephemeral token has no uses left.");
                        });
            }
        }
    }

    /** A token revoked on one node ends its session on another node within a few heartbeats, at its next message. */
    @Test
    void revocationOnOneNodeEndsTheSessionOnAnother() throws Exception {
        try (Gateway a = node("t6:"); Gateway b = node("t6:")) {
            String token = mint(a, "{\"uses\":0}");
            Events ev = new Events();
            try (LiveClient client = LiveClient.create(c -> c.ephemeralToken(token).baseUrl(b.baseUrl()).apiVersion("v1alpha"));
                 LiveSession s = client.connect(text(), ev)) {
                s.sendText("before");
                assertThat(ev.reply(T)).isEqualTo("You said: before");
                var del = Fixture.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(a.baseUrl() + "/v1alpha/" + token))
                        .header("x-goog-api-key", Fixture.ADMIN_KEY).DELETE().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(del.statusCode()).isEqualTo(200);
                // Node B learns of it on a heartbeat; each message until then is still answered.
                long deadline = System.nanoTime() + T.toNanos();
                LiveEvent.Closed closed = null;
                while (closed == null) {
                    assertThat(System.nanoTime()).as("session ended after the revocation").isLessThan(deadline);
                    s.sendText("after");
                    for (LiveEvent e : ev.untilAny(x -> x instanceof LiveEvent.TurnComplete || x instanceof LiveEvent.Closed, T)) {
                        if (e instanceof LiveEvent.Closed c) {
                            closed = c;
                        }
                    }
                }
                assertThat(closed.code()).isEqualTo(1008);
                assertThat(closed.reason()).isEqualTo("Ephemeral token was revoked.");
            }
        }
    }

    /**
     * Issue 14 §3: 200 clients at once across three nodes, cluster limit 20 upstream sessions, a queue of 15 per node:
     * never more than 20 upstream connections open at the emulator (sampled continuously), the rest queued (and then
     * served) or refused with the quota reason, every client accounted for.
     */
    @Test
    void exactClusterLimitUnderABurst() throws Exception {
        int clients = Integer.getInteger("habla.cluster.burst.clients", 200);
        int limit = 20;
        GatewayApp app = new GatewayApp("shop", Fixture.ADMIN_KEY, Set.of(), limit, 0);
        List<Gateway> nodes = new ArrayList<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger maxOpen = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 3; i++) {
                nodes.add(node("t3:", app, b -> b.queue(15, Duration.ofSeconds(40))));
            }
            int before = emulator.sessions().size();
            AtomicInteger maxSlots = new AtomicInteger();
            Thread sampler = Thread.ofPlatform().name("test-upstream-sampler").start(() -> {
                try (Jedis j = redis.client()) {
                    while (sampling.get()) {
                        int open = (int) emulator.sessions().stream().filter(EmulatorSession::open).count() - before;
                        maxOpen.accumulateAndGet(open, Math::max);
                        maxSlots.accumulateAndGet((int) j.hlen("t3:slots:key"), Math::max);
                        java.util.concurrent.locks.LockSupport.parkNanos(100_000); // sample every ~0.1 ms, not a busy core
                    }
                }
            });
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Gateway gw = nodes.get(i % 3);
                int n = i;
                outcomes.add(pool.submit(() -> {
                    try (LiveClient client = adminClient(gw.baseUrl())) {
                        go.await();
                        Events ev = new Events();
                        try (LiveSession s = client.connect(text(), ev)) {
                            s.sendText("client " + n);
                            return ev.reply(T).equals("You said: client " + n) ? "served" : "wrong reply";
                        } catch (LiveException e) {
                            return e.closeCode() + " " + e.closeReason();
                        }
                    }
                }));
            }
            go.countDown();
            List<String> results = new ArrayList<>();
            for (Future<String> f : outcomes) {
                results.add(f.get(100, TimeUnit.SECONDS));
            }
            sampling.set(false);
            sampler.join(5000);
            long served = results.stream().filter("served"::equals).count();
            long refused = results.stream().filter(r -> r.equals("1011 " + Accounting.REASON_CONCURRENCY)
                    || r.equals("1011 " + Accounting.REASON_CONCURRENCY + Admission.REASON_QUEUE_TIMEOUT)).count();
            System.out.printf("cluster burst: %d clients, limit %d: served %d, refused %d, max upstream open %d, max slots %d (before %d)%n",
                    clients, limit, served, refused, maxOpen.get(), maxSlots.get(), before);
            assertThat(served + refused).as("every client accounted for: %s", results).isEqualTo(clients);
            assertThat(served).as("the limit's sessions and the queued ones were served").isGreaterThanOrEqualTo(limit);
            assertThat(maxOpen.get()).isBetween(1, limit);
        } finally {
            sampling.set(false);
            nodes.forEach(Gateway::close);
        }
    }

    /**
     * The provider key's limit across nodes, with the queue off: while 3 sessions hold the key's 3 slots, every other
     * connect on any node is refused at once with the key's quota reason; exactly 3 start, whatever the interleaving.
     */
    @Test
    void providerKeyLimitWithoutQueueRefusesAtOnce() throws Exception {
        int clients = 12;
        List<Gateway> nodes = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 3; i++) {
                nodes.add(node("t7:", GatewayApp.of("shop", Fixture.ADMIN_KEY), b -> b.providerKeyLimits(3, 0)));
            }
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch attempted = new CountDownLatch(clients);
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Gateway gw = nodes.get(i % 3);
                outcomes.add(pool.submit(() -> {
                    try (LiveClient client = adminClient(gw.baseUrl())) {
                        go.await();
                        Events ev = new Events();
                        try (LiveSession s = client.connect(text(), ev)) {
                            attempted.countDown();
                            attempted.await(); // hold the slot until every client has tried
                            s.sendText("held");
                            return ev.reply(T);
                        } catch (LiveException e) {
                            attempted.countDown();
                            return e.closeCode() + " " + e.closeReason();
                        }
                    }
                }));
            }
            go.countDown();
            List<String> results = new ArrayList<>();
            for (Future<String> f : outcomes) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(results).filteredOn("You said: held"::equals).hasSize(3);
            assertThat(results).filteredOn(r -> r.equals("1011 " + Admission.REASON_KEY)).hasSize(clients - 3);
        } finally {
            nodes.forEach(Gateway::close);
        }
    }

    /**
     * Issue 14 §1: three nodes, node A a child JVM; a client's conversation on A; A is SIGKILLed with a turn in flight
     * (the upstream holds it unanswered); the client (Habla's resilient session, through a load balancer) reconnects
     * through node B with its handle: the cut turn is reported ({@code interrupted}), the conversation continues with
     * its history.
     */
    @Test
    void nodeKilledMidConversationClientContinuesThroughAnotherNode() throws Exception {
        Process a = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                ClusterNodeMain.class.getName(), redis.uri().toString(), emulator.baseUrl(), Long.toString(BEAT.toMillis()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (Gateway b = node("habla:"); Gateway c = node("habla:")) {
            int aPort = readPort(a);
            try (Balancer lb = new Balancer(List.of(aPort, b.port(), c.port()));
                 LiveClient client = adminClient(lb.baseUrl())) {
                Events ev = new Events();
                try (ResilientSession s = client.connectResilient(text(), ev)) {
                    s.sendText("one");
                    assertThat(ev.reply(T)).isEqualTo("You said: one");
                    s.sendText("two");
                    assertThat(ev.reply(T)).isEqualTo("You said: two");
                    assertThat(b.openSessions() + c.openSessions()).as("the conversation is on A").isZero();
                    EmulatorSession upstream = onlyOpenUpstream();
                    // The upstream stops answering: the next turn is in flight when A dies, whatever the timing.
                    emulator.inject(upstream.id(), new Fault.Stall(Duration.ofSeconds(120)));
                    s.sendText("three");
                    awaitTurnOpenRecorded("habla:");
                    a.destroyForcibly(); // SIGKILL
                    assertThat(a.waitFor(10, TimeUnit.SECONDS)).isTrue();
                    ev.until(e -> e instanceof LiveEvent.Interrupted, T); // the cut turn, reported by the node that took over
                    assertThat(b.openSessions()).isEqualTo(1);
                    String reply;
                    do { // the client library re-sends the unanswered turn on the new connection
                        reply = ev.reply(T);
                    } while (!reply.startsWith("You said: three"));
                    s.sendText("history");
                    assertThat(ev.reply(T)).isEqualTo("History: 1. one | 2. two | 3. three");
                }
            }
        } finally {
            a.destroyForcibly();
            a.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Issue 14 §2: a graceful drain of a node holding 50 sessions (resilient clients behind a load balancer that
     * follows {@code /healthz}): each client is sending its next turn while the drain starts; every session moves to
     * another node by itself (none is left for the drain to cut), and every turn is in the history once, in order.
     */
    @Test
    void drainMovesEverySessionWithNoLostInput() throws Exception {
        int sessions = Integer.getInteger("habla.cluster.drain.sessions", 50);
        Gateway a = node("t2:");
        try (Gateway b = node("t2:"); Gateway c = node("t2:");
             Balancer lb = new Balancer(List.of(a.port(), b.port(), c.port()));
             LiveClient client = adminClient(lb.baseUrl());
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<ResilientSession> open = new ArrayList<>();
            List<Events> events = new ArrayList<>();
            try {
                for (int i = 0; i < sessions; i++) {
                    Events ev = new Events();
                    ResilientSession s = client.connectResilient(text(), ev);
                    open.add(s);
                    events.add(ev);
                    s.sendText("first " + i);
                    assertThat(ev.reply(T)).isEqualTo("You said: first " + i);
                }
                assertThat(a.openSessions()).isEqualTo(sessions);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> turns = new ArrayList<>();
                for (int i = 0; i < sessions; i++) {
                    int n = i;
                    turns.add(pool.submit(() -> {
                        go.await();
                        open.get(n).sendText("second " + n);
                        return events.get(n).reply(T);
                    }));
                }
                Future<Integer> drain = pool.submit(() -> a.drain(Duration.ofSeconds(60)));
                go.countDown();
                for (int i = 0; i < sessions; i++) {
                    assertThat(turns.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("You said: second " + i);
                }
                assertThat(drain.get(70, TimeUnit.SECONDS)).as("sessions the drain had to cut").isZero();
                assertThat(a.openSessions()).isZero();
                for (int i = 0; i < sessions; i++) {
                    open.get(i).sendText("history");
                    assertThat(events.get(i).reply(T)).isEqualTo("History: 1. first " + i + " | 2. second " + i);
                }
                assertThat(b.openSessions() + c.openSessions()).isEqualTo(sessions);
            } finally {
                open.forEach(ResilientSession::close);
            }
        } finally {
            a.close();
        }
    }

    /**
     * Issue 14 §5: Redis killed and restarted (empty) under load: running sessions keep talking, a new session is
     * refused with 1013 and a clear reason meanwhile (also on a node started while Redis is down), and after the restart
     * new sessions start again on every node and every node has written its slots and conversation records again.
     */
    @Test
    void redisKilledAndRestartedUnderLoad() throws Exception {
        int sessions = 10;
        try (Gateway a = node("t5:"); Gateway b = node("t5:");
             LiveClient ca = adminClient(a.baseUrl()); LiveClient cb = adminClient(b.baseUrl())) {
            List<ResilientSession> open = new ArrayList<>();
            List<Events> events = new ArrayList<>();
            Gateway late = null;
            try {
                for (int i = 0; i < sessions; i++) {
                    Events ev = new Events();
                    SessionConfig withResumption = text().with(x -> x.resumption(true));
                    ResilientSession s = (i % 2 == 0 ? ca : cb).connectResilient(withResumption, ev);
                    open.add(s);
                    events.add(ev);
                    s.sendText("before " + i);
                    assertThat(ev.reply(T)).isEqualTo("You said: before " + i);
                }
                redis.kill();
                long down = System.nanoTime();
                for (int i = 0; i < sessions; i++) {
                    open.get(i).sendText("during " + i);
                    assertThat(events.get(i).reply(T)).isEqualTo("You said: during " + i);
                }
                assertThatThrownBy(() -> ca.connect(text(), new Events())).isInstanceOfSatisfying(LiveException.class, e -> {
                    assertThat(e.closeCode()).isEqualTo(1013);
                    assertThat(e.closeReason()).isEqualTo(Cluster.REASON_UNAVAILABLE);
                });
                // A node started while Redis is down (a container before its Redis) serves, and refuses sessions clearly.
                late = node("t5:");
                try (LiveClient cl = adminClient(late.baseUrl())) {
                    assertThatThrownBy(() -> cl.connect(text(), new Events())).isInstanceOfSatisfying(LiveException.class,
                            e -> assertThat(e.closeCode()).isEqualTo(1013));
                }
                redis.start();
                long up = System.nanoTime();
                long firstAccepted;
                while (true) { // new sessions are refused until a node's heartbeat finds Redis again
                    try (LiveSession s = ca.connect(text(), new Events()); LiveClient cl = adminClient(late.baseUrl());
                         LiveSession s2 = cl.connect(text(), new Events())) {
                        firstAccepted = System.nanoTime();
                        break;
                    } catch (LiveException e) {
                        assertThat(e.closeCode()).isEqualTo(1013);
                        assertThat(System.nanoTime() - up).as("refused for too long after the restart").isLessThan(T.toNanos());
                    }
                }
                try (Jedis j = redis.client()) {
                    long deadline = System.nanoTime() + T.toNanos();
                    while (j.hlen("t5:slots:key") != sessions || liveRecords(j, "t5:") != sessions) {
                        assertThat(System.nanoTime()).as("state re-written").isLessThan(deadline);
                        Thread.sleep(20); // the nodes re-write on their next beats
                    }
                }
                for (int i = 0; i < sessions; i++) {
                    open.get(i).sendText("history");
                    assertThat(events.get(i).reply(T)).isEqualTo("History: 1. before " + i + " | 2. during " + i);
                }
                System.out.printf("redis outage: down %d ms (killed → restarted), new sessions accepted %d ms after the restart%n",
                        (up - down) / 1_000_000, (firstAccepted - up) / 1_000_000);
            } finally {
                open.forEach(ResilientSession::close);
                if (late != null) {
                    late.close();
                }
            }
        }
    }

    private static int readPort(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String l;
        try (ExecutorService one = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> line = one.submit(r::readLine);
            l = line.get(60, TimeUnit.SECONDS);
        }
        assertThat(l).as("child node's first line").startsWith("PORT ");
        return Integer.parseInt(l.substring(5).strip());
    }

    private static EmulatorSession onlyOpenUpstream() {
        List<EmulatorSession> open = emulator.sessions().stream().filter(EmulatorSession::open).toList();
        assertThat(open).hasSize(1);
        return open.getFirst();
    }

    /** Conversation records under {@code prefix} that are not tombstones of ended conversations. */
    private static long liveRecords(Jedis j, String prefix) {
        return RedisProcess.keys(j, prefix + "conv:*").stream().filter(k -> !"1".equals(j.hget(k, "ended"))).count();
    }

    /** Waits (bounded) until the only conversation record under {@code prefix} says a turn is open. */
    private static void awaitTurnOpenRecorded(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        try (Jedis j = redis.client()) {
            while (true) {
                List<String> convs = RedisProcess.keys(j, prefix + "conv:*");
                if (convs.size() == 1 && "1".equals(j.hget(convs.getFirst(), "turn"))) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no open turn recorded: " + convs);
                }
                Thread.sleep(10); // polling another process's store: no event to wait on
            }
        }
    }
}
