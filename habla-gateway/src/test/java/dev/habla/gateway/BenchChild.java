package dev.habla.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;

/**
 * The process under test of {@link GatewayBenchmark}: either the gateway or a raw TCP byte relay (the baseline: two
 * virtual threads per connection copying bytes, no WebSocket or JSON work), in front of the benchmark's upstream.
 * Prints {@code PORT n}; on stdin {@code mem} prints {@code MEM <heap bytes used after GC>}, {@code quit} exits.
 */
public final class BenchChild {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        URI upstream = URI.create(args[1]);
        AutoCloseable server;
        int port;
        if (mode.equals("gateway")) {
            Gateway gw = Gateway.create(b -> b.upstream(c -> c.apiKey("bench-provider-key").baseUrl(upstream.toString()))
                    .app(GatewayApp.of("bench", GatewayBenchmark.ADMIN_KEY)).console(false));
            server = gw;
            port = gw.port();
        } else {
            ServerSocket ss = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().name("relay-accept").start(() -> accept(ss, upstream));
            server = ss;
            port = ss.getLocalPort();
        }
        System.out.println("PORT " + port);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("mem")) {
                for (int i = 0; i < 3; i++) {
                    System.gc();
                }
                System.out.println("MEM " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                System.out.flush();
            } else if (line.equals("quit")) {
                break;
            }
        }
        server.close();
        System.exit(0);
    }

    private static void accept(ServerSocket ss, URI upstream) {
        while (!ss.isClosed()) {
            try {
                Socket c = ss.accept();
                c.setTcpNoDelay(true);
                Socket u = new Socket(upstream.getHost(), upstream.getPort());
                u.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> copy(c, u));
                Thread.ofVirtual().start(() -> copy(u, c));
            } catch (IOException e) {
                if (!ss.isClosed()) {
                    System.err.println("relay: " + e);
                }
            }
        }
    }

    private static void copy(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (IOException ignored) {
            // one side closed: close both
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
