package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.SessionListener;
import dev.habla.protocol.CloseCodes;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound side of one {@link RealLiveSession}, past its {@link InboundWindow}: the <b>reader</b> thread
 * {@code habla-<id>-reader} (virtual; the dispatcher) takes the frames in order, decodes them with the connection's
 * codec, checks that setupComplete comes first, tracks the state the session exposes and calls the listener; it
 * delivers the terminal {@link LiveEvent.Closed} last and exits. A failure found here (bad frame, refused opening,
 * throwing listener) terminates the session, and the frames after it are skipped. The state it tracks is written by
 * the reader only and read by any thread.
 *
 * <p>For a listener that takes audio on the I/O thread (a resilient session's, {@link ResilientConnection}), the
 * transport's thread may stand in for the reader while nothing waits for it ({@link #tryOnIoThread}): it decodes the
 * frame holding {@link #turn} (which the reader holds for each item too) and hands audio chunks on without waiting;
 * anything else goes to the reader, first in line. So frames are still decoded and delivered one at a time, in order.
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
    /**
     * Held while a frame or event list is processed: by the reader, or by the transport's thread standing in for it
     * ({@link #tryOnIoThread}); guards the codec's decoding, {@link #setupDone}, {@link #draining} and the window's
     * credit count, with a happens-before edge from each holder to the next.
     */
    private final ReentrantLock turn = new ReentrantLock();
    /** The transport's thread while it stands in for the reader (guarded by turn; volatile for other threads' reads). */
    private volatile Thread inline;
    /** The listener, if it takes audio on the I/O thread; else null (asked once, at construction). */
    private final ResilientConnection io;
    /** setupComplete was delivered; guarded by turn. */
    private boolean setupDone;
    /** After a failure found here (bad frame, throwing listener) the remaining frames are skipped; guarded by turn. */
    private boolean draining;

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
        this.io = listener instanceof ResilientConnection r && r.audioOnIoThread() && client.wireLog() == null ? r : null;
    }

    /** Starts the reader thread. Called once, before the handshake. */
    void start() {
        thread = Thread.ofVirtual().name("habla-" + s.id() + "-reader").start(this::dispatchLoop);
    }

    /**
     * Whether the caller is the reader thread, or the transport's standing in for it (the reader delivers the terminal
     * event once the listener returns).
     */
    boolean onReaderThread() {
        Thread me = Thread.currentThread();
        return me == thread || me == inline;
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
        while (true) {
            InboundWindow.Inbound in;
            try {
                in = inbound.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose; the End item is what stops it
            }
            turn.lock();
            try {
                switch (in) {
                    case InboundWindow.End end -> {
                        deliverTerminal(end.closed());
                        return;
                    }
                    case InboundWindow.Frame f -> {
                        List<LiveEvent> events = decode(f.frame());
                        if (events != null) {
                            deliverAll(events);
                        }
                    }
                    case InboundWindow.Decoded d -> deliverAll(d.events());
                }
            } finally {
                inbound.processed();
                turn.unlock();
            }
        }
    }

    /**
     * The transport's thread, for a frame that just arrived: if the listener takes audio on the I/O thread
     * ({@link ResilientConnection#audioOnIoThread()}) and nothing waits for the reader, this thread stands in for it
     * (holding {@link #turn}): it decodes the frame and hands its audio chunks on without waiting
     * ({@link ResilientConnection#tryDeliverNow}); whatever it cannot (another event, a chunk the control thread cannot
     * take at once, and everything after it) goes to the reader ahead of anything queued since. False: the frame was
     * not touched and goes the reader's way. Never blocks.
     */
    boolean tryOnIoThread(Transport.InboundFrame frame) {
        if (io == null || !inbound.idle() || !turn.tryLock()) {
            return false;
        }
        try {
            if (!inbound.idle() || !setupDone || draining) {
                return false;
            }
            inline = Thread.currentThread();
            inbound.frameInline();
            List<LiveEvent> events = decode(frame);
            if (events == null) {
                return true;
            }
            for (int i = 0; i < events.size(); i++) {
                LiveEvent event = events.get(i);
                if (!(event instanceof LiveEvent.AudioChunk chunk) || !io.tryDeliverNow(chunk)) {
                    inbound.handBack(List.copyOf(events.subList(i, events.size())));
                    return true;
                }
            }
            out.queuePending();
            return true;
        } finally {
            inline = null;
            turn.unlock();
        }
    }

    /** Holding {@link #turn}: the frame's events, or null if it failed the session (then the rest is skipped). */
    private List<LiveEvent> decode(Transport.InboundFrame frame) {
        if (draining) {
            return null;
        }
        if (client.wireLog() != null) {
            s.wire("< " + frame.asString());
        }
        try {
            return codec.decode(frame);
        } catch (ProviderConnection.Refused r) {
            // The service refused the opening in-band and may keep the socket open: close it ourselves.
            s.terminate(CloseCodes.NORMAL, CloseCodes.truncate(r.getMessage()), r.error(),
                    RealLiveSession.Exit.CLOSE_FRAME);
        } catch (RuntimeException e) {
            String why = "undecodable server frame: " + e.getMessage();
            s.terminate(CloseCodes.INVALID_ARGUMENT, CloseCodes.truncate(why),
                    new LiveException(Kind.PROTOCOL, why, e), RealLiveSession.Exit.CLOSE_FRAME);
        }
        draining = true;
        return null;
    }

    /** Reader thread, holding {@link #turn}: tracks and delivers decoded events, setupComplete first. */
    private void deliverAll(List<LiveEvent> events) {
        if (draining) {
            return;
        }
        for (LiveEvent event : events) {
            if (!setupDone) {
                if (!(event instanceof LiveEvent.SetupCompleted done)) {
                    String why = "expected setupComplete as the first server message but got "
                            + event.getClass().getSimpleName();
                    s.terminate(CloseCodes.POLICY, why, new LiveException(Kind.PROTOCOL, why),
                            RealLiveSession.Exit.CLOSE_FRAME);
                    draining = true;
                    return;
                }
                setupDone = true;
                sessionId = done.sessionId();
                if (!s.opened(done)) {
                    draining = true;
                    return;
                }
            }
            track(event);
            if (!deliver(event)) {
                draining = true;
                return;
            }
        }
        // After delivery: a listener that reacted to these events (a voice loop reporting the played position on
        // Interrupted) has told the codec what it needs.
        out.queuePending();
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
