package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.testing.FakeClock;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy's validation and backoff, and the fake scheduler tests drive time with. */
class ResiliencePolicyTest {

    @Test
    void defaultsAreTheNamedConstants() {
        ResiliencePolicy p = ResiliencePolicy.defaults();
        assertThat(p.scheduler()).isSameAs(Scheduler.system());
        assertThat(p.makeBeforeBreak()).isTrue();
        assertThat(p.proactiveHandoverAfter()).isEqualTo(ResiliencePolicy.DEFAULT_PROACTIVE_HANDOVER_AFTER);
        assertThat(p.maxReconnectAttempts()).isEqualTo(ResiliencePolicy.DEFAULT_MAX_RECONNECT_ATTEMPTS);
        assertThat(p.reseedOnRefusedResumption()).isTrue();
        assertThat(p.compression()).isTrue();
        assertThat(p.reconnectOnStall()).isFalse();
        assertThat(p.meterRegistry()).isNull();
        assertThat(p.with(b -> b.maxReconnectAttempts(9)).maxReconnectAttempts()).isEqualTo(9);
    }

    @Test
    void backoffIsZeroThenExponentialCappedAndJittered() {
        ResiliencePolicy p = ResiliencePolicy.create(b -> b.initialBackoff(Duration.ofMillis(100))
                .maxBackoff(Duration.ofMillis(1000)).backoffMultiplier(2).jitter(0.2));
        assertThat(p.backoff(1, 0.7)).isZero();
        assertThat(p.backoff(2, 0)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.backoff(3, 0)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.backoff(5, 0)).isEqualTo(Duration.ofMillis(800));
        assertThat(p.backoff(6, 0)).isEqualTo(Duration.ofMillis(1000));
        assertThat(p.backoff(30, 0)).isEqualTo(Duration.ofMillis(1000));
        assertThat(p.backoff(3, 1)).isEqualTo(Duration.ofMillis(240));
        assertThat(p.backoff(3, -1)).isEqualTo(Duration.ofMillis(160));
        assertThat(p.backoff(3, 5)).as("u is clamped").isEqualTo(Duration.ofMillis(240));
    }

    @Test
    void badValuesFailClearly() {
        assertThatThrownBy(() -> ResiliencePolicy.create(b -> b.maxReconnectAttempts(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxReconnectAttempts");
        assertThatThrownBy(() -> ResiliencePolicy.create(b -> b.jitter(1.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter");
        assertThatThrownBy(() -> ResiliencePolicy.create(b -> b.drainTimeout(Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("drainTimeout");
        assertThatThrownBy(() -> ResiliencePolicy.create(b -> b.quietLevelDbfs(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quietLevelDbfs");
        assertThatThrownBy(() -> ResiliencePolicy.create(b -> b.proactiveHandoverAfter(Duration.ofSeconds(-1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("proactiveHandoverAfter");
        assertThat(ResiliencePolicy.create(b -> b.proactiveHandoverAfter(null).midTurnStallTimeout(null).replyTimeout(null))
                .replyTimeout()).as("null turns timers off").isNull();
    }

    @Test
    void fakeClockRunsDueTasksInOrderOnTheCallingThread() {
        FakeClock s = new FakeClock();
        List<String> ran = new ArrayList<>();
        s.schedule(Duration.ofSeconds(2), () -> ran.add("b@" + s.nanoTime()));
        s.schedule(Duration.ofSeconds(1), () -> {
            ran.add("a@" + s.nanoTime());
            s.schedule(Duration.ofMillis(500), () -> ran.add("a2@" + s.nanoTime()));
        });
        Scheduler.Cancellable c = s.schedule(Duration.ofSeconds(1), () -> ran.add("cancelled"));
        c.cancel();
        c.cancel();
        assertThat(s.pendingTasks()).isEqualTo(2);
        assertThat(s.untilNextTask()).isEqualTo(Duration.ofSeconds(1));
        s.advance(Duration.ofMillis(999));
        assertThat(ran).isEmpty();
        s.advance(Duration.ofSeconds(2));
        assertThat(ran).containsExactly("a@1000000000", "a2@1500000000", "b@2000000000");
        assertThat(s.nanoTime()).isEqualTo(2_999_000_000L);
        assertThat(s.untilNextTask()).isNull();
        assertThatThrownBy(() -> s.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void systemSchedulerRunsTasks() throws Exception {
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
        long t0 = Scheduler.system().nanoTime();
        Scheduler.system().schedule(Duration.ofMillis(5), ran::countDown);
        assertThat(ran.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(Scheduler.system().nanoTime() - t0).isGreaterThanOrEqualTo(5_000_000L);
    }
}
