package dev.habla.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ClocksTest {

    @Test
    void fakeClockRunsDueTasksInOrderAtTheirDueTime() {
        FakeClock clock = new FakeClock(Instant.EPOCH);
        List<String> log = new ArrayList<>();
        clock.schedule(Duration.ofSeconds(2), () -> log.add("b@" + clock.now().getEpochSecond()));
        clock.schedule(Duration.ofSeconds(1), () -> {
            log.add("a@" + clock.now().getEpochSecond());
            clock.schedule(Duration.ofMillis(500), () -> log.add("a2@" + clock.now().toEpochMilli()));
        });
        clock.schedule(Duration.ofSeconds(2), () -> log.add("c@" + clock.nanoTime() / 1_000_000_000L));
        Scheduler.Cancellable d = clock.schedule(Duration.ofSeconds(3), () -> log.add("d"));
        d.cancel();
        d.cancel();
        clock.schedule(Duration.ofSeconds(10), () -> log.add("late"));
        assertThat(clock.pendingTasks()).isEqualTo(4);
        clock.advance(Duration.ofSeconds(5));
        assertThat(log).containsExactly("a@1", "a2@1500", "b@2", "c@2");
        assertThat(clock.now()).isEqualTo(Instant.EPOCH.plusSeconds(5));
        assertThat(clock.nanoTime()).isEqualTo(5_000_000_000L);
        assertThat(clock.untilNextTask()).isEqualTo(Duration.ofSeconds(5));
        clock.schedule(Duration.ofSeconds(-1), () -> log.add("now"));
        clock.runDueTasks();
        assertThat(log).endsWith("now");
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parkUntilOnAFakeClockWakesWhenTimeIsAdvancedPastTheDeadline() throws Exception {
        FakeClock clock = new FakeClock();
        AtomicBoolean woke = new AtomicBoolean();
        CountDownLatch parked = new CountDownLatch(1);
        Thread t = Thread.ofVirtual().start(() -> {
            long deadline = clock.nanoTime() + Duration.ofSeconds(3).toNanos();
            parked.countDown();
            while (clock.nanoTime() < deadline) {
                clock.parkUntil(deadline);
            }
            woke.set(true);
        });
        assertThat(parked.await(5, TimeUnit.SECONDS)).isTrue();
        // The waiter's timer is scheduled just before it parks; wait (bounded) until it is there.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (clock.pendingTasks() == 0 && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        clock.advance(Duration.ofSeconds(2));
        assertThat(t.join(Duration.ofMillis(100))).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(t.join(Duration.ofSeconds(5))).isTrue();
        assertThat(woke).isTrue();
    }

    @Test
    void systemSchedulerRunsTasksAndHonoursCancel() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        Scheduler.system().schedule(Duration.ofMillis(10), ran::countDown);
        Scheduler.system().schedule(Duration.ofMillis(10), () -> { throw new AssertionError("cancelled"); }).cancel();
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        long before = Scheduler.system().nanoTime();
        Scheduler.system().parkUntil(before + TimeUnit.MILLISECONDS.toNanos(5));
        assertThat(Scheduler.system().now()).isBeforeOrEqualTo(Instant.now());
    }

    @Test
    void scaledClockRunsFasterThanRealTime() throws Exception {
        try (ScaledClock clock = new ScaledClock(20)) {
            long t0 = clock.nanoTime();
            long r0 = System.nanoTime();
            CountDownLatch ran = new CountDownLatch(1);
            clock.schedule(Duration.ofSeconds(1), ran::countDown); // 50 ms of real time
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(clock.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());
            assertThat(System.nanoTime() - r0).isLessThan(Duration.ofSeconds(1).toNanos());
            assertThat(clock.toRealNanos(2_000)).isEqualTo(100);
        }
        assertThatThrownBy(() -> new ScaledClock(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
