package dev.habla.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP load balancer for cluster tests, as a real one is configured for the gateway: each new connection goes to the
 * first backend, in order, whose {@code /healthz} answers 200 (a draining node answers 503, a dead one nothing).
 * Bytes are copied both ways by two virtual threads per connection. Closing it closes every connection.
 */
final class Balancer implements AutoCloseable {
    private final ServerSocket server;
    final List<Integer> backends = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    Balancer(List<Integer> backendPorts) throws IOException {
        backends.addAll(backendPorts);
        server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("test-balancer").start(this::accept);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread.ofVirtual().start(() -> route(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void route(Socket client) {
        for (int port : backends) {
            if (!healthy(port)) {
                continue;
            }
            try {
                Socket up = new Socket();
                up.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                open.add(up);
                Thread.ofVirtual().start(() -> pipe(client, up));
                pipe(up, client);
                return;
            } catch (IOException e) {
                // dead between the health check and the connect: next
            }
        }
        closeQuietly(client);
    }

    private static boolean healthy(int port) {
        try {
            HttpResponse<Void> r = Fixture.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buf = new byte[16384];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        open.forEach(Balancer::closeQuietly);
    }
}
