package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ClientMessage;
import java.util.List;

/**
 * One Gemini connection: the provider's stateless wire bound to this connection's configs. Gemini needs no
 * per-connection state (the server keeps the conversation; playback reports are ignored: the service keeps what it
 * sent, live-protocol.md on {@code interrupted}). Thread-safe.
 */
final class GeminiConnection implements ProviderConnection {
    private final GeminiProvider wire;
    private final ClientConfig client;
    private final SessionConfig session;

    GeminiConnection(GeminiProvider wire, ClientConfig client, SessionConfig session) {
        this.wire = wire;
        this.client = client;
        this.session = session;
    }

    @Override
    public Transport.ConnectRequest connectRequest() throws LiveException {
        return wire.connectRequest(client, session);
    }

    @Override
    public List<String> openingFrames() {
        return wire.openingFrames(client, session);
    }

    @Override
    public List<String> afterSetupFrames() {
        ClientMessage.ClientContent history = GeminiSetup.initialHistoryMessage(session);
        return history == null ? List.of() : encode(history);
    }

    @Override
    public List<String> encode(ClientMessage message) {
        return wire.encode(message);
    }

    @Override
    public List<LiveEvent> decode(Transport.InboundFrame frame) {
        return wire.decode(frame);
    }

    @Override
    public LiveException mapClose(int code, String reason) {
        return wire.mapClose(code, reason);
    }

    @Override
    public LiveException mapConnectFailure(Throwable error) {
        return wire.mapConnectFailure(error);
    }
}
