package dev.habla.gateway;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.Jedis;

/**
 * A {@code redis-server} of the test's own on a free loopback port (never the system service), in a temporary
 * directory, without persistence. {@link #kill()} is SIGKILL; {@link #start()} starts it again on the same port (empty).
 * {@link #close()} kills it and deletes the directory. With {@code CI=true} a missing {@code redis-server} fails the test.
 */
final class RedisProcess implements AutoCloseable {
    final Path dir;
    int port; // set once, in the constructor
    private Process process;

    RedisProcess() throws IOException, InterruptedException {
        boolean found = Stream.of(System.getenv("PATH").split(":")).anyMatch(p -> Files.isExecutable(Path.of(p, "redis-server")));
        if (!found) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("redis-server is not installed (.ci/run installs it)");
            }
            Assumptions.abort("redis-server is not installed");
        }
        dir = Files.createTempDirectory("habla-redis");
        for (int attempt = 1; ; attempt++) { // a free port can be taken between the probe and redis-server's bind
            port = freePort();
            try {
                start();
                return;
            } catch (AssertionError e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    /** Starts redis-server and waits (bounded) until it answers PING. */
    void start() throws IOException, InterruptedException {
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Jedis j = new Jedis("127.0.0.1", port, 500)) {
                if ("PONG".equals(j.ping())) {
                    return;
                }
            } catch (RuntimeException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new AssertionError("redis-server did not start: " + Files.readString(dir.resolve("redis.log")), e);
                }
            }
            Thread.sleep(20); // polling a child process that has no readiness signal
        }
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    Jedis client() {
        return new Jedis("127.0.0.1", port, 2000);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process != null) {
            kill();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static List<String> keys(Jedis j, String pattern) {
        return List.copyOf(j.keys(pattern));
    }
}
