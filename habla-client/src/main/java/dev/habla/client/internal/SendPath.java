package dev.habla.client.internal;

import dev.habla.client.Capabilities;
import dev.habla.client.ClientConfig;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.SendResult;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionCall;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send side of a resilient session: owns {@link #lock} and everything it guards. Senders (any thread) hand their
 * message to the connection carrying the conversation or, while there is none (a switch, a reconnect), to a bounded
 * {@link SendBuffer} flushed into the next one ({@link #promote}); the control thread moves the connection and asks
 * about the user's side of a turn boundary. Never blocks on I/O.
 *
 * <p>Guarded by {@link #lock}: the primary connection, whether input is buffered, the buffer, the drop counters of
 * retired connections, the user's side of the conversation ({@link UserInput}: transcript, audio activity, turns) and
 * the model's tool calls ({@link ToolCalls}, to route their responses).
 *
 * <p>Provider-neutral: it holds and routes {@link ClientMessage}s; the connection that finally takes a message encodes
 * it for its own state ({@link RealLiveSession#send}), so a message buffered across a switch is encoded for the
 * connection it goes to. What the model accepts comes from the provider's {@link Capabilities}.
 *
 * <p>Ordering: a message keeps its place: in the buffer in sending order, and the buffer is flushed into the next
 * connection under the lock, so later sends queue behind it. The messages a dead connection never wrote come back
 * first ({@link #requeueUnsent}), and before them the lost turn being re-sent.
 */
final class SendPath {
    private static final Logger log = LoggerFactory.getLogger(SendPath.class);

    /** What the send side tells the control thread (as signals: it never runs control code itself). */
    interface Control {
        /** The user's turn ended at {@code nanos} (signalled before the message can reach the server). */
        void userTurnEnded(long nanos);

        /** A pending handover should re-check its boundary (the audio went quiet, a tool call was answered). */
        void boundaryMayHaveChanged();
    }

    /**
     * The outcome of {@link #promote}: the gap since input was last delivered, and whether a turn lost with its
     * connection was re-sent (its reply is awaited afresh).
     */
    record Promotion(Duration gap, boolean replayed) {}

    private final String id;
    private final MicrometerSessionMetrics metrics;
    private final TurnBoundary boundary;
    private final Control control;
    private final BooleanSupplier handoverPending;
    /**
     * Whether a tool result for a call an earlier connection made can be sent as conversation content (the provider's
     * {@link Capabilities#clientContentMidSession()}).
     */
    private final boolean resultsAsContent;
    private final String model;

    private final ReentrantLock lock = new ReentrantLock();
    /** Where input goes when not buffering. */
    private ResilientConnection primary;
    private boolean buffering = true;
    private final SendBuffer buffer;
    private long bufferStartNanos;
    private long retiredDroppedMessages;
    private long retiredDroppedBytes;
    private boolean sendsClosed;
    private final UserInput user;
    private final ToolCalls calls = new ToolCalls();

    SendPath(String id, Capabilities caps, ClientConfig client, SessionConfig userConfig, ResiliencePolicy policy,
            TurnBoundary boundary, MicrometerSessionMetrics metrics, Control control, BooleanSupplier handoverPending) {
        this.id = id;
        this.metrics = metrics;
        this.boundary = boundary;
        this.control = control;
        this.handoverPending = handoverPending;
        this.resultsAsContent = caps.clientContentMidSession();
        this.model = caps.model();
        this.buffer = new SendBuffer(client.sendQueueBudgetBytes(), () -> metrics.anomaly("buffer_overflow"));
        this.user = new UserInput(policy, boundary, userConfig.initialHistory());
    }

    // ---- senders (any thread) ------------------------------------------------------------------------------

    /**
     * Any thread. Hands {@code m} to the current connection (which encodes it: a message its provider cannot express
     * throws {@link IllegalArgumentException} to the caller) or to the buffer. A user-turn end is signalled to the
     * control thread before the message can reach the server, so the signal precedes any reply.
     */
    SendResult submit(ClientMessage m, long now) {
        boolean nudge;
        SendResult result;
        lock.lock();
        try {
            if (sendsClosed) {
                return SendResult.CLOSED;
            }
            UserInput.Tracked t = user.track(m, now);
            nudge = t.audioBecameQuiet() && handoverPending.getAsBoolean();
            if (m instanceof ClientMessage.ToolResponse r && r.functionResponses() != null) {
                calls.roundTrips(r.functionResponses(), now,
                        (tool, nanos) -> metrics.recordToolRoundTrip(tool, Duration.ofNanos(nanos)));
                nudge = handoverPending.getAsBoolean();
            }
            if (t.turnEnded()) {
                control.userTurnEnded(now);
            }
            // The size estimate (a toString of the message) is only made for a message that is buffered, not for
            // every audio chunk that goes straight to the connection.
            if (buffering || primary == null) {
                result = buffer.offer(SendBuffer.Unit.of(m));
            } else {
                result = deliverLocked(primary, m);
                if (result == SendResult.CLOSED) {
                    // The connection just died; its Closed is on its way to the control thread.
                    startBufferingLocked(now);
                    result = buffer.offer(SendBuffer.Unit.of(m));
                }
            }
        } finally {
            lock.unlock();
        }
        if (nudge) {
            control.boundaryMayHaveChanged();
        }
        return result;
    }

    /** Any thread: a playback report for the connection carrying the conversation; dropped while buffering. */
    void reportPlayback(Duration played) {
        lock.lock();
        try {
            RealLiveSession s = buffering || primary == null ? null : primary.session;
            if (s != null) {
                s.reportPlayback(played); // never blocks: its frames are queued
            }
        } finally {
            lock.unlock();
        }
    }

    /** Any thread: the caller ended a spoken turn itself (its own activity detection). */
    void markUserTurnEnded(long now) {
        lock.lock();
        try {
            if (sendsClosed) {
                return;
            }
            user.spokenTurnEnded();
            control.userTurnEnded(now);
        } finally {
            lock.unlock();
        }
    }

    /** Any thread: no more sends (close or abort requested). */
    void closeSends() {
        locked(() -> sendsClosed = true);
    }

    /**
     * Caller holds the lock. Sends on {@code c}; a tool response for a call another (now gone) connection made is
     * turned into conversation content (the call and its response), since {@code c} never issued that id.
     */
    private SendResult deliverLocked(ResilientConnection c, ClientMessage m) {
        RealLiveSession s = c.session;
        if (s == null) {
            return SendResult.CLOSED;
        }
        if (!(m instanceof ClientMessage.ToolResponse t) || t.functionResponses() == null) {
            return s.send(m);
        }
        ToolCalls.Routing routing = calls.route(t.functionResponses(), c.seq);
        SendResult result = SendResult.QUEUED;
        if (routing.allDirect()) {
            result = s.send(t); // all of them are this connection's calls
        } else if (!routing.direct().isEmpty()) {
            result = s.send(new ClientMessage.ToolResponse(routing.direct()));
        }
        if (result == SendResult.CLOSED) {
            return result;
        }
        if (!routing.allDirect() && !resultsAsContent) {
            // This model refuses clientContent mid-session (1007) and the new connection never issued the ids: the
            // results cannot reach it. Dropped (counted) rather than ending the whole session.
            log.warn("resilient session {}: {} tool result(s) for calls of an earlier connection dropped: model {} "
                    + "accepts neither their ids nor clientContent", id, routing.responseParts().size(), model);
            metrics.anomaly("tool_result_dropped");
        } else if (!routing.allDirect()) {
            log.debug("resilient session {}: {} tool result(s) for an earlier connection sent as content on {}", id,
                    routing.responseParts().size(), c);
            result = s.send(new ClientMessage.ClientContent(List.of(new Content(routing.callParts(), "model"),
                    new Content(routing.responseParts(), "user")), true));
            if (result == SendResult.CLOSED) {
                return result;
            }
        }
        calls.answered(t.functionResponses());
        return result;
    }

    private void startBufferingLocked(long now) {
        if (!buffering) {
            buffering = true;
            bufferStartNanos = now;
        }
    }

    // ---- control thread --------------------------------------------------------------------------------------

    /** The first connect starts the gap the first promotion reports. */
    void startFirstConnect(long now) {
        locked(() -> bufferStartNanos = now);
    }

    ResilientConnection primary() {
        return locked(() -> primary);
    }

    /** {@code c} no longer carries the conversation: input is buffered from now on. */
    void lost(ResilientConnection c, long now) {
        lock.lock();
        try {
            if (primary == c) {
                primary = null;
            }
            startBufferingLocked(now);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops input to {@code old} if the user's side is at a boundary (or the switch is {@code forced}); false if the
     * user moved on since the control thread checked (the switch then waits for the next boundary).
     */
    boolean stopForSwitch(ResilientConnection old, boolean forced, long now) {
        lock.lock();
        try {
            if (!forced && !boundary.inputAtBoundary(inputLocked(old), now)) {
                return false;
            }
            startBufferingLocked(now);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes {@code next} the connection that takes input: the lost turn to re-send first, then what the old one left
     * unsent and the buffer, all under the lock so new sends queue behind. A connection that is already dead keeps the
     * rest buffered (its Closed starts a reconnect).
     */
    Promotion promote(ResilientConnection next, long now) {
        lock.lock();
        try {
            primary = next;
            boolean afterLoss = user.replayAfterLoss();
            ClientMessage replay = user.takeReplay();
            if (replay != null) {
                buffer.addFirst(SendBuffer.Unit.of(replay));
            }
            boolean delivered = true;
            while (!buffer.isEmpty()) {
                SendResult r;
                try {
                    r = deliverLocked(next, buffer.peek().message());
                } catch (IllegalArgumentException e) {
                    // Accepted while buffered, but this connection's provider cannot express it: the caller is gone,
                    // so it is dropped (counted) rather than ending the session.
                    log.warn("resilient session {}: a buffered {} was dropped: {}", id,
                            buffer.peek().message().getClass().getSimpleName(), e.getMessage());
                    metrics.anomaly("unencodable_dropped");
                    r = SendResult.QUEUED;
                }
                if (r == SendResult.CLOSED) {
                    delivered = false;
                    break;
                }
                buffer.removeFirst();
            }
            if (delivered) {
                buffering = false;
            }
            return new Promotion(Duration.ofNanos(Math.max(0, now - bufferStartNanos)), afterLoss);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Re-queues, in front of the buffer, the messages {@code c} accepted but never wrote
     * ({@link RealLiveSession#unsentCommands()}: taken from its queue's record, nothing is decoded), to be encoded
     * again by the next connection. If {@code c}
     * was {@code lost} (not closed by a switch, which flushes), the user's unanswered text turn, unless among them, may
     * have died with its socket: it is re-sent first on the next connection, once ({@link UserInput#lostWithConnection}).
     */
    void requeueUnsent(ResilientConnection c, boolean lost) {
        RealLiveSession s = c.session;
        List<ClientMessage> unsent = s == null ? List.of() : s.unsentCommands();
        boolean replay = false;
        lock.lock();
        try {
            for (int i = unsent.size() - 1; i >= 0; i--) {
                buffer.addFirst(SendBuffer.Unit.of(unsent.get(i)));
            }
            ClientMessage turn = user.unansweredTurn();
            replay = lost && user.lostWithConnection(turn != null && buffer.contains(turn));
        } finally {
            lock.unlock();
        }
        if (!unsent.isEmpty()) {
            log.debug("resilient session {}: {} unsent messages of {} will go to the next connection", id, unsent.size(), c);
        }
        if (replay) {
            log.debug("resilient session {}: the unanswered turn may have died with {}; re-sending it", id, c);
        }
    }

    /** The reply to the user's turn did not come in time: re-send the unanswered text turn on the next connection. */
    void replayUnansweredTurn() {
        locked(() -> user.replayUnanswered());
    }

    /** What a fresh session replacing a refused one starts from ({@link UserInput#seedTurns}). */
    List<Content> seedTurns() {
        lock.lock();
        try {
            List<Content> seed = user.seedTurns();
            log.debug("resilient session {}: re-seeding with {} turns", id, seed.size());
            return seed;
        } finally {
            lock.unlock();
        }
    }

    /** A model turn started: returns the user's input count now, and measures speech from here on. */
    long modelTurnStarted() {
        return locked(() -> user.modelTurnStarted());
    }

    /** Whether an interruption of {@code turn} came without user input since the turn started. */
    boolean phantomInterruption(TurnState turn) {
        return locked(() -> user.phantomInterruption(turn));
    }

    /** A reply turn started: the user's turn is answered. */
    void replyStarted() {
        locked(() -> user.replyStarted());
    }

    /** No reply within the reply timeout: no longer awaited (for the boundary). */
    void replyTimedOut() {
        locked(() -> user.replyTimedOut());
    }

    void addTurn(String role, String text) {
        locked(() -> user.addTurn(role, text));
    }

    void callsRequested(List<FunctionCall> requested, int connSeq, long now) {
        locked(() -> calls.requested(requested, connSeq, now));
    }

    void callsCancelled(List<String> ids) {
        locked(() -> calls.cancelled(ids));
    }

    /** The user's side of the turn-boundary rule for connection {@code c} at {@code now}. */
    boolean inputAtBoundary(ResilientConnection c, long now) {
        return locked(() -> boundary.inputAtBoundary(inputLocked(c), now));
    }

    /** How much longer (ns) a switch should wait for the reply to the user's speech ({@link TurnBoundary#spokenReplyWait}). */
    long spokenReplyWait(long now) {
        return locked(() -> boundary.spokenReplyWait(user.boundaryInput(false), now));
    }

    private TurnBoundary.Input inputLocked(ResilientConnection c) {
        return user.boundaryInput(calls.unansweredOn(c.seq));
    }

    /** Once per connection: its send counters join the session's. */
    void retire(ResilientConnection c) {
        if (c.retired || c.session == null) {
            c.retired = true;
            return;
        }
        c.retired = true;
        lock.lock();
        try {
            retiredDroppedMessages += c.session.droppedMessages();
            retiredDroppedBytes += c.session.droppedBytes();
        } finally {
            lock.unlock();
        }
    }

    int bufferedMessages() {
        return locked(() -> buffer.size());
    }

    /** The session ended: no more sends; returns how many buffered messages are discarded. */
    int terminate() {
        lock.lock();
        try {
            sendsClosed = true;
            return buffer.clear();
        } finally {
            lock.unlock();
        }
    }

    private <T> T locked(java.util.function.Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    private void locked(Runnable change) {
        lock.lock();
        try {
            change.run();
        } finally {
            lock.unlock();
        }
    }

    // ---- getters (any thread) ------------------------------------------------------------------------------

    long queuedBytes() {
        lock.lock();
        try {
            RealLiveSession s = primary == null ? null : primary.session;
            return buffer.bytes() + (s == null || buffering ? 0 : s.queuedBytes());
        } finally {
            lock.unlock();
        }
    }

    long droppedMessages() {
        lock.lock();
        try {
            RealLiveSession s = primary == null || primary.retired ? null : primary.session;
            return retiredDroppedMessages + buffer.droppedMessages() + (s == null ? 0 : s.droppedMessages());
        } finally {
            lock.unlock();
        }
    }

    long droppedBytes() {
        lock.lock();
        try {
            RealLiveSession s = primary == null || primary.retired ? null : primary.session;
            return retiredDroppedBytes + buffer.droppedBytes() + (s == null ? 0 : s.droppedBytes());
        } finally {
            lock.unlock();
        }
    }

    List<Content> transcript() {
        return locked(() -> user.transcript());
    }
}
