package dev.habla.gateway.internal;

import dev.habla.gateway.GatewayApp;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream slots of a clustered gateway: before a conversation opens its upstream it takes a slot in the
 * {@link Cluster} (per-app and per-provider-key concurrency and minutes, exact cluster-wide); over a limit it waits in
 * a bounded queue (this node's) for at most {@code queueTimeout}, or is refused at once when the queue is off or full.
 * The slot is given back once the upstream connection is closed, so upstream sessions never exceed the limit. With
 * {@link Cluster#STANDALONE} every admission passes (the node's {@link Accounting} enforces the app limits, as before).
 *
 * <p>Threads: {@link #admit} blocks its caller (a conversation's connect thread, virtual) while queued; waiters poll
 * the store with a growing backoff and are woken early when this node gives a slot back. {@code lock} only pairs with
 * {@code freed}.
 */
public final class Admission {
    private static final Logger log = LoggerFactory.getLogger(Admission.class);
    public static final String REASON_KEY = "Resource has been exhausted (e.g. check quota): too many concurrent sessions for this gateway's provider key.";
    public static final String REASON_KEY_MINUTES = "You exceeded your current quota: session minutes per day for this gateway's provider key.";
    public static final String REASON_QUEUE_TIMEOUT = " Waited in the gateway's queue too long.";

    private final Cluster cluster;
    private final Accounting accounting;
    private final int keySessions;
    private final int keyMinutesPerDay;
    private final int maxQueued;
    private final Duration queueTimeout;
    private final AtomicInteger queued = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();

    /**
     * @param maxQueued    connects that may wait on this node at once (0: over a limit, refuse at once)
     * @param queueTimeout how long one waits at most
     */
    public Admission(Cluster cluster, Accounting accounting, int keySessions, int keyMinutesPerDay, int maxQueued, Duration queueTimeout) {
        this.cluster = cluster;
        this.accounting = accounting;
        this.keySessions = keySessions;
        this.keyMinutesPerDay = keyMinutesPerDay;
        this.maxQueued = maxQueued;
        this.queueTimeout = queueTimeout;
    }

    /** Connects waiting for a slot on this node now. */
    public int queued() {
        return queued.get();
    }

    /**
     * Takes an upstream slot for {@code sid}: null when taken, else the refusal (1011 with Google's quota wording, or
     * 1013 when the store is down).
     */
    public Accounting.Refusal admit(String appId, String sid) throws InterruptedException {
        if (!cluster.shared()) {
            return null;
        }
        GatewayApp app = accounting.app(appId);
        Cluster.Limits limits = new Cluster.Limits(app.maxConcurrentSessions(), app.maxMinutesPerDay(), keySessions, keyMinutesPerDay);
        String why;
        try {
            why = cluster.acquire(appId, sid, limits);
            if (why == null) {
                return null;
            }
            if (why.equals("minutes") || maxQueued <= 0) {
                return refusal(why, "");
            }
            if (queued.incrementAndGet() > maxQueued) {
                queued.decrementAndGet();
                return refusal(why, "");
            }
            try {
                long deadline = System.nanoTime() + queueTimeout.toNanos();
                long backoffMs = 20;
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        log.info("Session {} of app {}: no upstream slot within {}", sid, appId, queueTimeout);
                        return refusal(why, REASON_QUEUE_TIMEOUT);
                    }
                    lock.lock();
                    try { // woken early by a slot given back here; slots given back elsewhere are seen by polling
                        freed.await(Math.min(backoffMs, TimeUnit.NANOSECONDS.toMillis(left) + 1), TimeUnit.MILLISECONDS);
                    } finally {
                        lock.unlock();
                    }
                    backoffMs = Math.min(backoffMs * 2, 250);
                    why = cluster.acquire(appId, sid, limits);
                    if (why == null) {
                        return null;
                    }
                    if (why.equals("minutes")) {
                        return refusal(why, "");
                    }
                }
            } finally {
                queued.decrementAndGet();
            }
        } catch (Cluster.Unavailable e) {
            return new Accounting.Refusal(Cluster.CODE_TRY_AGAIN, Cluster.REASON_UNAVAILABLE, "store");
        }
    }

    /** Gives back {@code sid}'s slot (its upstream connection is closed) and wakes this node's waiters. */
    public void release(String appId, String sid) {
        if (!cluster.shared()) {
            return;
        }
        cluster.release(appId, sid);
        lock.lock();
        try {
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static Accounting.Refusal refusal(String why, String suffix) {
        return switch (why) {
            case "minutes" -> new Accounting.Refusal(1011, Accounting.REASON_MINUTES, "minutes");
            case "key" -> new Accounting.Refusal(1011, REASON_KEY + suffix, "key_concurrency");
            default -> new Accounting.Refusal(1011, Accounting.REASON_CONCURRENCY + suffix, "concurrency");
        };
    }
}
