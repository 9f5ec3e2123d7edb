package dev.habla.client;

import dev.habla.emulator.EmulatorClock;
import dev.habla.emulator.FakeClock;
import java.time.Duration;
import java.time.Instant;

/**
 * One fake time for the emulator and the client: the emulator's {@link FakeClock} seen as a client {@link Scheduler},
 * so advancing it fires goAways, emulator timers and the session's watchdog, backoff and handover timers in one order.
 */
final class SharedFakeClock implements Scheduler {
    final FakeClock clock = new FakeClock();

    EmulatorClock emulatorClock() {
        return clock;
    }

    @Override
    public long nanoTime() {
        Instant n = clock.now();
        return n.getEpochSecond() * 1_000_000_000L + n.getNano();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        EmulatorClock.Cancellable c = clock.schedule(delay, task);
        return c::cancel;
    }

    void advance(Duration d) {
        clock.advance(d);
    }
}
