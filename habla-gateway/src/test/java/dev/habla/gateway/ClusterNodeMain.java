package dev.habla.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A gateway node in its own JVM, for the cluster tests that SIGKILL a node and for {@link ClusterBenchmark}. Args:
 * Redis URI ({@code -}: standalone), upstream base URL, heartbeat ms. Uses the test fixture's keys and apps. Prints
 * {@code PORT <n>} once serving, then runs until killed.
 */
public final class ClusterNodeMain {
    public static void main(String[] args) throws Exception {
        Gateway gw = Gateway.create(b -> {
            b.upstream(c -> c.apiKey(Fixture.PROVIDER_KEY).baseUrl(args[1])).app(GatewayApp.of("shop", Fixture.ADMIN_KEY));
            if (!args[0].equals("-")) {
                b.redis(URI.create(args[0])).heartbeat(Duration.ofMillis(Long.parseLong(args[2])));
            }
        });
        System.out.println("PORT " + gw.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
