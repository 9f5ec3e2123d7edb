package dev.habla.gateway.internal;

import dev.habla.client.GeminiFrames;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.Provider;
import dev.habla.client.ResilientSession;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Tool;
import dev.habla.time.Scheduler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client conversation: its upstream {@link ResilientSession} (handover, reconnects and resumption are the
 * client library's: the client never sees a goAway), the client connection attached now (or none, while a dropped
 * client may come back within the grace period with the gateway's own resumption handle), server-side tool calls
 * answered here, and usage accounting.
 *
 * <p>Threads: {@link #onEvent} runs on the session's event thread (or, for an audio chunk while that thread is idle,
 * on the upstream connection's reader: one call at a time and in order either way); {@link #fromClient}, {@link #attach},
 * {@link #detach} on the client connection's callbacks (its lock held); {@link #start}'s connect on a virtual thread;
 * tool results on the tool's completion thread; the grace timer on the hub's clock ({@link Scheduler}). {@code lock} guards every mutable
 * field below; sends to the client ({@code LiveConnection.send}, which never blocks or locks) happen under it, so
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
    // Guarded by lock.
    private ClientSession client;
    private ResilientSession upstream;
    /** This conversation's own upstream client when its app records sessions (else null: the hub's); closed at the end. */
    private volatile dev.habla.client.LiveClient recording;
    private final List<ClientMessage> pendingIn = new ArrayList<>();
    private final ArrayDeque<ServerFrame> held = new ArrayDeque<>();
    private long heldBytes;
    private volatile boolean ended; // written under lock; read without it by the hand-off wait
    private Scheduler.Cancellable graceTimer;
    private final Map<String, CompletableFuture<FunctionResponse>> serverCalls = new HashMap<>();

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
        this.client = client;
        this.link = new ClusterLink(hub, id, app, token, setup, announce, resumed);
        this.handle = link.handle;
    }

    public long id() { return id; }
    /** Whether {@link #end} has run (any thread). */
    boolean isEnded() { return ended; }
    public String app() { return app; }
    public Token token() { return token; }

    /** Whether a client is attached now. */
    public boolean attached() {
        lock.lock();
        try {
            return client != null;
        } finally {
            lock.unlock();
        }
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
                        link.resumed, config, this);
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
            countAudioIn(r);
        }
        if (link.shared()) {
            link.opening(m, upstreamNow());
        }
        lock.lock();
        try {
            if (ended || from != client) {
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
            if (client != null) {
                client.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
            }
        }
    }

    private void countAudioIn(ClientMessage.RealtimeInput r) {
        countAudioIn(r.audio());
        if (r.mediaChunks() != null) {
            r.mediaChunks().forEach(this::countAudioIn);
        }
    }

    private void countAudioIn(Blob b) {
        if (b != null && b.mimeType() != null && b.mimeType().startsWith("audio/pcm") && b.data() != null) {
            hub.accounting().audio(app, true, b.data().length, Blob.sampleRate(b.mimeType(), 16_000));
        }
    }

    /** A client resumes with this conversation's handle (client callback thread of the new connection). */
    void attach(ClientSession c) {
        ClientSession old;
        lock.lock();
        try {
            if (ended) {
                c.close(CloseCodes.INVALID_ARGUMENT, "Session resumption handle is not valid or has expired.");
                return;
            }
            old = client;
            client = c;
            if (graceTimer != null) {
                graceTimer.cancel();
                graceTimer = null;
            }
            c.send(ServerFrame.of(new ServerMessage.SetupComplete(null)));
            while (!held.isEmpty()) {
                c.send(held.poll());
            }
            heldBytes = 0;
            c.send(ServerFrame.of(new ServerMessage.SessionResumptionUpdate(handle, true, null)));
        } finally {
            lock.unlock();
        }
        if (old != null && old != c) {
            // A phone that switched networks may come back before its old socket is known dead.
            old.close(CloseCodes.GOING_AWAY, "Session resumed on another connection.");
        }
    }

    /** The client's socket closed (its callback thread). */
    void detach(ClientSession c, int code) {
        lock.lock();
        try {
            if (client != c || ended) {
                return;
            }
            client = null;
            if (!announce || code == CloseCodes.NORMAL) {
                // A client that did not ask for resumption, or closed deliberately, is done.
                log.info("Conversation {}: client closed ({}), ending", id, code);
            } else {
                log.info("Conversation {}: client dropped ({}); waiting {} for it to resume", id, code, hub.resumeGrace());
                graceTimer = hub.clock().schedule(hub.resumeGrace(), () -> end(CloseCodes.NORMAL, ""));
                return;
            }
        } finally {
            lock.unlock();
        }
        end(CloseCodes.NORMAL, "");
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
            c = client;
            client = null;
            held.clear();
            calls = List.copyOf(serverCalls.values());
            serverCalls.clear();
            if (graceTimer != null) {
                graceTimer.cancel();
            }
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
            detached = client == null;
            if (!detached && announce) {
                client.send(ServerFrame.of(new ServerMessage.GoAway(timeLeft)));
            }
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
                    toClient(ServerFrame.of(new ServerMessage.SetupComplete(null)), 64);
                    announce();
                    if (link.takeCutTurn()) {
                        // Taken over from a node that died mid-turn: that turn is lost; say so rather than stay silent.
                        toClient(ServerFrame.of(ServerMessage.ServerContent.interruptedSignal()), 64);
                    }
                } finally {
                    lock.unlock();
                }
                link.save(upstreamNow());
            }
            case LiveEvent.ToolCallRequested r -> toolCalls(r.calls());
            case LiveEvent.ToolCallCancelled c -> toolCancels(c.ids());
            case LiveEvent.TurnComplete t -> {
                hub.accounting().usage(app, t.usage());
                lock.lock();
                try {
                    toClient(GeminiFrames.encode(t), 256);
                    announce();
                    link.turnCompleted();
                } finally {
                    lock.unlock();
                }
                link.save(upstreamNow());
            }
            case LiveEvent.Usage u -> {
                hub.accounting().usage(app, u.usage());
                forward(GeminiFrames.encode(u), 256);
            }
            case LiveEvent.AudioChunk a -> {
                hub.accounting().audio(app, false, a.pcm().length, a.sampleRate());
                forwardAudio(a);
            }
            default -> forward(GeminiFrames.encode(event), 512);
        }
    }

    /** With lock held: the gateway's own handle, if the client asked for resumption. */
    private void announce() {
        if (announce) {
            toClient(ServerFrame.of(new ServerMessage.SessionResumptionUpdate(handle, true, null)), 128);
        }
    }

    /**
     * Model audio to the client: the upstream's own frame when it was nothing but this chunk (the fast path: no
     * re-encoding), else the chunk encoded. A detached client's frames are held as encoded frames.
     */
    private void forwardAudio(LiveEvent.AudioChunk a) {
        lock.lock();
        try {
            if (a.wire() != null && client != null && !ended) {
                client.sendEncoded(a.wire());
            } else {
                toClient(GeminiFrames.encode(a), a.pcm().length * 4L / 3 + 128);
            }
        } finally {
            lock.unlock();
        }
    }

    private void forward(ServerFrame frame, long size) {
        lock.lock();
        try {
            toClient(frame, size);
        } finally {
            lock.unlock();
        }
    }

    /** With lock held: to the attached client, or held for one that may resume (bounded). */
    private void toClient(ServerFrame frame, long size) {
        if (ended) {
            return;
        }
        if (client != null) {
            client.send(frame);
            return;
        }
        heldBytes += size;
        held.add(frame);
        if (heldBytes > hub.heldBytes()) {
            log.info("Conversation {}: {} bytes held for a detached client; ending", id, heldBytes);
            Thread.ofVirtual().name("habla-gw-end-" + id).start(() -> end(CloseCodes.NORMAL, "")); // not under lock
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

    private void toolCalls(List<FunctionCall> calls) {
        List<FunctionCall> forClient = new ArrayList<>();
        for (FunctionCall call : calls) {
            if (hub.tools() != null && hub.tools().tool(call.name()).isPresent()) {
                CompletableFuture<FunctionResponse> f = hub.tools().handle(call);
                lock.lock();
                try {
                    if (call.id() != null) {
                        serverCalls.put(call.id(), f);
                    }
                } finally {
                    lock.unlock();
                }
                f.whenComplete((resp, err) -> toolDone(call, resp, err));
            } else {
                forClient.add(call);
            }
        }
        if (!forClient.isEmpty()) {
            forward(ServerFrame.of(new ServerMessage.ToolCall(forClient)), 512);
        }
    }

    private void toolDone(FunctionCall call, FunctionResponse resp, Throwable err) {
        lock.lock();
        try {
            if (call.id() != null && serverCalls.remove(call.id()) == null) {
                return; // cancelled or ended
            }
            if (err != null || resp == null || upstream == null || ended) {
                log.debug("Conversation {}: server tool {} not answered: {}", id, call.name(), err == null ? "ended" : err.toString());
                return;
            }
            upstream.sendToolResponse(List.of(resp));
        } finally {
            lock.unlock();
        }
    }

    private void toolCancels(List<String> ids) {
        List<String> forClient = new ArrayList<>();
        for (String callId : ids) {
            CompletableFuture<FunctionResponse> f;
            lock.lock();
            try {
                f = serverCalls.remove(callId);
            } finally {
                lock.unlock();
            }
            if (f != null) {
                f.cancel(true);
            } else {
                forClient.add(callId);
            }
        }
        if (!forClient.isEmpty()) {
            forward(ServerFrame.of(new ServerMessage.ToolCallCancellation(forClient)), 256);
        }
    }

    @Override
    public String toString() {
        return "Conversation[" + id + ", app=" + app + (token == null ? "" : ", token=" + token.logId()) + "]";
    }
}
