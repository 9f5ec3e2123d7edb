package dev.habla.client;

import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A fresh emulator (key {@value #KEY}) and client per test, from {@link EmulatorExtension}, both closed afterwards. */
abstract class EmulatorTest {
    static final String KEY = "test-key";
    static final String HALF_CASCADE = "gemini-2.0-flash-live-001";
    static final String NATIVE_AUDIO = "gemini-2.5-flash-native-audio-preview-12-2025";
    static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final EmulatorExtension extension = EmulatorExtension.create(x -> x.emulator(b -> b.apiKey(KEY))
            .client(emu -> LiveClient.create(c -> c.apiKey(KEY).baseUrl(emu.baseUrl()))));
    LiveEmulator emulator;
    LiveClient client;

    @BeforeEach
    void bind() {
        emulator = extension.emulator();
        client = extension.client(LiveClient.class);
    }

    /** A client for this emulator with the right key, closed after the test; {@code more} may override anything. */
    LiveClient newClient(Consumer<ClientConfig.Builder> more) {
        return extension.closeAfterwards(LiveClient.create(b -> {
            b.apiKey(KEY).baseUrl(emulator.baseUrl());
            more.accept(b);
        }));
    }

    static SessionConfig text() {
        return SessionConfig.create(b -> b.model(HALF_CASCADE).responseModality(dev.habla.protocol.ResponseModality.TEXT));
    }

    /** Polls {@code condition} (every few ms, bounded by {@link #WAIT}) for state that has no event to await. */
    static void eventually(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    /** Next client message at the emulator matching {@code p}, skipping others; fails after {@link #WAIT}. */
    ReceivedMessage takeMatching(Predicate<ClientMessage> p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ReceivedMessage m = emulator.takeClientMessage(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m != null && m.message() != null && p.test(m.message())) {
                return m;
            }
        }
        throw new AssertionError("no matching client message within " + WAIT);
    }
}
