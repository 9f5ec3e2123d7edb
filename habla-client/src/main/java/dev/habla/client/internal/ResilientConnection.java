package dev.habla.client.internal;

import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One connection of a resilient session and what the session knows about it: its role, the model turn observed on it
 * ({@link TurnState}), its resumption state, and the events a standby holds until it carries the conversation. Fields
 * are the control thread's unless noted.
 */
final class ResilientConnection implements SessionListener {

    /** What a connection is to the conversation. */
    enum Role {
        /** Being opened (first, standby or reconnect candidate). */
        CONNECTING,
        /** Open, set up, not carrying the conversation yet. */
        STANDBY,
        /** Carries the conversation. */
        PRIMARY,
        /** Being closed by a switch; its remaining events still reach the user. */
        RETIRING,
        /** Gone or abandoned; its events are ignored. */
        DEAD
    }

    /** Where the connection's reader thread hands its events (with back-pressure) to the control thread. */
    interface Inbox {
        void deliver(ResilientConnection from, LiveEvent event);

        /** Whether the user's listener takes audio on the I/O thread ({@link SessionListener#audioOnIoThread()}). */
        boolean audioOnIoThread();

        /** The I/O thread: hands {@code chunk} over if that needs no waiting; false: it goes the reader's way. */
        boolean tryDeliverNow(ResilientConnection from, LiveEvent.AudioChunk chunk);
    }

    final int seq;
    /** The handle it was opened with, or null for a fresh session. */
    final String handle;
    /** Seed it with the transcript before anything else (a fresh session replacing a lost one). */
    final boolean reseed;
    private final Inbox inbox;
    CompletableFuture<LiveSession> future;
    /** Set on the control thread when connected; read by senders under the send path's lock. */
    volatile RealLiveSession session;
    Role role = Role.CONNECTING;
    /** Its counters were added to the session's; written by the control thread, read by any thread. */
    volatile boolean retired;
    /** Why we abandoned it ourselves (the stall watchdog), or null. */
    String killed;
    final TurnState turn = new TurnState();
    boolean resumable;
    String latestHandle;
    /** goAway that came before it carried the conversation. */
    Duration goAwayPending;
    /** Events of a standby, delivered once it carries the conversation. */
    final List<LiveEvent> held = new ArrayList<>();

    ResilientConnection(int seq, String handle, boolean reseed, Inbox inbox) {
        this.seq = seq;
        this.handle = handle;
        this.reseed = reseed;
        this.inbox = inbox;
    }

    /** The connection's reader thread: hand over, nothing else. */
    @Override
    public void onEvent(LiveEvent event) {
        inbox.deliver(this, event);
    }

    @Override
    public boolean audioOnIoThread() {
        return inbox.audioOnIoThread();
    }

    /** The I/O thread, standing in for the reader (see {@link SessionDispatcher}): never blocks. */
    boolean tryDeliverNow(LiveEvent.AudioChunk chunk) {
        return inbox.tryDeliverNow(this, chunk);
    }

    /** A resumption update: the handle to resume from next, and whether the server says it could resume now. */
    void trackHandle(LiveEvent.ResumptionUpdate u) {
        resumable = u.resumable();
        if (u.resumable() && u.handle() != null) {
            latestHandle = u.handle();
        }
    }

    @Override
    public String toString() {
        return "conn#" + seq + "(" + role + (session == null ? "" : ", " + session.id()) + ")";
    }
}
