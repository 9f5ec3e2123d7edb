package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keepalive of one {@link RealLiveSession}: a ping every {@link ClientConfig#pingInterval()} once the socket is
 * open, and a peer declared gone when a ping is still unanswered one interval later (unless the session stopped
 * reading: with no credit the transport cannot deliver the pong either, see {@link InboundWindow#paused()}).
 *
 * <p>Threads: {@link #start} and {@link #pong} on the transport's callback thread, pings on the client's shared timer,
 * {@link #stop} on whichever thread terminates the session.
 */
final class SessionPings {
    private static final Logger log = LoggerFactory.getLogger(SessionPings.class);

    private final RealLiveSession s;
    private final ClientConfig client;
    private final ScheduledExecutorService timer;
    private final InboundWindow inbound;
    private final AtomicBoolean awaitingPong = new AtomicBoolean();
    private volatile Future<?> pingTask;

    SessionPings(RealLiveSession s, ClientConfig client, ScheduledExecutorService timer, InboundWindow inbound) {
        this.s = s;
        this.client = client;
        this.timer = timer;
        this.inbound = inbound;
    }

    /** Transport callback thread (onOpen): pings {@code c} from now on, unless the interval is zero. */
    void start(Transport.Connection c) {
        long nanos = client.pingInterval().toNanos();
        if (nanos == 0) {
            return;
        }
        try {
            pingTask = timer.scheduleAtFixedRate(() -> ping(c), nanos, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Client closing; the session is about to be aborted.
        }
    }

    /** Transport callback thread: a pong arrived. */
    void pong() {
        awaitingPong.set(false);
    }

    /** The session terminated: no more pings. */
    void stop() {
        Future<?> f = pingTask;
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Timer thread. A ping still unanswered one interval later means a dead peer (unless we stopped reading). */
    private void ping(Transport.Connection c) {
        if (s.isTerminated()) {
            return;
        }
        if (awaitingPong.get() && !inbound.paused()) {
            s.lostConnection("no pong within " + client.pingInterval().toMillis() + " ms; the peer seems gone", null);
            return;
        }
        awaitingPong.set(true);
        try {
            c.sendPing(); // failures surface as a missing pong next time
        } catch (RuntimeException e) {
            log.debug("session {}: ping failed: {}", s.id(), e.toString());
        }
    }
}
