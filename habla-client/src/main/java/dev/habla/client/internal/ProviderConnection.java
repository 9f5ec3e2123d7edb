package dev.habla.client.internal;

import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.protocol.ClientMessage;
import java.time.Duration;
import java.util.List;

/**
 * A provider's codec and state for one WebSocket connection (created by {@link LiveProvider#open}). Item ids, response
 * ids or the audio position played (what OpenAI Realtime needs) live here; Gemini's is stateless.
 *
 * <p>Threads: {@link #encode} runs on caller threads (serialised per connection by the session's send path, see
 * below), {@link #decode} on the session's dispatcher, {@link #playback} on the voice loop's thread, the others on the
 * connecting thread or the dispatcher. An implementation with state guards it itself; {@link RealLiveSession} calls
 * {@code encode} and queues its frames under one lock, so frames of one command stay together and in call order.
 */
public interface ProviderConnection {

    /** URL, headers (credentials) and a redacted description for logs. May call credential suppliers. */
    Transport.ConnectRequest connectRequest() throws LiveException;

    /** Frames to send right after the WebSocket opens (Gemini: the setup). */
    List<String> openingFrames();

    /**
     * Frames to send once the connection is set up, before anything a caller sends (Gemini: the initial history as
     * its model wants it). Empty if none.
     */
    List<String> afterSetupFrames();

    /**
     * Frames for one command, sent in order as one unit.
     *
     * @throws IllegalArgumentException if the message cannot be expressed or is invalid for this service
     */
    List<String> encode(ClientMessage message);

    /**
     * Events of one inbound message, in the order they must be delivered. The first event of a connection must be
     * {@link LiveEvent.SetupCompleted} (frames before it may yield no events).
     *
     * @throws Refused         if the service refused the session before it was set up (OpenAI: an {@code error}
     *                          event answering the opening {@code session.update}): the session fails with its error
     * @throws RuntimeException if the frame cannot be decoded (the session fails with {@code PROTOCOL})
     */
    List<LiveEvent> decode(Transport.InboundFrame frame);

    /**
     * Frames this connection wants sent because of what {@link #decode} just saw (OpenAI: the
     * {@code conversation.item.truncate} of an answer the user cut before the service knew). Called by the dispatcher
     * right after each {@code decode}; queued in the control lane. Empty if none.
     */
    default List<String> pendingFrames() {
        return List.of();
    }

    /** Thrown by {@link #decode} when the service refused the session during its opening; carries the typed error. */
    final class Refused extends RuntimeException {
        private final LiveException error;

        public Refused(LiveException error) {
            super(error.getMessage(), error, false, false);
            this.error = error;
        }

        public LiveException error() {
            return error;
        }
    }

    /**
     * How much of the current (or just interrupted) answer's audio was actually played to the user: cumulative from
     * the answer's first chunk. Providers that keep the conversation as heard (OpenAI: {@code conversation.item.truncate})
     * use it on barge-in; may return frames to send now. Gemini ignores it.
     */
    default List<String> playback(Duration played) {
        return List.of();
    }

    /** The typed error for a close frame from the server. */
    LiveException mapClose(int code, String reason);

    /** The typed error for a failed handshake or connection attempt. */
    LiveException mapConnectFailure(Throwable error);
}
