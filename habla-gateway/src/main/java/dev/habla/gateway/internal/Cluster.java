package dev.habla.gateway.internal;

import dev.habla.protocol.Content;
import java.time.Instant;
import java.util.List;

/**
 * The state a gateway shares with the other nodes of its cluster: tokens (uses, expiry, revocation), upstream slots
 * (per-app and per-provider-key concurrency and minutes, exact cluster-wide), conversation records (so a client whose
 * node is gone resumes through any node), node liveness and hand-off requests. {@link #STANDALONE} is the in-memory
 * gateway of one node: it shares nothing, the node's own {@link TokenStore} and {@link Accounting} are the whole
 * state (today's behaviour). {@link RedisCluster} keeps it in Redis. Implementations are thread-safe; every call may
 * block briefly (a Redis round trip) and is made on a virtual thread.
 */
public interface Cluster extends AutoCloseable {

    /** No cluster: one node, state in memory only. */
    Cluster STANDALONE = new Cluster() { };

    /** Whether state is shared (false: every method below is a no-op or says "nothing shared"). */
    default boolean shared() { return false; }

    /** This node's id (unique in the cluster). */
    default String nodeId() { return "standalone"; }

    // ---- tokens ----

    /** A token was minted here: store it for every node. @throws Unavailable if the store cannot be reached */
    default void tokenMinted(Token t) { }

    /** A token minted on another node, or null. @throws Unavailable if the store cannot be reached */
    default Token token(String hash) { return null; }

    /**
     * Takes one use of {@code t} for a new session, atomically across nodes; null if taken, else the close reason
     * (the same texts as {@link TokenStore#takeUse}). Only called when {@link #shared()}.
     *
     * @throws Unavailable if the store cannot be reached
     */
    default String takeUse(Token t, Instant now) { return null; }

    /** Marks {@code t} revoked for every node. @throws Unavailable if the store cannot be reached */
    default void revoke(Token t) { }

    // ---- upstream slots ----

    /**
     * Takes an upstream slot for session {@code sid} of {@code app}: null if taken, else why not ({@code "app"},
     * {@code "key"}: concurrency; {@code "minutes"}). Exact: admitted sessions never exceed the limits, whatever the
     * number of nodes asking at once.
     *
     * @throws Unavailable if the store cannot be reached
     */
    default String acquire(String app, String sid, Limits limits) { return null; }

    /** Gives back the slot of {@code sid} (after its upstream connection is closed). Never throws: retried if down. */
    default void release(String app, String sid) { }

    /** Cluster-wide concurrency and minutes for one session; 0 = unlimited. */
    record Limits(int appSessions, int appMinutesPerDay, int keySessions, int keyMinutesPerDay) {}

    // ---- conversations ----

    /**
     * What another node needs to continue a conversation. {@code seq} orders the writes of one conversation (they come
     * from several threads, and from the next node after a takeover): a write with a lower {@code seq} than the stored
     * one is ignored.
     */
    record Record(String handle, String app, String node, String tokenHash, String setupJson, boolean announce,
            String upstreamHandle, List<Content> transcript, boolean turnOpen, long seq) {

        /** The same record, released by its node (any node may claim it) as write {@code seq}. */
        public Record released(long seq) {
            return new Record(handle, app, "", tokenHash, setupJson, announce, upstreamHandle, transcript, turnOpen, seq);
        }
    }

    /** Writes (creates or updates) the record of a conversation held here. Never throws: re-written when back. */
    default void save(Record r) { }

    /** The conversation ended for good: forget its record. Never throws. */
    default void forget(String handle) { }

    /**
     * Claims the conversation behind {@code handle} of {@code app} for this node: waits (bounded) for its node to hand
     * it off (it is asked to) or to be declared dead (heartbeat missing); null if there is no such conversation (or it
     * is another app's) or the wait ran out.
     *
     * @throws Unavailable if the store cannot be reached
     */
    default Record claim(String handle, String app) throws InterruptedException { return null; }

    /** The store cannot be reached: new sessions are refused with {@link #REASON_UNAVAILABLE}. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Close reason (1013) for a new session while the shared store is down. */
    String REASON_UNAVAILABLE = "The gateway's state store is unavailable; try again later.";
    /** Close code: 1013 Try Again Later. */
    int CODE_TRY_AGAIN = 1013;

    /** The node's periodic work hooks: which conversations to hand off, which tokens are live (revocation refresh). */
    interface Node {
        /** Conversations held here now (for re-writing records and slots after a store outage). */
        List<Conversation> conversations();

        /** Another node asks for the conversation behind {@code handle}: hand it off (at a turn boundary, bounded). */
        void handOff(String handle);

        /** A token in use here was revoked on another node. */
        void revoked(String tokenHash);
    }

    /** Starts heartbeats and the node's periodic work (no-op standalone). */
    default void start(Node node) { }

    @Override
    default void close() { }
}
