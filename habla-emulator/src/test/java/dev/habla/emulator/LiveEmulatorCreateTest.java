package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link LiveEmulator#create}: returns an emulator already accepting connections, or a clear error when it cannot bind. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LiveEmulatorCreateTest {
    @Test
    void createdEmulatorIsAlreadyAcceptingConnections() throws Exception {
        try (LiveEmulator emu = LiveEmulator.create(); Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), emu.port()), 5_000);
            assertThat(socket.isConnected()).isTrue();
        }
    }

    @Test
    void portTakenThrowsIllegalState() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> LiveEmulator.create(b -> b.port(busy.getLocalPort())))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Cannot start the emulator: Cannot start the Live server");
        }
    }
}
