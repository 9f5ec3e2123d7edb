package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ClientMessage;
import java.util.List;

/**
 * Everything a session needs to know about one service's wire: endpoint and auth, the opening exchange, encoding
 * of commands, decoding of frames into {@link LiveEvent}s, and the meaning of close codes. {@link RealLiveSession}
 * holds the provider-independent machinery (queues, threads, lifecycle). {@link GeminiProvider} covers the Gemini
 * Developer API and Vertex AI; an OpenAI Realtime provider would translate the same {@link ClientMessage} commands
 * into its events (possibly several frames each) and map its events back.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface LiveProvider {

    /** URL, headers (credentials) and a redacted description for logs. May call credential suppliers. */
    Transport.ConnectRequest connectRequest(ClientConfig client, SessionConfig session) throws LiveException;

    /** Frames to send right after the WebSocket opens (Gemini: the setup). */
    List<String> openingFrames(ClientConfig client, SessionConfig session);

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
     * @throws RuntimeException if the frame cannot be decoded (the session fails with {@code PROTOCOL})
     */
    List<LiveEvent> decode(Transport.InboundFrame frame);

    /** The typed error for a close frame from the server. */
    LiveException mapClose(int code, String reason);

    /** The typed error for a failed handshake or connection attempt. */
    LiveException mapConnectFailure(Throwable error);

    /** Removes secrets and abbreviates bulky payloads, for the wire log. */
    String redact(String text);
}
