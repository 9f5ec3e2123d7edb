package dev.habla.tools;

import dev.habla.client.LiveEvent;
import dev.habla.client.SessionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records session events and tool activity; every wait is bounded. Thread-safe. */
final class Recorder implements SessionListener, ToolObserver {
    private final LinkedBlockingQueue<LiveEvent> events = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<ToolActivity> activity = new LinkedBlockingQueue<>();
    private final List<LiveEvent> seen = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();

    @Override
    public void onEvent(LiveEvent event) {
        events.add(event);
    }

    @Override
    public void onActivity(ToolActivity a) {
        activity.add(a);
    }

    /** The next event of this type (earlier ones of other types are kept in {@link #seen()}). */
    <T extends LiveEvent> T await(Class<T> type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            LiveEvent e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + timeout + "; seen " + seen);
            }
            synchronized (this) {
                seen.add(e);
                if (e instanceof LiveEvent.TextDelta t) {
                    text.append(t.text());
                }
            }
            if (type.isInstance(e)) {
                return type.cast(e);
            }
        }
    }

    /** Text of the model's turn: everything up to the next TurnComplete. */
    String nextTurnText(Duration timeout) throws InterruptedException {
        int start;
        synchronized (this) {
            start = text.length();
        }
        await(LiveEvent.TurnComplete.class, timeout);
        synchronized (this) {
            return text.substring(start);
        }
    }

    synchronized List<LiveEvent> seen() {
        return List.copyOf(seen);
    }

    /** The next tool activity of this type; others before it are skipped. */
    <T extends ToolActivity> T awaitActivity(Class<T> type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ToolActivity> skipped = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            ToolActivity a = left <= 0 ? null : activity.poll(left, TimeUnit.NANOSECONDS);
            if (a == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + timeout + "; skipped " + skipped);
            }
            if (type.isInstance(a)) {
                return type.cast(a);
            }
            skipped.add(a);
        }
    }

    /** The next activity, whatever it is. */
    ToolActivity nextActivity(Duration timeout) throws InterruptedException {
        ToolActivity a = activity.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (a == null) {
            throw new AssertionError("no tool activity within " + timeout);
        }
        return a;
    }
}
