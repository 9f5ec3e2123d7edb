package dev.habla.gateway;

import dev.habla.client.LiveEvent;
import dev.habla.client.SessionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records a session's events (listener thread appends, test thread polls with a timeout). */
final class Events implements SessionListener {
    final BlockingQueue<LiveEvent> queue = new LinkedBlockingQueue<>();
    final List<LiveEvent> all = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onEvent(LiveEvent event) {
        all.add(event);
        queue.add(event);
    }

    /** Events up to and including the first that matches; fails after {@code timeout}. */
    List<LiveEvent> until(Predicate<LiveEvent> p, Duration timeout) throws InterruptedException {
        List<LiveEvent> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            LiveEvent e = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("timed out; got " + out);
            }
            out.add(e);
            if (p.test(e)) {
                return out;
            }
            if (e instanceof LiveEvent.Closed c) {
                throw new AssertionError("closed while waiting: " + c + "; got " + out);
            }
        }
    }

    /** Events up to and including the first that matches, a {@link LiveEvent.Closed} included; fails after {@code timeout}. */
    List<LiveEvent> untilAny(Predicate<LiveEvent> p, Duration timeout) throws InterruptedException {
        List<LiveEvent> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            LiveEvent e = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("timed out; got " + out);
            }
            out.add(e);
            if (p.test(e)) {
                return out;
            }
        }
    }

    /** The text of the next model turn (text deltas up to turnComplete). */
    String reply(Duration timeout) throws InterruptedException {
        StringBuilder sb = new StringBuilder();
        for (LiveEvent e : until(e -> e instanceof LiveEvent.TurnComplete, timeout)) {
            if (e instanceof LiveEvent.TextDelta t && !t.thought()) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }
}
