package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ServerMessage;
import dev.habla.testing.FakeClock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LifetimeTest {

    @Test
    void goAwayAtLifetimeMinusLeadThenClose1000() throws Exception {
        FakeClock clock = new FakeClock();
        try (LiveEmulator emu = LiveEmulator.create(b -> b.clock(clock).connectionLifetime(Duration.ofMinutes(10))
                .goAwayLead(Duration.ofSeconds(5)));
                RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            clock.advance(Duration.ofMinutes(9).plusSeconds(54));
            assertThat(c.pollEvent(Duration.ofMillis(100))).isNull();
            clock.advance(Duration.ofSeconds(1));
            assertThat(c.next().message()).isEqualTo(new ServerMessage.GoAway(Duration.ofSeconds(5)));
            clock.advance(Duration.ofMillis(4999));
            assertThat(c.pollEvent(Duration.ofMillis(100))).isNull();
            clock.advance(Duration.ofMillis(1));
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1000, ""));
        }
    }

    @Test
    void keepClosedSessionsBoundsTheClosedSnapshots() throws Exception {
        try (LiveEmulator emu = LiveEmulator.create(b -> b.keepClosedSessions(1))) {
            for (int i = 0; i < 3; i++) {
                try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
                    c.send(dev.habla.protocol.ClientMessage.ClientContent.userText("hi"));
                    c.untilTurnComplete();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (emu.sessions().size() > 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // the server notices the closes asynchronously
            }
            assertThat(emu.session("s3")).isPresent();
            assertThat(emu.session("s1")).isEmpty();
            assertThat(emu.session("s2")).isEmpty();
        }
    }

    @Test
    void eachConnectionHasItsOwnLifetime() throws Exception {
        FakeClock clock = new FakeClock();
        try (LiveEmulator emu = LiveEmulator.create(b -> b.clock(clock).connectionLifetime(Duration.ofSeconds(60))
                .goAwayLead(Duration.ofSeconds(10)));
                RawClient a = RawClient.setUp(emu, Fixtures.text())) {
            clock.advance(Duration.ofSeconds(30));
            try (RawClient b = RawClient.setUp(emu, Fixtures.text())) {
                clock.advance(Duration.ofSeconds(30));
                assertThat(a.next().message()).isInstanceOf(ServerMessage.GoAway.class);
                assertThat(a.awaitClose().code()).isEqualTo(1000);
                assertThat(b.pollEvent(Duration.ofMillis(100))).isNull();
                clock.advance(Duration.ofSeconds(20));
                assertThat(b.next().message()).isEqualTo(new ServerMessage.GoAway(Duration.ofSeconds(10)));
                clock.advance(Duration.ofSeconds(10));
                assertThat(b.awaitClose().code()).isEqualTo(1000);
            }
        }
    }
}
