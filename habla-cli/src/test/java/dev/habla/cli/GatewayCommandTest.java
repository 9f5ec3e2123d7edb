package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ResponseModality;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code habla gateway}: banner, admin key sources, the bundled emulator upstream, a token session through it. */
@Timeout(60)
class GatewayCommandTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(); // as browsers speak to it

    @TempDir
    Path work;
    @TempDir
    Path home;

    final class Running implements AutoCloseable {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final AtomicInteger exit = new AtomicInteger(-1);
        final GatewayCommand command;
        final Thread thread;

        Running(Map<String, String> env, String... args) {
            CliContext ctx = new CliContext(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), env, work, home, false);
            CommandLine cl = Main.commandLine(ctx, false);
            command = (GatewayCommand) cl.getSubcommands().get("gateway").getCommand();
            String[] all = new String[args.length + 1];
            all[0] = "gateway";
            System.arraycopy(args, 0, all, 1, args.length);
            thread = Thread.ofVirtual().name("test-gateway-command").start(() -> exit.set(cl.execute(all)));
        }

        /** Waits for the banner to be complete (the line after the last one printed), bounded. */
        String banner() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!err.toString(StandardCharsets.UTF_8).contains("Stop with Ctrl-C.") && exit.get() < 0) {
                assertThat(System.nanoTime()).as("banner; stderr: %s", err).isLessThan(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // polling, bounded by the deadline
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws InterruptedException {
            command.stop();
            assertThat(thread.join(Duration.ofSeconds(20))).isTrue();
            assertThat(exit.get()).isZero();
        }
    }

    static String baseUrl(String banner) {
        return banner.lines().filter(l -> l.contains("base URL")).findFirst().orElseThrow().replaceAll(".*(http://\\S+).*", "$1");
    }

    @Test
    void adminKeyFromEnvironmentEmulatorUpstreamTokenSession() throws Exception {
        String adminKey = "env-admin-key-0123456789abcdef";
        try (Running r = new Running(Map.of("HABLA_ADMIN_KEY", adminKey), "--port", "0")) {
            String banner = r.banner();
            assertThat(banner).contains("upstream:").contains("built-in emulator").contains("from HABLA_ADMIN_KEY")
                    .doesNotContain(adminKey).doesNotContain("dev admin key");
            String base = baseUrl(banner);
            HttpResponse<String> minted = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1alpha/auth_tokens"))
                    .header("x-goog-api-key", adminKey).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(minted.statusCode()).isEqualTo(200);
            String token = new ObjectMapper().readTree(minted.body()).path("name").asText();
            // Not dev mode: no tokens without an admin key.
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/dev/token")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            try (LiveClient c = LiveClient.create(b -> b.ephemeralToken(token).baseUrl(base).apiVersion("v1alpha"))) {
                assertThat(textReply(c, "gemini-2.0-flash-live-001", "via the gateway command"))
                        .isEqualTo("You said: via the gateway command");
            }
        }
    }

    @Test
    void anOpenAiUpstreamServesLiveClients() throws Exception {
        String adminKey = "env-admin-key-0123456789abcdef";
        try (Running r = new Running(Map.of("HABLA_ADMIN_KEY", adminKey, "GEMINI_API_KEY", "AIza-not-for-openai"),
                "--port", "0", "--provider", "openai")) {
            String banner = r.banner();
            assertThat(banner).contains("built-in emulator").contains("no OPENAI_API_KEY").contains("over OpenAI Realtime");
            String base = baseUrl(banner);
            try (LiveClient c = LiveClient.create(b -> b.apiKey(adminKey).baseUrl(base))) {
                assertThat(textReply(c, "gpt-realtime", "via an OpenAI upstream")).isEqualTo("You said: via an OpenAI upstream");
            }
        }
    }

    @Test
    void devModeGeneratesAndPrintsAKeyAndHandsLoopbackTokens() throws Exception {
        try (Running r = new Running(Map.of(), "--port", "0")) {
            String banner = r.banner();
            assertThat(banner).contains("generated (dev mode)").containsPattern("dev admin key: +habla-dev-[0-9a-f]{48}");
            HttpResponse<String> dev = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl(banner) + "/dev/token"))
                    .header("Origin", "http://127.0.0.1:9999").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(dev.statusCode()).isEqualTo(200);
            assertThat(dev.body()).containsPattern("\"name\":\"auth_tokens/[0-9a-f]{64}\"");
        }
    }

    @Test
    void appsFromAConfigFile() throws Exception {
        Files.writeString(work.resolve("habla-gateway.properties"), """
                app.shop.admin-key=shop-admin-key-0123456789
                app.shop.models=gemini-2.0-flash-live-001
                app.shop.max-sessions=5
                app.kiosk.admin-key=kiosk-admin-key-0123456789
                """);
        try (Running r = new Running(Map.of(), "--port", "0")) {
            String banner = r.banner();
            assertThat(banner).contains("[kiosk, shop]").contains("from habla-gateway.properties").doesNotContain("admin-key-0123456789");
            assertThat(r.command.gateway().usage("shop").activeSessions()).isZero();
        }
        Files.writeString(work.resolve("habla-gateway.properties"), "app.shop.adminkey=x\n");
        Running bad = new Running(Map.of(), "--port", "0");
        assertThat(bad.thread.join(Duration.ofSeconds(20))).isTrue();
        assertThat(bad.exit.get()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err.toString(StandardCharsets.UTF_8)).contains("unknown setting app.shop.adminkey");
    }

    /**
     * Cluster mode from the environment (as the container image and compose example configure it): a password-protected
     * Redis of the test's own, the node joins it (its heartbeat key appears), the banner names the node and Redis but
     * never the password; settings that need Redis are refused without it.
     */
    @Test
    void clusterFromEnvironmentWithRedisAuth() throws Exception {
        boolean installed = java.util.stream.Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "redis-server")));
        if (!installed && !"true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assumptions.abort("redis-server is not installed");
        }
        int redisPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            redisPort = free.getLocalPort();
        }
        String password = "redis-pass-0123456789-SECRET";
        Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--requirepass", password, "--dir", work.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("redis.log").toFile()).start();
        try {
            String url = "redis://:" + password + "@127.0.0.1:" + redisPort;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) { // until redis-server answers (no readiness signal from a child process)
                try (redis.clients.jedis.Jedis j = new redis.clients.jedis.Jedis(URI.create(url))) {
                    if ("PONG".equals(j.ping())) {
                        break;
                    }
                } catch (RuntimeException e) {
                    assertThat(System.nanoTime()).as("redis-server start").isLessThan(deadline);
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                }
            }
            Map<String, String> env = Map.of("HABLA_ADMIN_KEY", "env-admin-key-0123456789abcdef", "HABLA_REDIS_URL", url,
                    "HABLA_PORT", "0", "HABLA_REDIS_PREFIX", "clitest:", "HABLA_DRAIN_TIMEOUT", "1s");
            try (Running r = new Running(env)) {
                String banner = r.banner();
                String node = r.command.gateway().nodeId();
                assertThat(banner).contains("cluster:                node " + node + ", Redis redis://127.0.0.1:" + redisPort + " (keys clitest:*)")
                        .doesNotContain(password);
                try (redis.clients.jedis.Jedis j = new redis.clients.jedis.Jedis(URI.create(url))) {
                    assertThat(j.exists("clitest:node:" + node)).isTrue();
                }
            }
        } finally {
            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
        Running bad = new Running(Map.of("HABLA_ADMIN_KEY", "env-admin-key-0123456789abcdef"), "--port", "0", "--queue", "5");
        assertThat(bad.thread.join(Duration.ofSeconds(20))).isTrue();
        assertThat(bad.exit.get()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err.toString(StandardCharsets.UTF_8)).contains("need --redis");
    }

    /** One text turn through the gateway: the reply's text, up to its {@code turnComplete} (20 s per event at most). */
    private static String textReply(LiveClient c, String model, String line) throws Exception {
        BlockingQueue<LiveEvent> events = new LinkedBlockingQueue<>();
        try (LiveSession s = c.connect(SessionConfig.create(b -> b.model(model).responseModality(ResponseModality.TEXT)),
                events::add)) {
            s.sendText(line);
            StringBuilder text = new StringBuilder();
            LiveEvent e;
            while (!((e = events.poll(20, TimeUnit.SECONDS)) instanceof LiveEvent.TurnComplete)) {
                assertThat(e).as("an event before turnComplete").isNotNull();
                if (e instanceof LiveEvent.TextDelta t) {
                    text.append(t.text());
                }
            }
            return text.toString();
        }
    }
}
