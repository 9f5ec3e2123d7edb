package dev.habla.client;

/**
 * Receives every {@link LiveEvent} of one session, in wire order, on the session's dispatcher thread
 * ({@code habla-<id>-reader}, a virtual thread; for a resilient session its control thread, and audio on the socket's
 * thread if {@link #audioOnIoThread()} asks). Calls never overlap.
 *
 * <p>Contract:
 * <ul>
 *   <li>It is passed to {@link LiveClient#connect} so nothing can arrive before it exists.</li>
 *   <li>The last call is exactly one {@link LiveEvent.Closed}, also when {@code connect} fails; nothing follows it.</li>
 *   <li>A slow listener does not block the socket: inbound frames wait in a bounded buffer and, once it is full, the
 *       client stops reading (TCP back-pressure). Hand long work to another thread.</li>
 *   <li>If it throws, the session fails with {@link LiveException.Kind#LISTENER_FAILED}, the server gets close 1011,
 *       and the listener still receives its one {@link LiveEvent.Closed}.</li>
 *   <li>It may call any {@link LiveSession} method, including {@code close()}.</li>
 * </ul>
 */
@FunctionalInterface
public interface SessionListener {
    /** Called for each event; see the class documentation for threading and failure rules. */
    void onEvent(LiveEvent event);

    /**
     * Whether a resilient session may deliver {@link LiveEvent.AudioChunk}s on the thread that read them from the
     * socket (with the {@link ClientConfig.Transport#NETTY} transport an event loop that other sockets share), when
     * nothing is waiting before them, instead of handing each to the session's threads: no thread switch per chunk.
     * {@link #onEvent} must then not block on an audio chunk (locks held briefly only, no waiting on I/O or on other
     * threads). Every other event, and audio behind one, keeps the usual threads and order. Asked when a connection
     * opens. Default false.
     */
    default boolean audioOnIoThread() {
        return false;
    }
}
