package dev.habla.client;

import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh emulator (key {@value #KEY}) and client per test, both closed afterwards. */
abstract class EmulatorTest {
    static final String KEY = "test-key";
    static final String HALF_CASCADE = "gemini-2.0-flash-live-001";
    static final String NATIVE_AUDIO = "gemini-2.5-flash-native-audio-preview-12-2025";
    static final Duration WAIT = Duration.ofSeconds(10);

    LiveEmulator emulator;
    LiveClient client;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startEmulator() {
        emulator = LiveEmulator.builder().port(0).apiKey(KEY).build().start();
        client = newClient(c -> {});
    }

    @AfterEach
    void stopEmulator() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
        emulator.close();
    }

    /** A client for this emulator with the right key; {@code more} may override anything. */
    LiveClient newClient(Consumer<ClientConfig.Builder> more) {
        LiveClient c = LiveClient.create(b -> {
            b.apiKey(KEY).baseUrl(emulator.baseUrl());
            more.accept(b);
        });
        closeables.add(c);
        return c;
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
