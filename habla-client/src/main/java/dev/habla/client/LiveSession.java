package dev.habla.client;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionResponse;
import java.util.List;

/**
 * One live conversation over one WebSocket connection, obtained from {@link LiveClient#connect}.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *   CONNECTING ──setupComplete──► OPEN ──close()──► CLOSING ──peer close / closeTimeout──► CLOSED
 *       │                          │                   │
 *       └──────── error ───────────┴────── error ──────┴──────────────────────────────────► FAILED
 * </pre>
 * <ul>
 *   <li>{@code CONNECTING}: not visible to callers ({@code connect} returns only once OPEN).</li>
 *   <li>{@code OPEN}: every {@code send…} enqueues and returns at once with {@link SendResult#QUEUED} (or
 *       {@link SendResult#DROPPED_OVER_BUDGET}); events flow to the listener.</li>
 *   <li>{@code CLOSING}: sends return {@link SendResult#CLOSED}; messages queued before {@code close()} are still
 *       written, then a close frame; events already received are still delivered.</li>
 *   <li>{@code CLOSED}/{@code FAILED}: terminal. The listener has received (or is about to receive) its single
 *       {@link LiveEvent.Closed}; sends return {@link SendResult#CLOSED}; nothing else is delivered.</li>
 * </ul>
 *
 * <h2>Sending</h2>
 * All sends are non-blocking and thread-safe. One writer thread sends one message at a time, in the order the calls
 * were made, whatever their kind: audio, video, activity signals, {@code audioStreamEnd}, realtime text,
 * {@code clientContent} and {@code toolResponse} share one order ("speak, then type" arrives spoken first; a tool
 * response after the audio sent before it). Only the connection's own opening (setup, initial history) goes first.
 * The queue is bounded by {@link ClientConfig#sendQueueBudgetBytes()}: over budget, the oldest queued audio is
 * dropped first and counted; video frames have a budget of their own where the newest frame replaces queued ones;
 * nothing else is dropped once queued.
 *
 * <h2>Resumption</h2>
 * With {@link SessionConfig#resumption()}, {@link #resumptionHandle()} tracks the latest resumable handle; to continue
 * on a new connection (after {@link LiveEvent.GoingAway} or a drop), connect again with
 * {@code config().withResumptionHandle(handle)}. {@link LiveClient#connectResilient} does all of that (and more) and
 * returns a {@link ResilientSession}, itself a {@code LiveSession}.
 */
public interface LiveSession extends AutoCloseable {

    /**
     * Sends a typed user turn that asks for an answer, as the session's {@link Capabilities} say: a
     * {@code clientContent} turn with {@code turnComplete: true} (an explicit end of turn), or on Gemini 3 Live
     * models, which refuse {@code clientContent} mid-session, {@code realtimeInput.text}. Realtime text carries no
     * turn boundary: the server's activity detection decides when the turn ends and the model answers, and text sent
     * while the model speaks interrupts it.
     */
    SendResult sendText(String text);

    /** Sends text as realtime input (counts as user activity under automatic VAD). */
    SendResult sendRealtimeText(String text);

    /** Sends PCM16 little-endian mono audio at {@code sampleRate} Hz (16000 native). Media: may be dropped over budget. */
    SendResult sendAudio(byte[] pcm, int sampleRate);

    /** Sends one video frame ({@code image/jpeg} or {@code image/png}). Media: may be dropped over budget. */
    SendResult sendVideo(String mimeType, byte[] image);

    /** Answers tool calls; each response must carry the id of its {@link dev.habla.protocol.FunctionCall}. */
    SendResult sendToolResponse(List<FunctionResponse> responses);

    /** Manual VAD: the user started speaking. */
    SendResult activityStart();

    /** Manual VAD: the user stopped speaking; the model answers. */
    SendResult activityEnd();

    /** Automatic VAD: the microphone paused or closed; flushes the server's cached audio. */
    SendResult audioStreamEnd();

    /**
     * Appends turns to the conversation; {@code turnComplete} asks the model to answer.
     *
     * @throws UnsupportedByModelException on models that take {@code clientContent} only as initial history (Gemini 3
     *                                     Live; see {@link SessionConfig#initialHistory()}), before anything is sent
     */
    SendResult sendClientContent(List<Content> turns, boolean turnComplete);

    /**
     * Asks the server to stop the answer it is generating (a user's "stop"), without adding anything to the
     * conversation: on the Gemini Live wire an empty {@code clientContent} with {@code turnComplete:false}, which
     * interrupts the current generation; the server then ends that answer with {@code interrupted} (if it was still
     * streaming) and {@code turnComplete}. Playback of what was already received is the caller's to stop. Gemini 3 Live
     * models refuse {@code clientContent} mid-session and have no stop message: nothing is sent and the answer runs to
     * its end ({@link AnswerCollector#stop} still drops its rest locally).
     *
     * @return true if the stop request was queued; false if the model has none, or the session is closed
     */
    default boolean interrupt() {
        if (!capabilities().clientContentMidSession()) {
            return false;
        }
        return sendClientContent(List.of(), false) == SendResult.QUEUED;
    }

    /**
     * Sends any client message as is, in its place in the one send order (audio may be evicted under pressure, a
     * video frame replaced by a newer one; nothing else is dropped once queued).
     *
     * @throws IllegalArgumentException for a {@code Setup} (a connection has exactly one, sent by {@code connect}) or
     *                                  a message the codec cannot encode; {@link UnsupportedByModelException} for a
     *                                  {@code clientContent} the model refuses mid-session
     */
    SendResult send(ClientMessage message);

    /** Bytes waiting in the outbound queue (not counting the message being written). */
    long queuedBytes();

    /** Messages dropped or refused because of the byte budget. */
    long droppedMessages();

    /** Bytes of those messages. */
    long droppedBytes();

    /** The current state; see the class documentation. */
    SessionState state();

    /** The server's session id from {@code setupComplete}, or null if it sent none. */
    String sessionId();

    /** The latest handle the server marked resumable, or null (none yet, or resumption not enabled). */
    String resumptionHandle();

    /** Whether the server's latest resumption update said the session can be resumed now (false during a turn or tool call). */
    boolean resumable();

    /** The configuration this session was opened with. */
    SessionConfig config();

    /**
     * What this session's provider and model accept (text output, how typed text goes up, audio rates, voices…), so
     * callers need not know the provider or test model names.
     */
    Capabilities capabilities();

    /**
     * Reports how much of the current model answer's audio has actually been played to the user: cumulative from that
     * answer's first {@link LiveEvent.AudioChunk} (a new answer starts with the first chunk after a
     * {@link LiveEvent.TurnComplete} or {@link LiveEvent.Interrupted}). Call it as the speaker writes, and once more
     * with the final position when playback is cut (barge-in). Providers that keep the conversation as the user heard
     * it (OpenAI Realtime truncates the answer there) use it; Gemini ignores it. Non-blocking, thread-safe; ignored
     * after the session is closing.
     *
     * @throws IllegalArgumentException if {@code played} is negative
     */
    void reportPlayback(java.time.Duration played);

    /** Client-local id used in thread names and logs ({@code habla-<id>-writer}). */
    String id();

    /**
     * Closes gracefully: stops accepting sends, writes what is queued, sends close 1000, waits at most
     * {@link ClientConfig#closeTimeout()} for the peer to answer, then aborts. Idempotent; never throws; safe from the
     * listener thread (it then does not wait for the terminal event, which is delivered after the listener returns).
     */
    @Override
    void close();

    /** Drops the connection at once without a close handshake; queued messages are discarded. Idempotent. */
    void abort();
}
