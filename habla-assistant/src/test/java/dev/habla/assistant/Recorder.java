package dev.habla.assistant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records every {@link AssistantEvent}; tests wait for the ones they need (bounded). */
final class Recorder implements AssistantObserver {

    private final LinkedBlockingQueue<AssistantEvent> queue = new LinkedBlockingQueue<>();
    private final List<AssistantEvent> all = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onEvent(AssistantEvent event) {
        all.add(event);
        queue.add(event);
        synchronized (this) {
            notifyAll();
        }
    }

    /**
     * Waits until at least {@code n} events of {@code type} have been recorded (independent of the queue that
     * {@link #await} consumes) and returns them all; fails after {@code timeout}.
     */
    <T extends AssistantEvent> List<T> awaitCount(Class<T> type, int n, Duration timeout) throws InterruptedException {
        return awaitCount(type, x -> true, n, timeout);
    }

    /** As {@link #awaitCount(Class, int, Duration)}, counting only events matching {@code filter}. */
    <T extends AssistantEvent> List<T> awaitCount(Class<T> type, Predicate<T> filter, int n, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                List<T> seen = all(type).stream().filter(filter).toList();
                if (seen.size() >= n) {
                    return seen;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("only " + seen.size() + " of " + n + " " + type.getSimpleName() + " within "
                            + timeout.toMillis() + " ms; seen: " + summary());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    /** The next event of type {@code type} matching {@code filter}, skipping others; fails after {@code timeout}. */
    <T extends AssistantEvent> T await(Class<T> type, Predicate<T> filter, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            AssistantEvent e = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (e == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + timeout.toMillis() + " ms; seen: "
                        + summary());
            }
            if (type.isInstance(e) && filter.test(type.cast(e))) {
                return type.cast(e);
            }
        }
    }

    <T extends AssistantEvent> T await(Class<T> type, Duration timeout) throws InterruptedException {
        return await(type, x -> true, timeout);
    }

    /** Drops what is queued (events stay in {@link #all()}). */
    void skipQueued() {
        queue.clear();
    }

    List<AssistantEvent> all() {
        return new ArrayList<>(all);
    }

    <T extends AssistantEvent> List<T> all(Class<T> type) {
        return all.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private String summary() {
        List<String> names = all.stream().map(e -> e.getClass().getSimpleName()).toList();
        int from = Math.max(0, names.size() - 30);
        return names.subList(from, names.size()).toString();
    }
}
