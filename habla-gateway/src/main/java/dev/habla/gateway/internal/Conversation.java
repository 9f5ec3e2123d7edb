package dev.habla.gateway.internal;

import dev.habla.client.GeminiFrames;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.Provider;
import dev.habla.client.ResilientSession;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Tool;
import dev.habla.time.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client conversation: its upstream {@link ResilientSession} (handover, reconnects and resumption are the
 * client library's: the client never sees a goAway), the client connection attached now (or none, while a dropped
 * client may come back within the grace period with the gateway's own resumption handle: {@link ClientAttachment}),
 * server-side tool calls answered here ({@link ServerToolCalls}), usage accounting ({@link Accounting}), recording,
 * and its part in the cluster ({@link ClusterLink}: record, hand-off; the drain notice is here).
 *
 * <p>Threads: {@link #onEvent} runs on the session's event thread (or, for an audio chunk while that thread is idle,
 * on the upstream connection's reader: one call at a time and in order either way); {@link #fromClient}, {@link #attach},
 * {@link #detach} on the client connection's callbacks (its lock held); {@link #start}'s connect on a virtual thread;
 * tool results on the tool's completion thread; the grace timer on the hub's clock ({@link Scheduler}). {@code lock} guards every mutable
 * field below and those of {@link ClientAttachment} and {@link ServerToolCalls} (it is their lock too: one lock per
 * conversation); sends to the client ({@code LiveConnection.send}, which never blocks or locks) happen under it, so
 * frames reach the client in event order and a re-attaching client gets held frames before newer ones.
 */
public final class Conversation implements SessionListener {
    private static final Logger log = LoggerFactory.getLogger(Conversation.class);
    private final Hub hub;
    private final long id;
    private final String app;
    private final Token token;
    private final ClientMessage.Setup setup;
    private final boolean announce;
    private final String handle;
    private final ClusterLink link; // the cluster's record, slot and hand-off (turn tracking only, standalone)
    private final ReentrantLock lock = new ReentrantLock();
    private final ClientAttachment client; // the client connection and what is held for it (guarded by lock)
    /** The first client socket's I/O thread: the upstream's connections join it where the transport can (or null). */
    private final java.util.concurrent.Executor ioAffinity;
    private final ServerToolCalls toolCalls; // server-side tool calls in flight (guarded by lock)
    // Guarded by lock.
    private ResilientSession upstream;
    /** This conversation's own upstream client when its app records sessions (else null: the hub's); closed at the end. */
    private volatile dev.habla.client.LiveClient recording;
    private final List<ClientMessage> pendingIn = new ArrayList<>();
    private volatile boolean ended; // written under lock; read without it by the hand-off wait

    Conversation(Hub hub, long id, String app, Token token, ClientMessage.Setup setup, boolean announce, ClientSession client) {
        this(hub, id, app, token, setup, announce, client, null);
    }

    /** @param resumed the record of a conversation taken over from another node (cluster), or null for a new one */
    Conversation(Hub hub, long id, String app, Token token, ClientMessage.Setup setup, boolean announce, ClientSession client,
            Cluster.Record resumed) {
        this.hub = hub;
        this.id = id;
        this.app = app;
        this.token = token;
        this.setup = setup;
        this.announce = announce;
        this.link = new ClusterLink(hub, id, app, token, setup, announce, resumed);
        this.handle = link.handle;
        this.client = new ClientAttachment(this, hub, lock, announce, handle, client);
        this.ioAffinity = client == null ? null : client.ioExecutor();
        this.toolCalls = new ServerToolCalls(this, hub.tools(), lock, this.client);
    }

    public long id() { return id; }
    /** Whether {@link #end} has run (any thread). */
    boolean isEnded() { return ended; }
    public String app() { return app; }
    public Token token() { return token; }

    /** Whether a client is attached now. */
    public boolean attached() {
        return client.attached();
    }

    /** Opens the upstream on a virtual thread; the client's input is queued until it is up. */
    void start() {
        hub.byHandle().put(handle, this);
        SessionConfig config;
        try {
            config = hub.upstream().config().provider().equals(Provider.GEMINI)
                    ? SessionConfig.create(b -> b.model(setup.model()).setupOverride(this::upstreamSetup))
                    : UpstreamConfig.neutral(setup, hub.tools() == null ? List.of() : hub.tools().declarations());
        } catch (IllegalArgumentException e) {
            log.info("Conversation {}: setup cannot go to the {} upstream: {}", id,
                    hub.upstream().config().provider().name(), e.getMessage());
            end(CloseCodes.INVALID_ARGUMENT, CloseCodes.truncate(e.getMessage()));
            return;
        }
        hub.limits().started(this); // token expiry and the app's minutes, on the gateway's clock
        link.connecting(true);
        Thread.ofVirtual().name("habla-gw-connect-" + id).start(() -> {
            try {
                Accounting.Refusal refusal = hub.admission().admit(app, hub.sid(id)); // cluster: may wait in the queue
                if (refusal != null) {
                    link.connecting(false);
                    hub.accounting().refused(refusal.metric());
                    end(refusal.code(), refusal.reason());
                    return;
                }
                link.slotTaken();
                recording = hub.recorder().open(app, id);
                ResilientSession s = ClusterSupport.connect(recording != null ? recording : hub.upstream(), hub,
                        link.resumed, config, this, ioAffinity);
                lock.lock();
                try {
                    link.connecting(false);
                    if (ended) {
                        Thread.ofVirtual().name("habla-gw-close-" + id).start(() -> closeUpstream(s));
                        return;
                    }
                    upstream = s;
                    for (ClientMessage m : pendingIn) {
                        forwardUp(m);
                    }
                    pendingIn.clear();
                } finally {
                    lock.unlock();
                }
            } catch (InterruptedException e) {
                link.connecting(false);
                end(CloseCodes.GOING_AWAY, "Gateway shutting down.");
            } catch (LiveException e) {
                link.connecting(false);
                log.info("Conversation {}: upstream refused: {} {}", id, e.closeCode(), e.getMessage());
                if (e.closeCode() <= 0 && e.kind() == LiveException.Kind.INVALID_ARGUMENT) {
                    // Refused before the wire (an option the upstream's provider cannot honour): say which.
                    end(CloseCodes.INVALID_ARGUMENT, CloseCodes.truncate(e.getMessage()));
                    return;
                }
                int code = e.closeCode() > 0 && e.closeCode() != 1006 ? e.closeCode() : CloseCodes.INTERNAL;
                String reason = e.closeCode() > 0 && e.closeReason() != null && !e.closeReason().isEmpty()
                        ? e.closeReason() : CloseCodes.REASON_INTERNAL;
                end(code, reason);
                closeRecording();
            } catch (RuntimeException e) {
                link.connecting(false);
                log.warn("Conversation {}: upstream connect failed", id, e);
                end(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
                closeRecording();
            }
        });
    }

    private void closeRecording() {
        dev.habla.client.LiveClient rec = recording;
        if (rec != null) {
            rec.close(); // idempotent
        }
    }

    /**
     * The client's setup as the upstream's, keeping what the resilient session adds: its resumption (handles are
     * the upstream's, never the client's), compression unless the client chose its own, history for a re-seed; the
     * gateway's server-side tools are appended to the client's tools.
     */
    private ClientMessage.Setup upstreamSetup(ClientMessage.Setup built) {
        List<Tool> tools = new ArrayList<>(setup.tools() == null ? List.of() : setup.tools());
        if (hub.tools() != null) {
            tools.addAll(hub.tools().declarations());
        }
        return new ClientMessage.Setup(built.model(), setup.generationConfig(), setup.systemInstruction(),
                tools.isEmpty() ? null : tools, setup.realtimeInputConfig(), built.sessionResumption(),
                setup.contextWindowCompression() != null ? setup.contextWindowCompression() : built.contextWindowCompression(),
                setup.inputAudioTranscription(), setup.outputAudioTranscription(), setup.proactivity(),
                setup.historyConfig() != null ? setup.historyConfig() : built.historyConfig());
    }

    /** A client message (client callback thread). */
    void fromClient(ClientSession from, ClientMessage m) {
        if (m.plain() instanceof ClientMessage.RealtimeInput r) {
            hub.accounting().audioIn(app, r);
        }
        if (link.shared()) {
            link.opening(m, upstreamNow());
        }
        lock.lock();
        try {
            if (ended || !client.is(from)) {
                return;
            }
            if (upstream == null) {
                pendingIn.add(m);
            } else {
                forwardUp(m);
            }
        } finally {
            lock.unlock();
        }
    }

    /** With lock held. */
    private void forwardUp(ClientMessage m) {
        try {
            upstream.send(m);
        } catch (IllegalArgumentException e) {
            log.info("Conversation {}: client message refused: {}", id, e.getMessage());
            client.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
        }
    }

    /** A client resumes with this conversation's handle (client callback thread of the new connection). */
    void attach(ClientSession c) {
        client.attach(c);
    }

    /** The client's socket closed (its callback thread). */
    void detach(ClientSession c, int code) {
        client.detach(c, code);
    }

    /** Ends the conversation: closes the client (if attached) with {@code code}/{@code reason} and the upstream. Idempotent. */
    public void end(int code, String reason) {
        ResilientSession up;
        ClientSession c;
        List<CompletableFuture<FunctionResponse>> calls;
        lock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            up = upstream;
            c = client.takeForEnd();
            calls = toolCalls.takeAll();
        } finally {
            lock.unlock();
        }
        hub.byHandle().remove(handle);
        hub.accounting().close(app, id);
        hub.limits().ended(this);
        calls.forEach(f -> f.cancel(true));
        if (link.handedOff() && !(up == null && link.connecting())) {
            // Upstream closed first, so the record names its final handle before the claiming node reads it.
            closeUpstream(up);
            if (c != null) {
                c.close(code, reason);
            }
        } else {
            if (c != null) {
                c.close(code, reason);
            }
            if (up != null || !link.connecting()) { // else the connect thread closes what it opens (start)
                Thread.ofVirtual().name("habla-gw-close-" + id).start(() -> closeUpstream(up));
            }
        }
        log.info("Conversation {} of app {} ended ({} {})", id, app, code, reason);
    }

    /**
     * Closes the upstream (if any), then the recording client (after the session: its close frame is on the
     * cassette), then gives back its cluster slot and releases or forgets the record.
     */
    private void closeUpstream(ResilientSession up) {
        if (up != null) {
            up.close();
        }
        closeRecording();
        link.upstreamClosed(up);
    }

    /** With lock held: the upstream while the conversation lives (null before it is up and once ended). */
    ResilientSession liveUpstream() {
        return ended ? null : upstream;
    }

    private ResilientSession upstreamNow() {
        lock.lock();
        try {
            return upstream;
        } finally {
            lock.unlock();
        }
    }

    /** The cluster record of this conversation now (null standalone). */
    public Cluster.Record record() {
        return link.record(upstreamNow());
    }

    /** The record if the upstream handle moved since it was last written (the cluster's tick), else null. */
    public Cluster.Record recordIfChanged() {
        return ended ? null : link.recordIfChanged(upstreamNow());
    }

    /**
     * Another node takes this conversation over (its client came back there, or this node drains): waits for the turn
     * in flight to end (at most {@code max}), then ends here; the record is released once the upstream is closed.
     * Input arriving meanwhile is not forwarded (Habla's client library re-sends a turn that got no reply).
     */
    public void handOff(java.time.Duration max) {
        if (link.awaitBoundaryThenHandOff(max, () -> ended)) {
            log.info("Conversation {}: handed off to another node", id);
            end(CloseCodes.GOING_AWAY, "Session resumed on another connection.");
        }
    }

    /**
     * This node drains: a client that can resume is told to go ({@code goAway}; it reconnects through another node
     * with its handle, which asks this node to hand off); a detached conversation is handed off at once.
     */
    public void drainNotice(java.time.Duration timeLeft) {
        boolean detached;
        lock.lock();
        try {
            if (ended) {
                return;
            }
            detached = client.goAway(timeLeft);
        } finally {
            lock.unlock();
        }
        if (detached) {
            handOff(java.time.Duration.ZERO);
        }
    }

    /** Whether the client asked for resumption (so it can move to another node). */
    public boolean resumable() {
        return announce;
    }

    // ---- upstream events (the resilient session's event thread) ----

    /**
     * The upstream's audio may arrive on the socket's I/O thread: forwarding it (accounting, the client's writer, which
     * never waits for the client's socket) does not block.
     */
    @Override
    public boolean audioOnIoThread() {
        return true;
    }

    @Override
    public void onEvent(LiveEvent event) {
        switch (event) {
            case LiveEvent.ConnectionEvent c -> log.debug("Conversation {}: upstream {}", id, c);
            case LiveEvent.GoingAway g -> { } // the resilient session handles it; never the client's business
            // An OpenAI upstream refused something in band and goes on; the Live wire has no such frame.
            case LiveEvent.ServiceError e -> log.info("Conversation {}: upstream error (session goes on): {}", id,
                    e.error().getMessage());
            case LiveEvent.ResumptionUpdate r -> { } // upstream handles stay here; the client gets the gateway's
            case LiveEvent.Closed c -> upstreamClosed(c);
            case LiveEvent.SetupCompleted s -> {
                lock.lock();
                try {
                    client.toClient(ServerFrame.of(new ServerMessage.SetupComplete(null)), 64);
                    client.announce();
                    if (link.takeCutTurn()) {
                        // Taken over from a node that died mid-turn: that turn is lost; say so rather than stay silent.
                        client.toClient(ServerFrame.of(ServerMessage.ServerContent.interruptedSignal()), 64);
                    }
                } finally {
                    lock.unlock();
                }
                link.save(upstreamNow());
            }
            case LiveEvent.ToolCallRequested r -> toolCalls.calls(r.calls());
            case LiveEvent.ToolCallCancelled c -> toolCalls.cancels(c.ids());
            case LiveEvent.TurnComplete t -> {
                hub.accounting().usage(app, t.usage());
                lock.lock();
                try {
                    client.toClient(GeminiFrames.encode(t), 256);
                    client.announce();
                    link.turnCompleted();
                } finally {
                    lock.unlock();
                }
                link.save(upstreamNow());
            }
            case LiveEvent.Usage u -> {
                hub.accounting().usage(app, u.usage());
                client.forward(GeminiFrames.encode(u), 256);
            }
            case LiveEvent.AudioChunk a -> {
                hub.accounting().audio(app, false, a.pcm().length, a.sampleRate());
                client.forwardAudio(a);
            }
            default -> client.forward(GeminiFrames.encode(event), 512);
        }
    }

    private void upstreamClosed(LiveEvent.Closed c) {
        boolean requested;
        lock.lock();
        try {
            requested = ended;
        } finally {
            lock.unlock();
        }
        LiveException e = c.error();
        if (!requested && e != null && e.closeCode() <= 0 && e.kind() == LiveException.Kind.INVALID_ARGUMENT) {
            // Refused before the wire (a setting the upstream's provider cannot honour): 1007 saying which, the same
            // answer as the connect thread's, whichever of the two gets there first.
            log.info("Conversation {}: upstream refused the setup: {}", id, e.getMessage());
            end(CloseCodes.INVALID_ARGUMENT, CloseCodes.truncate(e.getMessage()));
        } else if (!requested) {
            int code = c.code() > 0 && c.code() != 1006 && c.code() != 1005 ? c.code() : CloseCodes.INTERNAL;
            String reason = c.reason() != null && !c.reason().isEmpty() ? c.reason()
                    : code == CloseCodes.INTERNAL ? CloseCodes.REASON_INTERNAL : "";
            log.info("Conversation {}: upstream ended ({} {})", id, c.code(), c.reason());
            end(code, reason);
        }
    }

    @Override
    public String toString() {
        return "Conversation[" + id + ", app=" + app + (token == null ? "" : ", token=" + token.logId()) + "]";
    }
}
