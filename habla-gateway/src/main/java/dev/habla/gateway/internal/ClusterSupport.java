package dev.habla.gateway.internal;

import dev.habla.client.LiveException;
import dev.habla.client.ResilientSession;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a conversation's upstream is opened, fresh or taken over from another node; what opens a turn. Stateless. */
final class ClusterSupport {
    private static final Logger log = LoggerFactory.getLogger(ClusterSupport.class);

    private ClusterSupport() {}

    /**
     * Opens the upstream: a new session, or for a conversation taken over from another node ({@code resumed}) the
     * upstream session behind its stored upstream handle; when the provider refuses that handle (1007), a new session
     * seeded with the stored transcript, on {@code upstream} (the hub's client, or a recording one). Blocks (the caller's
     * virtual thread).
     */
    static ResilientSession connect(dev.habla.client.LiveClient upstream, Hub hub, Cluster.Record resumed,
            SessionConfig upstreamConfig, SessionListener listener, java.util.concurrent.Executor ioAffinity)
            throws LiveException {
        SessionConfig config = upstreamConfig;
        // Upstream handles exist on Gemini only (an OpenAI upstream never stores one; it is re-seeded below).
        if (resumed != null && resumed.upstreamHandle() != null) {
            try {
                return upstream.connectResilient(config.withResumptionHandle(resumed.upstreamHandle()), listener, hub.policy(),
                        ioAffinity);
            } catch (LiveException e) {
                if (e.closeCode() != CloseCodes.INVALID_ARGUMENT) {
                    throw e;
                }
                log.info("Upstream refused the stored handle ({}); re-seeding from the transcript ({} turns)", e.getMessage(),
                        resumed.transcript().size());
            }
        }
        if (resumed != null && !resumed.transcript().isEmpty()) {
            config = config.with(b -> b.initialHistory(resumed.transcript()));
        }
        return upstream.connectResilient(config, listener, hub.policy(), ioAffinity);
    }

    /** Whether {@code m} starts a turn the model will answer (what a takeover must report as cut if it never was). */
    static boolean opensTurn(ClientMessage m) {
        return switch (m.plain()) {
            case ClientMessage.ClientContent c -> c.turnComplete();
            case ClientMessage.RealtimeInput r -> r.text() != null || r.activityEnd() != null || Boolean.TRUE.equals(r.audioStreamEnd());
            case ClientMessage.ToolResponse t -> true;
            default -> false;
        };
    }
}
