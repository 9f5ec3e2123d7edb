package dev.habla.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link LiveServer#create}: the one way to get a server returns it serving, or closes what it started and throws. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LiveServerCreateTest {
    /** The event loop threads of a LiveServer ({@code habla-server-io-<group>-<n>}, Netty's naming). */
    private static final Pattern POOL_THREAD = Pattern.compile("habla-server-io-\\d+-\\d+");

    @Test
    void createdServerIsAlreadyAcceptingConnections() throws Exception {
        try (LiveServer server = LiveServer.create(b -> b.handlers(EchoServerTest.Echo::new));
                Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
            assertThat(socket.isConnected()).isTrue();
        }
    }

    @Test
    void portTakenThrowsAndLeavesNoPoolThreadRunning() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> LiveServer.create(b -> b.port(busy.getLocalPort()).handlers(EchoServerTest.Echo::new)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Cannot start the Live server");
        }
        // A failed start closes what it started (the event loops included): the promise "create closes itself" relies
        // on it. Servers of other tests here are closed before this one runs, and loop threads may take a moment to
        // exit after a shutdown, hence the bounded poll.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> left = poolThreads();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            left = poolThreads();
        }
        assertThat(left).isEmpty();
    }

    @Test
    void missingHandlersIsRefusedBeforeBinding() {
        assertThatThrownBy(() -> LiveServer.create(b -> b.port(0)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("handlers");
    }

    private static List<String> poolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> POOL_THREAD.matcher(n).matches())
                .toList();
    }
}
