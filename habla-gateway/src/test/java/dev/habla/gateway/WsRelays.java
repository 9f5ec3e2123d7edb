package dev.habla.gateway;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * Reference paths for {@link GatewayBenchmark}: WebSocket-aware relays that forward each message as it is, with no
 * session, JSON or accounting work. {@code jetty-ws} is the gateway's own stack (Jetty's WebSocket server and client,
 * configured as the gateway configures them) with nothing of Habla's; {@code helidon-ws} is Helidon's WebServer
 * (a virtual thread per connection on blocking sockets, as the byte relay) in front of the same Jetty client;
 * {@code jetty-netty-ws} is Jetty's server in front of Netty's client ({@link NettyRelay.Upstreams});
 * {@code thin-ws} is the harness's own thinnest WebSocket-aware relay: {@link BenchWire}'s framing on blocking sockets,
 * one virtual thread per direction, frames unmasked on the way in and masked with a random key on the way up, as a
 * client must. The spread between the byte relay, these and the gateway says which layer costs what.
 */
public final class WsRelays { // public, with its listeners: Jetty binds listener methods through method handles
    private static final int INPUT_BUFFER_BYTES = 64 << 10;
    private static final int MAX_MESSAGE_BYTES = 16 << 20;

    private WsRelays() {}

    private static URI ws(URI http) {
        return URI.create("ws://" + http.getHost() + ":" + http.getPort() + "/");
    }

    /** The upstream side of both relays: Jetty's WebSocket client as {@code JettyWebSocketTransport} sets it up. */
    static WebSocketClient upstreamClient() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(64, 2);
        pool.setName("relay-jetty-client");
        pool.setDaemon(true);
        HttpClient http = new HttpClient();
        http.setExecutor(pool);
        WebSocketClient c = new WebSocketClient(http);
        c.setIdleTimeout(Duration.ZERO);
        c.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
        c.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
        c.setInputBufferSize(INPUT_BUFFER_BYTES);
        c.start();
        return c;
    }

    /** One relayed connection's upstream session, or null (said on stderr) when the upstream cannot be reached. */
    private static Session connectUpstream(WebSocketClient client, Session.Listener listener, URI target) {
        try {
            return client.connect(listener, target).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("relay: upstream: " + e);
            return null;
        }
    }

    /** The client closed: so does its upstream session (if it was opened). */
    private static void closeUpstream(Session up, int status, String reason) {
        if (up != null) {
            up.close(status, reason, Callback.NOOP);
        }
    }

    /** Jetty's server as {@code ServerCore} sets it up; every upgrade is relayed to {@code upstream} + its path. */
    static AutoCloseable jetty(URI httpUpstream, int[] port) throws Exception {
        URI upstream = ws(httpUpstream);
        WebSocketClient client = upstreamClient();
        AutoCloseable server = jettyServer(target -> new JettyDown(client, upstream.resolve(target)), port);
        return () -> {
            server.close();
            client.stop();
        };
    }

    /** {@code jetty-netty-ws}: Jetty's server (as the gateway's) in front of Netty's client ({@link NettyRelay}). */
    static AutoCloseable jettyNetty(URI httpUpstream, int[] port) throws Exception {
        URI upstream = ws(httpUpstream);
        NettyRelay.Upstreams upstreams = new NettyRelay.Upstreams();
        AutoCloseable server = jettyServer(target -> new JettyNettyDown(upstreams, upstream.resolve(target)), port);
        return () -> {
            server.close();
            upstreams.close();
        };
    }

    /** Jetty's server as {@code ServerCore} sets it up; {@code endpoint} makes the listener of an upgrade's path. */
    private static AutoCloseable jettyServer(java.util.function.Function<String, Object> endpoint, int[] port) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("relay-jetty-server");
        pool.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("relay-io-", 0).factory()));
        Server s = new Server(pool);
        ServerConnector c = new ServerConnector(s);
        c.setHost("127.0.0.1");
        c.setPort(0);
        s.addConnector(c);
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(s, container -> {
            container.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
            container.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
            container.setInputBufferSize(INPUT_BUFFER_BYTES);
            container.setIdleTimeout(Duration.ZERO);
            container.addMapping("/*", (rq, rs, cb) -> endpoint.apply(rq.getHttpURI().getPathQuery()));
        });
        s.setHandler(ws);
        s.start();
        port[0] = c.getLocalPort();
        return s::stop;
    }

    /** The client's side of a Jetty-to-Netty relay connection: text up through Netty, binary frames down, held until sent. */
    public static final class JettyNettyDown implements Session.Listener.AutoDemanding {
        private final NettyRelay.Upstreams upstreams;
        private final URI target;
        private volatile io.netty.channel.Channel up;

        JettyNettyDown(NettyRelay.Upstreams upstreams, URI target) {
            this.upstreams = upstreams;
            this.target = target;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            up = upstreams.open(target, buf -> session.sendBinary(buf.nioBuffer(), Callback.from(buf::release, x -> buf.release())),
                    session::disconnect);
            if (up == null) {
                session.close(1011, "upstream unreachable", Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketText(String message) {
            up.writeAndFlush(new io.netty.handler.codec.http.websocketx.TextWebSocketFrame(message));
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            io.netty.channel.Channel u = up;
            if (u != null) {
                u.close();
            }
        }
    }

    /** The client's side of a Jetty relay connection: text up, as received; the upstream's binary frames down. */
    public static final class JettyDown implements Session.Listener.AutoDemanding {
        private final WebSocketClient client;
        private final URI target;
        private volatile Session down;
        private volatile Session up;

        JettyDown(WebSocketClient client, URI target) {
            this.client = client;
            this.target = target;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            down = session;
            up = connectUpstream(client, new JettyUp(this), target);
            if (up == null) {
                session.close(1011, "upstream unreachable", Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketText(String message) {
            up.sendText(message, Callback.NOOP);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closeUpstream(up, statusCode, reason);
        }
    }

    /** The upstream side of a Jetty relay connection: binary frames back to the client, the buffer held until sent. */
    public static final class JettyUp implements Session.Listener {
        private final JettyDown owner;
        private Session session;

        JettyUp(JettyDown owner) {
            this.owner = owner;
        }

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
            s.demand();
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            owner.down.sendBinary(payload, Callback.from(() -> {
                callback.succeed();
                session.demand();
            }, callback::fail));
        }
    }

    /** Helidon's WebServer, a virtual thread per connection; upstream through Jetty's client, as the gateway's. */
    static AutoCloseable helidon(URI httpUpstream, String path, int[] port) throws Exception {
        URI upstream = ws(httpUpstream);
        WebSocketClient client = upstreamClient();
        WebServer server = WebServer.builder().host("127.0.0.1").port(0)
                .addRouting(WsRouting.builder().endpoint(path, () -> new HelidonDown(client, upstream.resolve(path))))
                .build().start();
        port[0] = server.port();
        return () -> {
            server.stop();
            client.stop();
        };
    }

    /** The client's side of a Helidon relay connection: text up, as received. */
    public static final class HelidonDown implements WsListener {
        private final WebSocketClient client;
        private final URI target;
        private volatile Session up;

        HelidonDown(WebSocketClient client, URI target) {
            this.client = client;
            this.target = target;
        }

        @Override
        public void onOpen(WsSession session) {
            up = connectUpstream(client, new HelidonUp(session), target);
            if (up == null) {
                session.close(1011, "upstream unreachable");
            }
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            up.sendText(text, Callback.NOOP);
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            closeUpstream(up, status, reason);
        }
    }

    /** The upstream side of a Helidon relay connection: binary frames back to the client, copied. */
    public static final class HelidonUp implements Session.Listener.AutoDemanding {
        private final WsSession down;

        HelidonUp(WsSession down) {
            this.down = down;
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            callback.succeed();
            synchronized (down) { // Helidon's session is not for concurrent writers
                down.send(BufferData.create(b), true);
            }
        }
    }

    /** {@code thin-ws}: accepts, answers the handshake, connects upstream, and pumps frames both ways. */
    static AutoCloseable thin(URI upstream, String path, int[] port) throws IOException {
        ServerSocket ss = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("thin-accept").start(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket c = ss.accept();
                    Thread.ofVirtual().start(() -> thinConnection(c, upstream, path));
                } catch (IOException e) {
                    if (!ss.isClosed()) {
                        System.err.println("thin relay: " + e);
                    }
                }
            }
        });
        port[0] = ss.getLocalPort();
        return ss;
    }

    private static void thinConnection(Socket c, URI upstream, String path) {
        try (c; Socket u = new Socket(upstream.getHost(), upstream.getPort())) {
            c.setTcpNoDelay(true);
            u.setTcpNoDelay(true);
            InputStream fromClient = BenchWire.accept(c);
            InputStream fromUpstream = BenchWire.connect(u, upstream.getHost(), upstream.getPort(), path);
            OutputStream toClient = c.getOutputStream();
            OutputStream toUpstream = u.getOutputStream();
            Thread down = Thread.ofVirtual().start(() -> pump(fromUpstream, toClient, false));
            pump(fromClient, toUpstream, true);
            u.close(); // ends the other direction
            down.join();
        } catch (IOException | InterruptedException e) {
            // a side went away
        }
    }

    /** Copies whole messages from one side to the other, one write per frame; {@code mask}: as a client sends. */
    private static void pump(InputStream in, OutputStream out, boolean mask) {
        BenchWire.Message m = new BenchWire.Message();
        try {
            while (BenchWire.read(in, m)) {
                BenchWire.write(out, mask ? masked(m) : BenchWire.frame(m.opcode, java.util.Arrays.copyOf(m.buf, m.length), false));
                if (m.opcode == BenchWire.CLOSE) {
                    return;
                }
            }
        } catch (IOException e) {
            // a side went away
        }
    }

    private static byte[] masked(BenchWire.Message m) {
        int n = m.length;
        int head = 2 + (n < 126 ? 0 : n < 65536 ? 2 : 8);
        byte[] f = new byte[head + 4 + n];
        f[0] = (byte) (0x80 | m.opcode);
        if (n < 126) {
            f[1] = (byte) (0x80 | n);
        } else if (n < 65536) {
            f[1] = (byte) (0x80 | 126);
            f[2] = (byte) (n >>> 8);
            f[3] = (byte) n;
        } else {
            f[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                f[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
        }
        int key = ThreadLocalRandom.current().nextInt();
        byte[] k = {(byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key};
        System.arraycopy(k, 0, f, head, 4);
        for (int i = 0; i < n; i++) {
            f[head + 4 + i] = (byte) (m.buf[i] ^ k[i & 3]);
        }
        return f;
    }
}
