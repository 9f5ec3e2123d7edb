package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.EmulatorSession;
import dev.habla.emulator.LiveEmulator;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resilient session has exactly one control thread, however {@code start()} and {@code fail()} interleave: the
 * client publishes a session (so {@code LiveClient.close()} can fail it) before the connecting thread starts it.
 * Counted in a thread dump, which lists virtual threads by name.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ResilientStartTest {

    @TempDir
    Path dir;

    /** Live control threads of the given sessions, from one thread dump. */
    private int controlThreads(List<String> sessionIds, int dump) throws Exception {
        Path file = dir.resolve("threads-" + dump + ".txt");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
        int n = 0;
        for (String line : Files.readAllLines(file)) {
            for (String id : sessionIds) {
                if (line.contains("\"habla-" + id + "-events\"")) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void aSessionFailedWhileItIsStartedRunsOneControlThreadThatEndsWithIt() throws Exception {
        List<String> ids = new ArrayList<>();
        try (LiveEmulator emulator = LiveEmulator.create(b -> b.port(0).apiKey("k"))) {
          ClientConfig config = ClientConfig.create(c -> c.apiKey("k").baseUrl(emulator.baseUrl()));
          try (ClientRuntime runtime = new ClientRuntime(config)) {
            for (int trial = 0; trial < 30; trial++) {
                List<LiveEvent> events = new CopyOnWriteArrayList<>();
                RealResilientSession r = new RealResilientSession(runtime, config,
                        SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001")), events::add,
                        ResiliencePolicy.create(p -> p.proactiveHandoverAfter(null)), null, () -> { });
                ids.add(r.id());
                // What LiveClient.close() racing connectResilient() allows: fail() (which used to start the session
                // itself) and then start() from the connecting thread, back to back.
                r.fail(new LiveException(LiveException.Kind.CLOSED, "the LiveClient was closed"));
                var opened = r.start();
                assertThat(opened).as("the same future either way").isSameAs(r.opened());
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (events.stream().noneMatch(e -> e instanceof LiveEvent.Closed) && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(1_000_000);
                }
                assertThat(events).as("trial %d", trial).filteredOn(e -> e instanceof LiveEvent.Closed).hasSize(1);
                assertThat(opened).isCompletedExceptionally();
            }
            // A control thread ends right after its session's Closed; poll (bounded) until none is left.
            int left = controlThreads(ids, 0);
            for (int i = 1; left > 0 && i < 40; i++) {
                LockSupport.parkNanos(50_000_000);
                left = controlThreads(ids, i);
            }
            assertThat(left).as("control threads still running after their sessions ended").isZero();
            // And no connection outlives its session (a second start used to open one after the session ended).
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (emulator.sessions().stream().anyMatch(EmulatorSession::open) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(10_000_000);
            }
            assertThat(emulator.sessions()).as("emulator connections still open after their sessions ended")
                    .noneMatch(EmulatorSession::open);
          }
        }
    }
}
