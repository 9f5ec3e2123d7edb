package dev.habla.gateway.internal;

import dev.habla.protocol.CloseCodes;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits that fall due while sessions run, enforced at that moment on the gateway's one {@link Scheduler} (not at the
 * session's next message): a token's {@code expireTime} ends its sessions with 1008 {@code Ephemeral token expired.};
 * a revocation (here, or on another node as the cluster learns of it) ends them at once with 1008
 * {@code Ephemeral token was revoked.}; an app's minutes per day, which its open sessions use up together, end every
 * session of the app with 1011 {@link Accounting#REASON_MINUTES} when they run out. ({@code newSessionExpireTime} only
 * refuses new sessions: it never ends a running one, and resuming is not a new session.)
 *
 * <p>Threads: {@link #started}/{@link #ended} on the conversation's threads, {@link #revoked} on an HTTP thread or the
 * cluster's ticker, timer tasks on the scheduler's. {@code lock} guards the two timer maps; conversations are ended
 * outside it (ending one calls {@link #ended}).
 */
public final class Limits {
    private static final Logger log = LoggerFactory.getLogger(Limits.class);
    static final String REASON_EXPIRED = "Ephemeral token expired.";
    static final String REASON_REVOKED = "Ephemeral token was revoked.";
    private final Scheduler clock;
    private final Accounting accounting;
    private final Map<String, Conversation> conversations; // the hub's, by gateway handle
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Long, Scheduler.Cancellable> expiry = new HashMap<>(); // by conversation id
    private final Map<String, Scheduler.Cancellable> minutes = new HashMap<>(); // by app
    private boolean closed; // guarded by lock

    Limits(Scheduler clock, Accounting accounting, Map<String, Conversation> conversations) {
        this.clock = clock;
        this.accounting = accounting;
        this.conversations = conversations;
    }

    /** A conversation is open (its accounting session too): arm its token's expiry and re-arm its app's minutes. */
    void started(Conversation c) {
        Token t = c.token();
        if (t != null) {
            Duration left = Duration.between(clock.now(), t.expireTime());
            Scheduler.Cancellable timer = clock.schedule(left, () -> {
                log.info("Conversation {}: token {} expired", c.id(), t.logId());
                c.end(CloseCodes.POLICY, REASON_EXPIRED);
            });
            lock.lock();
            try {
                if (closed) {
                    timer.cancel();
                } else {
                    expiry.put(c.id(), timer);
                }
            } finally {
                lock.unlock();
            }
        }
        rearmMinutes(c.app());
        if (c.isEnded()) {
            ended(c); // it ended while this ran (its client left at once): its ended() may have found nothing yet
        }
    }

    /** A conversation ended (after its accounting session closed): its timer goes, the app's share of minutes changed. */
    void ended(Conversation c) {
        Scheduler.Cancellable timer;
        lock.lock();
        try {
            timer = expiry.remove(c.id());
        } finally {
            lock.unlock();
        }
        if (timer != null) {
            timer.cancel();
        }
        rearmMinutes(c.app());
    }

    /** The token stored under {@code tokenHash} was revoked: its sessions on this node end now. */
    public void revoked(String tokenHash) {
        for (Conversation c : List.copyOf(conversations.values())) {
            if (c.token() != null && c.token().hash.equals(tokenHash)) {
                log.info("Conversation {}: token {} revoked", c.id(), c.token().logId());
                c.end(CloseCodes.POLICY, REASON_REVOKED);
            }
        }
    }

    /**
     * The app's minutes run out when its open sessions together use up what is left of the day: one timer per app at
     * that instant, re-armed whenever a session of the app opens or ends. When it fires the limit is checked again
     * (a new UTC day resets it) and, if used up, every session of the app ends.
     */
    private void rearmMinutes(String app) {
        Scheduler.Cancellable old;
        lock.lock();
        try {
            // Computed under the lock, so the last of two concurrent re-arms is also the newest.
            Instant due = accounting.minutesRunOut(app);
            old = minutes.remove(app);
            if (due != null && !closed) {
                minutes.put(app, clock.schedule(Duration.between(clock.now(), due), () -> minutesDue(app)));
            }
        } finally {
            lock.unlock();
        }
        if (old != null) {
            old.cancel();
        }
    }

    private void minutesDue(String app) {
        if (!accounting.minutesExceeded(app)) {
            rearmMinutes(app); // a new day, or sessions ended meanwhile
            return;
        }
        List<Conversation> ending = new ArrayList<>();
        for (Conversation c : conversations.values()) {
            if (c.app().equals(app)) {
                ending.add(c);
            }
        }
        log.info("App {}: session minutes for today used up; ending {} sessions", app, ending.size());
        for (Conversation c : ending) {
            c.end(CloseCodes.INTERNAL, Accounting.REASON_MINUTES);
        }
        rearmMinutes(app);
    }

    /** Cancels every timer (the gateway is closing). */
    void close() {
        List<Scheduler.Cancellable> all;
        lock.lock();
        try {
            closed = true;
            all = new ArrayList<>(expiry.values());
            all.addAll(minutes.values());
            expiry.clear();
            minutes.clear();
        } finally {
            lock.unlock();
        }
        all.forEach(Scheduler.Cancellable::cancel);
    }
}
