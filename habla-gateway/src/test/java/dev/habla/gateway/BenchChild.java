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
import java.nio.charset.StandardCharsets;

/**
 * A process of {@link GatewayBenchmark}: the process under test, either the gateway, a raw TCP byte relay (the
 * baseline: two virtual threads per connection copying bytes, no WebSocket or JSON work) or one of the WebSocket-aware
 * reference relays ({@link WsRelays}: {@code thin-ws}, {@code jetty-ws}, {@code helidon-ws}, {@code jetty-netty-ws};
 * {@link NettyRelay}: {@code netty-ws}, {@code netty-jetty-ws}), in front of the benchmark's upstream; or that upstream itself ({@code echo}: answers each
 * {@code realtimeInput} audio message with a 24 kHz {@code modelTurn} chunk carrying the same base64, copied byte for
 * byte, on {@link BenchWire}'s minimal framing, so the upstream costs little and its CPU is measured apart). Prints
 * {@code PORT n}; on stdin {@code mem} prints {@code MEM <heap bytes used after GC>}, {@code quit} exits.
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
        } else if (mode.endsWith("-ws")) {
            int[] p = new int[1];
            server = switch (mode) {
                case "jetty-ws" -> WsRelays.jetty(upstream, p);
                case "helidon-ws" -> WsRelays.helidon(upstream, GatewayBenchmark.PATH, p);
                case "thin-ws" -> WsRelays.thin(upstream, GatewayBenchmark.PATH, p);
                case "netty-ws" -> NettyRelay.start(upstream, GatewayBenchmark.PATH, p);
                case "jetty-netty-ws" -> WsRelays.jettyNetty(upstream, p);
                case "netty-jetty-ws" -> NettyRelay.startJettyUpstream(upstream, GatewayBenchmark.PATH, p);
                default -> throw new IllegalArgumentException("unknown reference path " + mode);
            };
            port = p[0];
        } else if (mode.equals("echo")) {
            ServerSocket ss = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().name("echo-accept").start(() -> echoAccept(ss));
            server = ss;
            port = ss.getLocalPort();
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

    private static final byte[] DATA = "\"data\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SETUP_COMPLETE = "{\"setupComplete\":{}}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TURN_HEAD = ("{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inlineData\":"
            + "{\"mimeType\":\"audio/pcm;rate=24000\",\"data\":\"").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TURN_TAIL = "\"}}],\"role\":\"model\"}}}".getBytes(StandardCharsets.US_ASCII);

    private static void echoAccept(ServerSocket ss) {
        while (!ss.isClosed()) {
            try {
                Socket c = ss.accept();
                c.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> echo(c));
            } catch (IOException e) {
                if (!ss.isClosed()) {
                    System.err.println("echo: " + e);
                }
            }
        }
    }

    /** One upstream connection: reads and answers on this one virtual thread (its only writer). */
    private static void echo(Socket c) {
        try (c) {
            InputStream in = BenchWire.accept(c);
            OutputStream out = c.getOutputStream();
            BenchWire.Message m = new BenchWire.Message();
            while (BenchWire.read(in, m)) {
                switch (m.opcode) {
                    case BenchWire.PING -> BenchWire.write(out, BenchWire.frame(BenchWire.PONG,
                            java.util.Arrays.copyOf(m.buf, m.length), false));
                    case BenchWire.CLOSE -> {
                        BenchWire.write(out, BenchWire.frame(BenchWire.CLOSE, java.util.Arrays.copyOf(m.buf, Math.min(2, m.length)), false));
                        return;
                    }
                    case BenchWire.TEXT, BenchWire.BINARY -> answer(out, m);
                    default -> { }
                }
            }
        } catch (IOException ignored) {
            // the peer went away
        }
    }

    private static void answer(OutputStream out, BenchWire.Message m) throws IOException {
        if (m.length > 9 && new String(m.buf, 0, 10, StandardCharsets.US_ASCII).startsWith("{\"setup\"")) {
            BenchWire.write(out, BenchWire.frame(BenchWire.BINARY, SETUP_COMPLETE, false));
            return;
        }
        int d = BenchWire.indexOf(m.buf, m.length, DATA);
        if (d < 0) {
            return; // not audio (activity, stream end…): the echo answers audio only
        }
        int from = d + DATA.length;
        int to = BenchWire.indexOf(m.buf, from, m.length, (byte) '"');
        int n = to - from;
        byte[] payload = new byte[TURN_HEAD.length + n + TURN_TAIL.length];
        System.arraycopy(TURN_HEAD, 0, payload, 0, TURN_HEAD.length);
        System.arraycopy(m.buf, from, payload, TURN_HEAD.length, n);
        System.arraycopy(TURN_TAIL, 0, payload, TURN_HEAD.length + n, TURN_TAIL.length);
        BenchWire.write(out, BenchWire.frame(BenchWire.BINARY, payload, false));
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
