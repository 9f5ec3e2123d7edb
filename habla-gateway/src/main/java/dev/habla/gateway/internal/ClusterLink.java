package dev.habla.gateway.internal;

import dev.habla.client.ResilientSession;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.LiveCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One conversation's part in the cluster: its record in the shared store (written when a turn opens, when it
 * completes, and when the upstream handle moves), whether a turn is open, the upstream slot it holds, and its hand-off
 * to another node. Standalone ({@link Cluster#shared()} false) it only tracks the turn, so a drain can wait for it.
 *
 * <p>Threads: the conversation's client callback, event, connect and close threads. {@code lock} guards the fields
 * below; it is taken inside the conversation's lock, never the other way round, and never held during a store call.
 */
final class ClusterLink {
    private final Hub hub;
    private final long id;
    private final String app;
    private final Token token;
    private final boolean announce;
    private final String setupJson; // null standalone
    final Cluster.Record resumed; // a conversation taken over from another node, else null
    final String handle;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition turnEnded = lock.newCondition();
    private boolean turnOpen; // a client turn went upstream and its turnComplete has not come back
    private boolean handedOff; // ended to let another node take over: the record is released, not forgotten
    private boolean slotHeld; // an upstream slot is this conversation's
    private boolean connecting; // the connect thread runs (it gives the slot back itself if the conversation ends meanwhile)
    private long seq; // the order of this conversation's record writes (a takeover continues the previous node's)
    private volatile String savedUpstreamHandle; // the upstream handle last written

    ClusterLink(Hub hub, long id, String app, Token token, ClientMessage.Setup setup, boolean announce, Cluster.Record resumed) {
        this.hub = hub;
        this.id = id;
        this.app = app;
        this.token = token;
        this.announce = announce;
        this.resumed = resumed;
        this.handle = resumed != null ? resumed.handle() : "gw-" + Secrets.randomHex(24);
        this.setupJson = hub.cluster().shared() ? LiveCodec.encode(setup) : null;
        this.turnOpen = resumed != null && resumed.turnOpen();
        this.seq = resumed != null ? resumed.seq() + 1 : 0;
    }

    boolean shared() {
        return setupJson != null;
    }

    void connecting(boolean now) {
        lock.lock();
        try {
            connecting = now;
        } finally {
            lock.unlock();
        }
    }

    boolean connecting() {
        lock.lock();
        try {
            return connecting;
        } finally {
            lock.unlock();
        }
    }

    /** Admission gave this conversation an upstream slot (cluster). */
    void slotTaken() {
        lock.lock();
        try {
            slotHeld = shared();
        } finally {
            lock.unlock();
        }
    }

    boolean handedOff() {
        lock.lock();
        try {
            return handedOff;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A client message, before it goes upstream: the first of a turn is recorded as such (once per turn), so a node
     * taking over after this one died knows that turn was cut. Client callback thread (one client's messages in order).
     */
    void opening(ClientMessage m, ResilientSession up) {
        lock.lock();
        try {
            if (!shared() || turnOpen || !ClusterSupport.opensTurn(m)) {
                return;
            }
            turnOpen = true;
        } finally {
            lock.unlock();
        }
        hub.cluster().save(record(up));
    }

    /** The upstream is set up: whether a turn was open when the previous node died (to report it as cut). */
    boolean takeCutTurn() {
        lock.lock();
        try {
            boolean cut = resumed != null && turnOpen;
            if (cut) {
                turnOpen = false;
            }
            return cut;
        } finally {
            lock.unlock();
        }
    }

    /** The model's turn is complete (event thread). */
    void turnCompleted() {
        lock.lock();
        try {
            turnOpen = false;
            turnEnded.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Writes the record now (cluster; never throws: re-written by the tick if the store is down). */
    void save(ResilientSession up) {
        if (shared()) {
            hub.cluster().save(record(up));
        }
    }

    Cluster.Record record(ResilientSession up) {
        if (!shared()) {
            return null;
        }
        boolean open;
        long n;
        lock.lock();
        try {
            open = turnOpen;
            n = ++seq; // taken with the state it describes: a later write always carries a later state
        } finally {
            lock.unlock();
        }
        String upHandle = up != null ? up.resumptionHandle() : resumed != null ? resumed.upstreamHandle() : null;
        List<Content> transcript = up != null ? up.transcript() : resumed != null ? resumed.transcript() : List.of();
        savedUpstreamHandle = upHandle;
        return new Cluster.Record(handle, app, hub.cluster().nodeId(), token == null ? null : token.hash(), setupJson, announce,
                upHandle, transcript, open, n);
    }

    /** The record if the upstream handle moved since it was last written (the cluster's tick), else null. */
    Cluster.Record recordIfChanged(ResilientSession up) {
        if (!shared() || up == null) {
            return null;
        }
        String h = up.resumptionHandle();
        return h == null || h.equals(savedUpstreamHandle) ? null : record(up);
    }

    /**
     * Waits for the turn in flight to end (at most {@code max}, or until {@code ended} says the conversation is over),
     * then marks the conversation as handed off. Returns false if it ended meanwhile.
     */
    boolean awaitBoundaryThenHandOff(Duration max, java.util.function.BooleanSupplier ended) {
        long deadline = System.nanoTime() + max.toNanos();
        lock.lock();
        try {
            while (turnOpen && !ended.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    // Bounded slices: the conversation ending elsewhere does not signal this condition.
                    turnEnded.awaitNanos(Math.min(left, Duration.ofMillis(100).toNanos()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (ended.getAsBoolean()) {
                return false;
            }
            handedOff = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The upstream connection is closed (or was never opened): gives the slot back, so upstream sessions never
     * exceed the cluster's limit, then releases the record for another node (hand-off) or forgets it. Off every lock.
     */
    void upstreamClosed(ResilientSession up) {
        boolean slot;
        boolean handOff;
        lock.lock();
        try {
            slot = slotHeld;
            slotHeld = false;
            handOff = handedOff;
        } finally {
            lock.unlock();
        }
        if (slot) {
            hub.admission().release(app, hub.sid(id));
        }
        if (shared()) {
            if (handOff) {
                Cluster.Record r = record(up);
                hub.cluster().save(r.released(r.seq()));
            } else {
                hub.cluster().forget(handle);
            }
        }
    }
}
