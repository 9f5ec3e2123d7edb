package dev.habla.client;

import static org.assertj.core.api.Assertions.fail;

import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Tool;
import dev.habla.testing.FakeClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;

/**
 * An emulator (real or shared fake time), a client and a meter registry per test, closed afterwards. Policies made
 * here are fast (short backoff, no jitter, no proactive timer) unless a test says otherwise.
 */
abstract class ResilienceTestBase {
    static final String KEY = "test-key";
    static final String HALF_CASCADE = EmulatorTest.HALF_CASCADE;
    static final String NATIVE_AUDIO = EmulatorTest.NATIVE_AUDIO;
    static final Duration WAIT = Duration.ofSeconds(10);

    LiveEmulator emulator;
    LiveClient client;
    /** The one clock of the emulator and the sessions; null when they run on real time. */
    FakeClock fake;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /**
     * A client for the emulator that notices trouble quickly: on a loaded 2-core CI box a connect attempt can stall
     * and a dead socket can go unnoticed until the next ping, so a short connect timeout lets the session's own retry
     * take over and frequent pings detect a silent peer within the tests' time budget.
     */
    LiveClient newClient() {
        return LiveClient.create(c -> c.apiKey(KEY).baseUrl(emulator.baseUrl())
                .connectTimeout(Duration.ofSeconds(3)).pingInterval(Duration.ofSeconds(2)));
    }

    /** An emulator on real time. */
    void realTime(Consumer<LiveEmulator.Builder> more) {
        emulator = LiveEmulator.create(b -> {
            b.apiKey(KEY);
            more.accept(b);
        });
        client = newClient();
    }

    /** An emulator and sessions on one fake clock. */
    void fakeTime(Consumer<LiveEmulator.Builder> more) {
        FakeClock clock = new FakeClock();
        fake = clock;
        emulator = LiveEmulator.create(b -> {
            b.apiKey(KEY).clock(clock);
            more.accept(b);
        });
        client = newClient();
    }

    @AfterEach
    void closeAll() {
        if (client != null) {
            client.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    ResiliencePolicy policy(Consumer<ResiliencePolicy.Builder> more) {
        return ResiliencePolicy.create(p -> {
            p.meterRegistry(registry).proactiveHandoverAfter(null).initialBackoff(Duration.ofMillis(10)).jitter(0);
            if (fake != null) {
                p.scheduler(fake);
            }
            more.accept(p);
        });
    }

    static SessionConfig text() {
        return SessionConfig.create(b -> b.model(HALF_CASCADE).responseModality(ResponseModality.TEXT));
    }

    static SessionConfig textWithTool(String name) {
        return SessionConfig.create(b -> b.model(HALF_CASCADE).responseModality(ResponseModality.TEXT)
                .tools(List.of(Tool.ofFunctions(List.of(FunctionDeclaration.of(name, "test tool", null))))));
    }

    /** Advances the shared clock in {@code step}s until an event of {@code type} matching {@code p} arrives. */
    <T extends LiveEvent> T advanceUntil(RecordingListener rec, Class<T> type, Predicate<? super T> p, Duration step, int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            T e = rec.poll(type, p, Duration.ofMillis(20));
            if (e != null) {
                return e;
            }
            fake.advance(step);
        }
        T e = rec.poll(type, p, Duration.ofMillis(500));
        if (e == null) {
            fail("no " + type.getSimpleName() + " after " + maxSteps + " steps of " + step + "; events: "
                    + RecordingListener.summary(rec.events()));
        }
        return e;
    }

    /**
     * Waits until the session holds a resumption handle. The session absorbs the server's resumption updates (no
     * event for them), so this polls its getter ({@link EmulatorTest#eventually}). The server sends the first handle
     * just after setupComplete; a test that needs the next connection to resume waits for it before breaking things.
     */
    static void awaitHandle(ResilientSession s) {
        EmulatorTest.eventually(() -> s.resumptionHandle() != null);
    }

    double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    long timerCount(String name, String... tags) {
        var t = registry.find(name).tags(tags).timer();
        return t == null ? 0 : t.count();
    }
}
