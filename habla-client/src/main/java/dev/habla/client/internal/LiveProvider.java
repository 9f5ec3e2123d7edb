package dev.habla.client.internal;

import dev.habla.client.Capabilities;
import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.Provider;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ClientMessage;
import java.util.List;

/**
 * One service behind the client (chosen with {@link ClientConfig#provider()}): its capabilities per model, the state
 * of one connection ({@link ProviderConnection}: endpoint and auth, opening exchange, encoding of commands, decoding of
 * frames into {@link LiveEvent}s, close codes), and how a conversation continues on a new connection
 * ({@link ContinuityStrategy}). {@link RealLiveSession} holds the provider-independent machinery (queues, threads,
 * lifecycle) and never looks inside a frame.
 *
 * <p>Commands are the {@link ClientMessage} records (the Live vocabulary the public API speaks); a provider translates
 * each into zero or more frames of its own wire and maps its events back. {@link GeminiProvider} covers the Gemini
 * Developer API and Vertex AI.
 *
 * <p>Implementations are stateless and thread-safe; per-connection state lives in {@link ProviderConnection}.
 */
public interface LiveProvider {

    /** Short lower-case name ({@code gemini}); {@link Provider#name()}. */
    String name();

    /**
     * What {@code session}'s model accepts on this provider. Cheap and pure (called on every {@code sendText}); an
     * unknown model or voice is not refused here (see {@link #check}).
     */
    Capabilities capabilities(ClientConfig client, SessionConfig session);

    /**
     * Called once per connection before connecting: warns (SLF4J, once per name and process) about a model or voice
     * this provider does not know, and refuses with {@link IllegalArgumentException} an option it cannot honour.
     * {@code client} is null when a config is checked alone ({@link Provider#check}).
     */
    void check(ClientConfig client, SessionConfig session);

    /** A fresh codec and state for one WebSocket connection. Never shared between connections. */
    ProviderConnection open(ClientConfig client, SessionConfig session);

    /** How a conversation survives the loss or end of a connection on this provider. */
    ContinuityStrategy continuity();

    /** Removes secrets and abbreviates bulky payloads, for the wire log. */
    String redact(String text);
}
