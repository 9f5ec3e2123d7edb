package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A {@link SessionListener} fake that records every event (okhttp's WebSocketRecorder, for sessions). Tests read
 * events in order with {@link #await}: each call scans from a cursor and consumes up to the match. Records what
 * thread delivered each event and flags anything after {@link LiveEvent.Closed}.
 *
 * <p>{@link #events} is guarded by {@link #lock}.
 */
final class RecordingListener implements SessionListener {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<LiveEvent> events = new ArrayList<>();
    private final List<String> threads = new ArrayList<>();
    private int cursor;
    private int afterClosed;
    private volatile Predicate<LiveEvent> throwOn = e -> false;

    @Override
    public void onEvent(LiveEvent event) {
        lock.lock();
        try {
            boolean closedBefore = events.stream().anyMatch(e -> e instanceof LiveEvent.Closed);
            if (closedBefore) {
                afterClosed++;
            }
            events.add(event);
            threads.add(Thread.currentThread().getName());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (throwOn.test(event)) {
            throw new IllegalStateException("boom from the test listener on " + event.getClass().getSimpleName());
        }
    }

    /** Makes the listener throw (after recording) on events matching {@code p}. */
    RecordingListener throwOn(Predicate<LiveEvent> p) {
        this.throwOn = p;
        return this;
    }

    /** The next event of {@code type} after the cursor, waiting up to {@code timeout}; fails on timeout. */
    <T extends LiveEvent> T await(Class<T> type, Duration timeout) {
        return await(type, e -> true, timeout);
    }

    /** The next event of {@code type} matching {@code p} after the cursor; the cursor moves past it. */
    <T extends LiveEvent> T await(Class<T> type, Predicate<? super T> p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (int i = cursor; i < events.size(); i++) {
                    LiveEvent e = events.get(i);
                    if (type.isInstance(e) && p.test(type.cast(e))) {
                        cursor = i + 1;
                        return type.cast(e);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return fail("no " + type.getSimpleName() + " within " + timeout + "; events: " + summary(events));
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #await} but returns null on timeout (the cursor stays put). */
    <T extends LiveEvent> T poll(Class<T> type, Predicate<? super T> p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (int i = cursor; i < events.size(); i++) {
                    LiveEvent e = events.get(i);
                    if (type.isInstance(e) && p.test(type.cast(e))) {
                        cursor = i + 1;
                        return type.cast(e);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Concatenated text deltas after the last event matching {@code p} (e.g. the answer since a marker). */
    String textSince(Predicate<LiveEvent> p) {
        List<LiveEvent> all = events();
        int from = 0;
        for (int i = 0; i < all.size(); i++) {
            if (p.test(all.get(i))) {
                from = i + 1;
            }
        }
        StringBuilder b = new StringBuilder();
        for (LiveEvent e : all.subList(from, all.size())) {
            if (e instanceof LiveEvent.TextDelta t && !t.thought()) {
                b.append(t.text());
            }
        }
        return b.toString();
    }

    /** Waits for the terminal event (regardless of the cursor). */
    LiveEvent.Closed awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (LiveEvent e : events) {
                    if (e instanceof LiveEvent.Closed c) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return fail("no Closed within " + timeout + "; events: " + summary(events));
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** All events so far. */
    List<LiveEvent> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    /** Events of one type so far. */
    <T extends LiveEvent> List<T> all(Class<T> type) {
        return events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Concatenated non-thought text deltas between the cursor positions {@code from} and now. */
    String text() {
        StringBuilder b = new StringBuilder();
        for (LiveEvent.TextDelta t : all(LiveEvent.TextDelta.class)) {
            if (!t.thought()) {
                b.append(t.text());
            }
        }
        return b.toString();
    }

    /** Names of the threads that delivered events. */
    List<String> threads() {
        lock.lock();
        try {
            return List.copyOf(threads);
        } finally {
            lock.unlock();
        }
    }

    /** Exactly one Closed, last, nothing after it. */
    void assertTerminatedOnce() {
        List<LiveEvent> all = events();
        assertThat(all.stream().filter(e -> e instanceof LiveEvent.Closed).count()).as("Closed events in %s", summary(all)).isEqualTo(1);
        assertThat(all.get(all.size() - 1)).isInstanceOf(LiveEvent.Closed.class);
        lock.lock();
        try {
            assertThat(afterClosed).as("events after Closed").isZero();
        } finally {
            lock.unlock();
        }
    }

    static String summary(List<LiveEvent> events) {
        StringBuilder b = new StringBuilder("[");
        for (LiveEvent e : events) {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append(e instanceof LiveEvent.TextDelta t ? "TextDelta(" + t.text() + ")" : e.toString());
        }
        return b.append("]").toString();
    }
}
