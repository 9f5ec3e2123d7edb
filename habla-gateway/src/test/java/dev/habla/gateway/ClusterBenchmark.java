package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.ResponseModality;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import redis.clients.jedis.Jedis;

/**
 * What cluster mode costs (issue 14 §6; a harness, not in the default run): the same load (N text sessions through one
 * gateway node in a child JVM, a turn every {@code bench.gapMs} per session, for {@code bench.seconds}) against a
 * standalone node and a clustered one (Redis of its own), in the same run. Prints the node's CPU, the turn round trip
 * (client send → turnComplete) percentiles, Redis commands per session-minute and Redis's CPU. Only "every turn
 * answered" is asserted. See the module README for how to run it and the figures.
 */
@EnabledIfSystemProperty(named = "habla.gateway.bench", matches = "true")
class ClusterBenchmark {
    final int sessions = Integer.getInteger("bench.sessions", 200);
    final int seconds = Integer.getInteger("bench.seconds", 30);
    final int gapMs = Integer.getInteger("bench.gapMs", 2000);

    record Result(String mode, double cpuSeconds, long turns, long errors, double p50, double p99, long redisOps, double redisCpu) {}

    @Test
    void clusterVersusStandalone() throws Exception {
        List<Result> results = new ArrayList<>();
        try (RedisProcess redis = new RedisProcess();
             LiveEmulator emulator = LiveEmulator.create(b -> b.port(0).apiKey(Fixture.PROVIDER_KEY).maxRecordedMessages(0).maxRecordedAudio(0))) {
            for (String mode : List.of("standalone", "cluster", "standalone", "cluster")) {
                results.add(run(mode, redis, emulator));
            }
        }
        System.out.printf("%nCluster benchmark: %d sessions on one node, a text turn every %d ms each, %d s per run%n", sessions, gapMs, seconds);
        System.out.println("| Mode | Node CPU (s / s) | Turns | Errors | RTT p50 | RTT p99 | Redis cmds / session-minute | Redis CPU (s / s) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            double sessionMinutes = sessions * seconds / 60.0;
            System.out.printf("| %s | %.3f | %d | %d | %.1f ms | %.1f ms | %.1f | %.4f |%n", r.mode(), r.cpuSeconds() / seconds, r.turns(),
                    r.errors(), r.p50(), r.p99(), r.redisOps() / sessionMinutes, r.redisCpu() / seconds);
        }
        assertThat(results).allSatisfy(r -> assertThat(r.errors()).isZero());
    }

    private Result run(String mode, RedisProcess redis, LiveEmulator emulator) throws Exception {
        boolean cluster = mode.equals("cluster");
        Process node = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                ClusterNodeMain.class.getName(), cluster ? redis.uri().toString() : "-", emulator.baseUrl(), "1000")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (Jedis j = redis.client()) {
            BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).startsWith("PORT ");
            String base = "http://127.0.0.1:" + line.substring(5).strip();
            ConcurrentLinkedQueue<Double> rtts = new ConcurrentLinkedQueue<>();
            AtomicLong errors = new AtomicLong();
            SessionConfig text = SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT));
            try (LiveClient client = LiveClient.create(c -> c.apiKey(Fixture.ADMIN_KEY).baseUrl(base).connectTimeout(Duration.ofSeconds(60)));
                 ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<LiveSession> open = new ArrayList<>();
                List<Events> events = new ArrayList<>();
                for (int i = 0; i < sessions; i++) {
                    Events ev = new Events();
                    open.add(client.connect(text, ev));
                    events.add(ev);
                }
                // Warm-up turn each, then measure.
                for (int i = 0; i < sessions; i++) {
                    open.get(i).sendText("warm " + i);
                    events.get(i).reply(Duration.ofSeconds(60));
                }
                long ops0 = commands(j);
                long redisCpu0 = GatewayBenchmark.cpuTicks(redisPid(j));
                long cpu0 = GatewayBenchmark.cpuTicks(node.pid());
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                List<Future<?>> loops = new ArrayList<>();
                for (int i = 0; i < sessions; i++) {
                    int n = i;
                    loops.add(pool.submit(() -> {
                        Thread.sleep((long) (Math.random() * gapMs)); // spread the sessions' turns over the gap
                        int k = 0;
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            open.get(n).sendText("turn " + n + " " + k++);
                            try {
                                events.get(n).reply(Duration.ofSeconds(30));
                                rtts.add((System.nanoTime() - t0) / 1e6);
                            } catch (AssertionError e) {
                                errors.incrementAndGet();
                            }
                            Thread.sleep(gapMs); // the load's pacing, not a wait for an event
                        }
                        return null;
                    }));
                }
                for (Future<?> f : loops) {
                    f.get(seconds + 120L, TimeUnit.SECONDS);
                }
                double cpu = (GatewayBenchmark.cpuTicks(node.pid()) - cpu0) / 100.0;
                double redisCpu = (GatewayBenchmark.cpuTicks(redisPid(j)) - redisCpu0) / 100.0;
                long ops = commands(j) - ops0;
                open.forEach(LiveSession::close);
                List<Double> sorted = new ArrayList<>(rtts);
                Collections.sort(sorted);
                return new Result(mode, cpu, sorted.size(), errors.get(), pct(sorted, 0.50), pct(sorted, 0.99), cluster ? ops : 0,
                        cluster ? redisCpu : 0);
            }
        } finally {
            node.destroyForcibly();
            node.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static double pct(List<Double> sorted, double p) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) (p * sorted.size())));
    }

    /** Commands Redis processed so far (minus this harness's own INFO calls, negligible). */
    private static long commands(Jedis j) {
        for (String l : j.info("stats").split("\r?\n")) {
            if (l.startsWith("total_commands_processed:")) {
                return Long.parseLong(l.substring(l.indexOf(':') + 1).strip());
            }
        }
        throw new AssertionError("no total_commands_processed in INFO");
    }

    private static long redisPid(Jedis j) {
        for (String l : j.info("server").split("\r?\n")) {
            if (l.startsWith("process_id:")) {
                return Long.parseLong(l.substring(l.indexOf(':') + 1).strip());
            }
        }
        throw new AssertionError("no process_id in INFO");
    }
}
