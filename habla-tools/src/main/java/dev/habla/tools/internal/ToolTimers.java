package dev.habla.tools.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread behind every tool-call timeout in the JVM (a daemon platform thread, {@code habla-tools-timer}).
 * Timer tasks only hand work to a virtual thread, so a slow completion never delays other timeouts. Shared because a
 * {@code ToolRegistry} is an immutable value without a lifecycle; an idle scheduler costs one parked thread.
 */
public final class ToolTimers {
    private static final ScheduledExecutorService TIMER = create();

    private ToolTimers() {}

    private static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "habla-tools-timer");
            t.setDaemon(true);
            return t;
        });
        // Cancelled timeouts (the common case: the call finished in time) are removed at once, not kept until due.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Runs {@code task} on a new virtual thread after {@code delay}; cancel the returned future to drop it. */
    public static ScheduledFuture<?> schedule(Duration delay, String threadName, Runnable task) {
        return TIMER.schedule(() -> Thread.ofVirtual().name(threadName).start(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** "850 ms", "2 s", "1.5 s", "2 min 5 s": how durations are shown to the model and the user. */
    public static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = d.toSeconds();
        return s % 60 == 0 ? s / 60 + " min" : s / 60 + " min " + s % 60 + " s";
    }
}
