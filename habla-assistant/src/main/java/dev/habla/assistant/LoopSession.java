package dev.habla.assistant;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveException;
import dev.habla.client.LiveSession;
import dev.habla.client.ResilientSession;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.protocol.ResponseModality;
import dev.habla.tools.ToolRunner;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The voice loop's session: how it is opened (AUDIO out, transcription, the VAD mode's realtime input config, tools,
 * resilience) and what the pumps ask of it (is it reconnecting, the user's turn ended, wait for the send queue).
 *
 * <p>Threads: {@link #open} runs on the thread of {@link VoiceLoop#start}; the session fields are volatile, read by the
 * pumps, the session reader and API callers (written once, by {@link #open}).
 */
final class LoopSession {

    private final VoiceLoopConfig config;
    private volatile LiveSession session;
    /** The same session when it is resilient (the default), else null. */
    private volatile ResilientSession resilient;

    LoopSession(VoiceLoopConfig config) {
        this.config = config;
    }

    /** Connects (blocking until {@code setupComplete}) with {@code listener} behind the tools and the decorator. */
    void open(LiveClient client, SessionListener listener) throws LiveException {
        SessionConfig sessionConfig = sessionConfig();
        ToolRunner.Binding binding = null;
        if (config.tools() != null) {
            sessionConfig = config.tools().withDeclarations(sessionConfig);
            binding = config.tools().bind(listener);
            listener = binding;
        }
        if (config.listenerDecorator() != null) {
            listener = config.listenerDecorator().apply(listener);
        }
        if (config.resilience() != null) {
            ResilientSession r = client.connectResilient(sessionConfig, listener, config.resilience());
            resilient = r;
            session = r;
        } else {
            session = client.connect(sessionConfig, listener);
        }
        if (binding != null) {
            binding.attach(session);
        }
    }

    /** The session config actually sent: AUDIO out, transcription, the realtime input config of the VAD mode. */
    SessionConfig sessionConfig() {
        return config.session().with(b -> {
            b.responseModality(ResponseModality.AUDIO);
            if (config.transcription()) {
                b.inputTranscription(true).outputTranscription(true);
            }
            var ric = config.serverVad().toRealtimeInputConfig(config.vadMode());
            if (ric != null || !config.vadMode().serverDetects()) {
                b.realtimeInputConfig(ric);
            }
        });
    }

    /** The open session, or null before {@link #open} returned. */
    LiveSession session() {
        return session;
    }

    /** The session when it is resilient, else null. */
    ResilientSession resilient() {
        return resilient;
    }

    /** Whether a resilient session is between connections after a loss. */
    boolean reconnecting() {
        ResilientSession r = resilient;
        return r != null && r.phase() == ResilientSession.Phase.RECONNECTING;
    }

    /** See {@link VoiceLoop#userTurnEnded}: marks the user's turn end unless a server turn started after it. */
    void userTurnEnded(long speechEndNanos, long lastTurnStartNanos) {
        ResilientSession r = resilient;
        if (r != null && lastTurnStartNanos < speechEndNanos) {
            r.markUserTurnEnded();
        }
    }

    /**
     * Waits (bounded) until the session's send queue is empty: control messages overtake queued audio. While a
     * resilient session is reconnecting its buffer only empties once a connection is back (seconds, perhaps), so
     * this returns false at once instead of holding up the mic pump frame after frame.
     */
    static boolean awaitSendQueueEmpty(LiveSession s, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (s.queuedBytes() > 0) {
            if (System.nanoTime() >= deadline
                    || (s instanceof ResilientSession r && r.phase() == ResilientSession.Phase.RECONNECTING)) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }
}
