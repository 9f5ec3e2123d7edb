package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.testing.FakeClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * {@link EmulatorExtension}'s lifecycle, run through the JUnit Platform on sample test classes (nested here, enabled
 * only while these tests run them): what each test gets, what is shared, what is closed when.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmulatorExtensionTest {
    /** What the sample tests saw, in order; reset before each run. */
    static final List<Object> SEEN = new CopyOnWriteArrayList<>();
    /** The ports of the emulators they saw (a closed emulator no longer reports its port). */
    static final List<Integer> PORTS = new CopyOnWriteArrayList<>();
    /** What was closed, in order. */
    static final List<String> CLOSED = new CopyOnWriteArrayList<>();

    /** A stand-in client: records its emulator and its closing. */
    record FakeClient(LiveEmulator emulator) implements AutoCloseable {
        @Override
        public void close() {
            CLOSED.add("client:" + emulator.port());
        }
    }

    /** True only while {@link #run} runs a sample, so a sample selected on its own (e.g. by -Dtest) is skipped. */
    static volatile boolean samplesRunning;

    static boolean samplesRunning() {
        return samplesRunning;
    }

    static TestExecutionSummary run(Class<?> sample) {
        SEEN.clear();
        PORTS.clear();
        CLOSED.clear();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        samplesRunning = true;
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(DiscoverySelectors.selectClass(sample)).build(), summary);
        } finally {
            samplesRunning = false;
        }
        return summary.getSummary();
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void perTestEachTestGetsItsOwnEmulatorClockAndClientClosedNewestFirst() {
        TestExecutionSummary r = run(PerTest.class);
        assertThat(r.getFailures()).isEmpty();
        assertThat(r.getTestsSucceededCount()).isEqualTo(2);
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0)).isNotSameAs(SEEN.get(1));
        int first = PORTS.get(0);
        int second = PORTS.get(1);
        assertThat(first).isNotEqualTo(second);
        assertThat(CLOSED).containsExactly("resource:" + first, "client:" + first, "resource:" + second, "client:" + second);
        assertThat(listening(first)).as("first emulator stopped").isFalse();
        assertThat(listening(second)).as("second emulator stopped").isFalse();
    }

    @Test
    void perClassTheTestsShareOneEmulatorStoppedAfterTheClass() {
        TestExecutionSummary r = run(PerClass.class);
        assertThat(r.getFailures()).isEmpty();
        assertThat(r.getTestsSucceededCount()).isEqualTo(2);
        assertThat(SEEN).hasSize(2).allMatch(e -> e == SEEN.getFirst());
        assertThat(PORTS).hasSize(2).containsOnly(PORTS.getFirst());
        assertThat(listening(PORTS.getFirst())).isFalse();
    }

    @Test
    void misconfigurationsAreNamed() {
        TestExecutionSummary r = run(PerClassOnAnInstanceField.class);
        assertThat(r.getTestsFailedCount()).isEqualTo(1);
        assertThat(r.getFailures().getFirst().getException())
                .isInstanceOf(ExtensionConfigurationException.class).hasMessageContaining("static field");

        EmulatorExtension plain = new EmulatorExtension();
        assertThatThrownBy(plain::emulator).isInstanceOf(IllegalStateException.class).hasMessageContaining("No emulator");
        assertThatThrownBy(plain::clock).isInstanceOf(IllegalStateException.class).hasMessageContaining("fakeClock()");
    }

    @EnabledIf("dev.habla.emulator.EmulatorExtensionTest#samplesRunning")
    static class PerTest {
        @RegisterExtension
        final EmulatorExtension live = EmulatorExtension.create(x -> x.fakeClock()
                .emulator(b -> b.apiKey("k")).client(FakeClient::new));

        @Test
        void one(LiveEmulator emu, FakeClock clock, FakeClient client) {
            check(emu, clock, client);
        }

        @Test
        void two(LiveEmulator emu, FakeClock clock, FakeClient client) {
            check(emu, clock, client);
        }

        void check(LiveEmulator emu, FakeClock clock, FakeClient client) {
            assertThat(emu).isSameAs(live.emulator());
            assertThat(emu.clock()).isSameAs(clock).isSameAs(live.clock());
            assertThat(client.emulator()).isSameAs(emu);
            assertThat(live.client(FakeClient.class)).isSameAs(client);
            assertThat(listening(emu.port())).isTrue();
            int port = emu.port();
            live.closeAfterwards(() -> CLOSED.add("resource:" + port));
            SEEN.add(emu);
            PORTS.add(port);
        }
    }

    @EnabledIf("dev.habla.emulator.EmulatorExtensionTest#samplesRunning")
    static class PerClass {
        @RegisterExtension
        static EmulatorExtension live = EmulatorExtension.create(EmulatorExtension.Builder::perClass);

        @Test
        void one(LiveEmulator emu) {
            SEEN.add(emu);
            PORTS.add(emu.port());
        }

        @Test
        void two(LiveEmulator emu) {
            SEEN.add(emu);
            PORTS.add(emu.port());
        }
    }

    @EnabledIf("dev.habla.emulator.EmulatorExtensionTest#samplesRunning")
    static class PerClassOnAnInstanceField {
        @RegisterExtension
        final EmulatorExtension live = EmulatorExtension.create(EmulatorExtension.Builder::perClass);

        @Test
        void neverRuns() {
            throw new AssertionError("the extension must stop this test before it runs");
        }
    }
}
