package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.SessionListener;
import dev.habla.protocol.CloseCodes;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound side of one {@link RealLiveSession}, past its {@link InboundWindow}: the <b>reader</b> thread
 * {@code habla-<id>-reader} (virtual; the dispatcher) takes the frames in order, decodes them with the connection's
 * codec, checks that setupComplete comes first, tracks the state the session exposes and calls the listener; it
 * delivers the terminal {@link LiveEvent.Closed} last and exits. A failure found here (bad frame, refused opening,
 * throwing listener) terminates the session, and the frames after it are skipped. The state it tracks is written by
 * the reader only and read by any thread.
 */
final class SessionDispatcher {
    private static final Logger log = LoggerFactory.getLogger(SessionDispatcher.class);

    private final RealLiveSession s;
    private final ClientConfig client;
    /** The connection's codec; see {@link ProviderConnection} for which thread calls what. */
    private final ProviderConnection codec;
    private final InboundWindow inbound;
    private final SessionWriter out;
    private final SessionListener listener;
    private volatile Thread thread;

    // Written by the dispatcher only; read by any thread.
    private volatile String sessionId;
    private volatile String resumptionHandle;
    private volatile boolean resumable;

    SessionDispatcher(RealLiveSession s, ClientConfig client, ProviderConnection codec, InboundWindow inbound,
            SessionWriter out, SessionListener listener) {
        this.s = s;
        this.client = client;
        this.codec = codec;
        this.inbound = inbound;
        this.out = out;
        this.listener = listener;
    }

    /** Starts the reader thread. Called once, before the handshake. */
    void start() {
        thread = Thread.ofVirtual().name("habla-" + s.id() + "-reader").start(this::dispatchLoop);
    }

    /** Whether the caller is the reader thread (which delivers the terminal event once the listener returns). */
    boolean onReaderThread() {
        return Thread.currentThread() == thread;
    }

    String sessionId() {
        return sessionId;
    }

    String resumptionHandle() {
        return resumptionHandle;
    }

    boolean resumable() {
        return resumable;
    }

    /** Reader thread: decode, track, deliver; ends after the terminal event. */
    private void dispatchLoop() {
        boolean setupDone = false;
        // After a failure found here (bad frame, throwing listener) the remaining frames are skipped.
        boolean draining = false;
        while (true) {
            InboundWindow.Inbound in;
            try {
                in = inbound.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose; the End item is what stops it
            }
            if (in instanceof InboundWindow.End end) {
                deliverTerminal(end.closed());
                return;
            }
            Transport.InboundFrame frame = ((InboundWindow.Frame) in).frame();
            if (draining) {
                continue;
            }
            if (client.wireLog() != null) {
                s.wire("< " + frame.asString());
            }
            List<LiveEvent> events;
            try {
                events = codec.decode(frame);
            } catch (ProviderConnection.Refused r) {
                // The service refused the opening in-band and may keep the socket open: close it ourselves.
                s.terminate(CloseCodes.NORMAL, CloseCodes.truncate(r.getMessage()), r.error(),
                        RealLiveSession.Exit.CLOSE_FRAME);
                draining = true;
                continue;
            } catch (RuntimeException e) {
                String why = "undecodable server frame: " + e.getMessage();
                s.terminate(CloseCodes.INVALID_ARGUMENT, CloseCodes.truncate(why),
                        new LiveException(Kind.PROTOCOL, why, e), RealLiveSession.Exit.CLOSE_FRAME);
                draining = true;
                continue;
            }
            for (LiveEvent event : events) {
                if (!setupDone) {
                    if (!(event instanceof LiveEvent.SetupCompleted done)) {
                        String why = "expected setupComplete as the first server message but got "
                                + event.getClass().getSimpleName();
                        s.terminate(CloseCodes.POLICY, why, new LiveException(Kind.PROTOCOL, why),
                                RealLiveSession.Exit.CLOSE_FRAME);
                        draining = true;
                        break;
                    }
                    setupDone = true;
                    sessionId = done.sessionId();
                    if (!s.opened(done)) {
                        draining = true;
                        break;
                    }
                }
                track(event);
                if (!deliver(event)) {
                    draining = true;
                    break;
                }
            }
            if (!draining) {
                // After delivery: a listener that reacted to these events (a voice loop reporting the played
                // position on Interrupted) has told the codec what it needs.
                out.queuePending();
            }
        }
    }

    /** Dispatcher: state the session exposes, updated before the listener sees the event. */
    private void track(LiveEvent event) {
        if (event instanceof LiveEvent.ResumptionUpdate u) {
            resumable = u.resumable();
            if (u.resumable() && u.handle() != null) {
                resumptionHandle = u.handle();
            }
        }
    }

    /** Dispatcher: calls the listener; a throwing listener fails the session. */
    private boolean deliver(LiveEvent event) {
        try {
            listener.onEvent(event);
            return true;
        } catch (Throwable t) {
            log.warn("session {}: listener threw on {}; failing the session", s.id(), event.getClass().getSimpleName(), t);
            String reason = "client listener failed";
            LiveException error = new LiveException(Kind.LISTENER_FAILED,
                    "listener threw " + t.getClass().getName() + " on " + event.getClass().getSimpleName()
                            + (t.getMessage() == null ? "" : ": " + t.getMessage()),
                    CloseCodes.INTERNAL, reason, -1, t);
            s.terminate(CloseCodes.INTERNAL, reason, error, RealLiveSession.Exit.CLOSE_FRAME);
            return false;
        }
    }

    private void deliverTerminal(LiveEvent.Closed closed) {
        try {
            listener.onEvent(closed);
        } catch (Throwable t) {
            log.warn("session {}: listener threw on Closed (ignored: the session is already over)", s.id(), t);
        }
    }
}
