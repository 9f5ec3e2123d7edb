package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class FakeClockTest {

    @Test
    void runsDueTasksInOrderAtTheirDueTime() {
        FakeClock clock = new FakeClock(Instant.EPOCH);
        List<String> log = new ArrayList<>();
        clock.schedule(Duration.ofSeconds(2), () -> log.add("b@" + clock.now().getEpochSecond()));
        clock.schedule(Duration.ofSeconds(1), () -> {
            log.add("a@" + clock.now().getEpochSecond());
            clock.schedule(Duration.ofMillis(500), () -> log.add("a2@" + clock.now().toEpochMilli()));
        });
        clock.schedule(Duration.ofSeconds(2), () -> log.add("c@" + clock.now().getEpochSecond()));
        EmulatorClock.Cancellable d = clock.schedule(Duration.ofSeconds(3), () -> log.add("d"));
        d.cancel();
        d.cancel();
        clock.schedule(Duration.ofSeconds(10), () -> log.add("late"));
        assertThat(clock.pendingTasks()).isEqualTo(4);
        clock.advance(Duration.ofSeconds(5));
        assertThat(log).containsExactly("a@1", "a2@1500", "b@2", "c@2");
        assertThat(clock.now()).isEqualTo(Instant.EPOCH.plusSeconds(5));
        assertThat(clock.untilNextTask()).isEqualTo(Duration.ofSeconds(5));
        clock.schedule(Duration.ZERO, () -> log.add("now"));
        clock.runDueTasks();
        assertThat(log).endsWith("now");
    }

    @Test
    void systemClockRunsTasks() throws Exception {
        java.util.concurrent.CountDownLatch l = new java.util.concurrent.CountDownLatch(1);
        EmulatorClock.system().schedule(Duration.ofMillis(10), l::countDown);
        EmulatorClock.system().schedule(Duration.ofMillis(10), () -> { throw new AssertionError("cancelled"); }).cancel();
        assertThat(l.await(2, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
}
