package dev.habla.client.internal;

import dev.habla.client.Capabilities;
import dev.habla.client.ClientConfig;
import dev.habla.client.LiveSession;
import dev.habla.client.SendResult;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The senders of {@link LiveSession}, once for both sessions: each convenience sender builds its message (validated
 * by {@link OutboundMessages}) and hands it to {@link #send(ClientMessage)}, which checks what every session refuses
 * (a second setup, what the provider cannot carry) and hands it to the session's {@link #submit}, where it is
 * encoded and queued (or buffered). Thread-safe as {@code submit} is.
 */
abstract class AbstractLiveSession implements LiveSession {

    /** The session's configuration (model rules, how typed text goes up). */
    abstract SessionConfig sessionConfig();

    /** The client's configuration (its provider; Gemini API or Vertex wire form). */
    abstract ClientConfig clientConfig();

    /** Computed once, on first use (configs are immutable); racy on purpose: every thread computes the same value. */
    private volatile Capabilities capabilities;

    @Override
    public Capabilities capabilities() {
        Capabilities c = capabilities;
        if (c == null) {
            c = clientConfig().provider().spi().capabilities(clientConfig(), sessionConfig());
            capabilities = c;
        }
        return c;
    }

    /** What a user who sent a setup should do instead (the sessions differ: a plain one can reconnect with a handle). */
    abstract String setupAdvice();

    /** Queues (or buffers) a message {@link #send} accepted. */
    abstract SendResult submit(ClientMessage message);

    @Override
    public final SendResult send(ClientMessage message) {
        Objects.requireNonNull(message, "message");
        if (message instanceof ClientMessage.Setup) {
            throw new IllegalArgumentException("a connection has exactly one setup, sent by connect(); "
                    + "to change the configuration, " + setupAdvice());
        }
        OutboundMessages.checkAllowed(message, capabilities());
        return submit(message);
    }

    /** Ignored unless the session overrides it (a plain session hands it to its connection's codec). */
    @Override
    public void reportPlayback(Duration played) {
        Objects.requireNonNull(played, "played");
    }

    @Override
    public final SendResult sendText(String text) {
        return send(OutboundMessages.text(text, capabilities()));
    }

    @Override
    public final SendResult sendRealtimeText(String text) {
        Objects.requireNonNull(text, "text");
        return send(RealtimeInput.ofText(text));
    }

    @Override
    public final SendResult sendAudio(byte[] pcm, int sampleRate) {
        return send(OutboundMessages.audio(pcm, sampleRate));
    }

    @Override
    public final SendResult sendVideo(String mimeType, byte[] image) {
        return send(OutboundMessages.video(mimeType, image));
    }

    @Override
    public final SendResult sendToolResponse(List<FunctionResponse> responses) {
        return send(OutboundMessages.toolResponse(responses, capabilities().toolResponseNeedsIds()));
    }

    @Override
    public final SendResult activityStart() {
        return send(RealtimeInput.ofActivityStart());
    }

    @Override
    public final SendResult activityEnd() {
        return send(RealtimeInput.ofActivityEnd());
    }

    @Override
    public final SendResult audioStreamEnd() {
        return send(RealtimeInput.ofAudioStreamEnd());
    }

    @Override
    public final SendResult sendClientContent(List<Content> turns, boolean turnComplete) {
        return send(new ClientMessage.ClientContent(turns == null ? null : List.copyOf(turns), turnComplete));
    }
}
