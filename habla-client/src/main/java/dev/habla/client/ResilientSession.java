package dev.habla.client;

import dev.habla.protocol.Content;
import java.util.List;

/**
 * One conversation that outlives its connections: the {@link LiveSession} contract, kept across the service's
 * ~10-minute connection limit, network drops and silent hangs. Obtained from
 * {@link LiveClient#connectResilient(SessionConfig, SessionListener, ResiliencePolicy)}; callers that only know
 * {@link LiveSession} do not change.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *                 ┌──────────── goAway / proactive timer ────────────┐
 *                 ▼                                                   │
 *   CONNECTING ─► CONNECTED ─► HANDING_OVER ─(turn boundary or deadline: buffer, drain old, promote new)─┘
 *                 │    ▲
 *        drop ────┘    └── resumed (or re-seeded) ◄── RECONNECTING ─(attempts exhausted)─► CLOSED (failed)
 *                 └─────────── close() ────────────────────────────────────────────────────► CLOSED
 * </pre>
 * {@link #state()} reports {@link SessionState#OPEN} in all three middle phases: sends are always accepted.
 *
 * <h2>What the listener sees</h2>
 * One continuous session on one thread ({@code habla-<id>-events}, virtual): the first {@link LiveEvent.SetupCompleted}
 * only; the model's events of whichever connection carries the conversation; {@link LiveEvent.ConnectionEvent}s
 * instead of {@link LiveEvent.GoingAway} and {@link LiveEvent.ResumptionUpdate} (those are consumed here); exactly one
 * {@link LiveEvent.Closed}, last: clean after {@link #close()}, otherwise the typed cause (for example
 * {@code UNAVAILABLE} naming the reconnect attempts). When a connection ends in the middle of a model turn the turn is
 * closed with a {@link LiveEvent.TurnComplete} without usage.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Handover is make-before-break: once the old connection is between turns (no model turn open, no tool call
 *       pending, no user turn awaiting its reply, the user's audio quiet), or when its {@code goAway} time is nearly
 *       up, the next connection is opened with the latest resumption handle while the old one stays open and keeps
 *       taking the user's input; the switch happens when the new one is ready. (Opening it earlier, mid-turn, would
 *       resume a state without that turn.)</li>
 *   <li>User input sent during a switch or a reconnect is buffered (within the client's send budget) and delivered on
 *       the next connection after everything the old one accepted: nothing dropped, nothing duplicated, order kept.
 *       Messages an aborted connection had queued but not written are re-sent. A text turn handed to a connection
 *       that died before any reply to it started (it may have gone into a dead socket) is re-sent first on the next
 *       connection, once.</li>
 *   <li>Tool responses for calls of a connection that is gone are delivered on the new one as conversation content
 *       (the call and its response), which the model can use; a {@code toolResponse} naming an id the new connection
 *       never issued would be refused. Models that refuse {@code clientContent} mid-session (Gemini 3 Live) cannot
 *       take them at all: they are dropped, logged and counted ({@code habla.anomalies{kind=tool_result_dropped}}).</li>
 *   <li>Unexpected losses (1006, 1011, an unasked-for 1000, TCP resets, missing pongs) reconnect with exponential
 *       backoff and jitter; a refused handle (1007 on resume) falls back to a new session seeded with the transcript
 *       ({@link #transcript()}) as its {@link SessionConfig#initialHistory() initial history}, sent before anything
 *       else in the form the model wants ({@link ModelFamily}: {@code clientContent} with {@code turnComplete:false},
 *       or on Gemini 3 Live {@code historyConfig} in the setup and {@code clientContent} with
 *       {@code turnComplete:true}).</li>
 *   <li>Sliding-window context compression is added to every session whose config has none
 *       ({@link ResiliencePolicy#compression()}): audio input caps a session at 15 minutes without it, whatever the
 *       output modality.</li>
 *   <li>The stall watchdog turns silent hangs into {@link LiveEvent.Stalled} (and a reconnect, if the policy says so).</li>
 * </ul>
 */
public interface ResilientSession extends LiveSession {

    /** Where the session is between its connections. */
    enum Phase {
        /** The first connection is being opened. */
        CONNECTING,
        /** One connection carries the conversation. */
        CONNECTED,
        /** A handover is pending or under way (the old connection may still stream). */
        HANDING_OVER,
        /** The connection was lost; input is buffered while reconnecting. */
        RECONNECTING,
        /** Terminal. */
        CLOSED
    }

    /** The current phase. */
    Phase phase();

    /** The policy this session runs with. */
    ResiliencePolicy policy();

    /** Connections that carried the conversation so far (1 before the first handover). */
    int connectionCount();

    /** Handovers completed. */
    int handovers();

    /** Unexpected losses that started a reconnect. */
    int reconnects();

    /** The session's metrics and their hooks. */
    SessionMetrics metrics();

    /** The text turns kept for re-seeding (user and model), oldest first, within the policy's limits. */
    List<Content> transcript();

    /**
     * Tells the session the user's turn just ended when only the caller knows it (local VAD with server VAD on):
     * arms the no-reply watchdog and the time-to-first-audio measurement. {@code sendText}, {@code activityEnd} and
     * {@code audioStreamEnd} do this by themselves.
     */
    void markUserTurnEnded();

    /**
     * Starts a proactive handover now (as if the policy's timer had fired). No-op unless connected. On a provider
     * without resumption handles it is a switch to a new connection seeded with the transcript, at the next turn
     * boundary.
     */
    void handoverNow();
}
