package dev.habla.emulator.internal;

import dev.habla.time.Scheduler;
import dev.habla.protocol.CloseCodes;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session time limit of one connection's logical session without context window compression (docs: audio-only
 * 15 min, audio+video 2 min): counts this connection's set-up time into the session and ends the session (close 1000,
 * empty reason; its handles stop resuming) when the limit for what it has received is reached. Text-only sessions have
 * no limit (the doc names none). Only touched with the connection's lock held; its timer comes back through
 * {@link Connection#runLocked}.
 */
final class SessionLimit {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLimit.class);

    private final Connection conn;
    private final Scheduler clock;
    private LogicalSession ls;
    private boolean compression;
    /** When this connection's setup was adopted; null before and after. */
    private Instant setupAt;
    private Scheduler.Cancellable timer;

    SessionLimit(Connection conn) {
        this.conn = conn;
        this.clock = conn.clock();
    }

    /** The connection's setup was adopted now: its time counts for {@code session} from here. */
    void started(LogicalSession session, boolean withCompression) {
        this.ls = session;
        this.compression = withCompression;
        setupAt = clock.now();
        ls.connectionStarted(setupAt);
        conn.core().sessionActive(ls);
        reschedule();
    }

    /**
     * (Re)arms the limit: a session that has received video may last {@code videoSessionLimit}, one that has received
     * audio {@code audioSessionLimit}, counted in session time across its connections.
     */
    void reschedule() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        if (compression || setupAt == null || conn.isClosing()) {
            return;
        }
        Duration videoLimit = conn.core().config().videoSessionLimit();
        Duration audioLimit = conn.core().config().audioSessionLimit();
        Duration limit = ls.sawVideo() && videoLimit != null ? videoLimit
                : ls.sawAudio() || ls.sawVideo() ? audioLimit : null;
        if (limit == null) {
            return;
        }
        Duration left = limit.minus(ls.usedTime(clock.now()));
        if (left.isNegative() || left.isZero()) {
            end(limit);
        } else {
            timer = clock.schedule(left, () -> conn.runLocked(() -> end(limit)));
        }
    }

    private void end(Duration limit) {
        timer = null;
        LOG.info("Session {}: session time limit {} reached without context window compression; ending {}", conn.id(), limit,
                ls.id());
        ls.end();
        conn.close(CloseCodes.NORMAL, "");
    }

    /** The connection closed: its time stops counting. */
    void stopped() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        if (setupAt != null) {
            if (ls.connectionEnded(clock.now())) {
                conn.core().sessionIdle(ls);
            }
            setupAt = null;
        }
    }
}
