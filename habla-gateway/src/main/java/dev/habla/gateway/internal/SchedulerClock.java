package dev.habla.gateway.internal;

import dev.habla.time.Scheduler;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The gateway's one clock, {@link Scheduler#now()}, seen as a UTC {@link Clock} by the parts that only read the time
 * (token times, day limits, cluster timestamps); the timers run on the same scheduler, so a test's fake clock moves
 * both. Thread-safe as the scheduler is.
 */
public final class SchedulerClock extends Clock {
    private final Scheduler scheduler;

    public SchedulerClock(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this; // always UTC: the gateway's days are UTC days
    }

    @Override
    public Instant instant() {
        return scheduler.now();
    }
}
