package dev.habla.emulator.internal;

import dev.habla.emulator.EmulatorSession;
import dev.habla.emulator.Fault;
import dev.habla.protocol.CloseCodes;
import dev.habla.realtime.ErrorDetail;
import dev.habla.realtime.RealtimeCodec;
import dev.habla.realtime.ServerEvent;
import dev.habla.realtime.Session;
import dev.habla.realtime.Usage;
import dev.habla.server.SocketConnection;
import dev.habla.server.SocketHandler;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenAI Realtime WebSocket of the emulator: the handshake answer (credentials and model checked in band, as the
 * service does: {@code error} then close 3000/4000), {@code session.created}, the session cap, faults, ids, and what
 * its parts share: settings ({@link RealtimeSettings}), conversation ({@link RealtimeConversation}), the response in
 * progress ({@link RealtimeResponse}), audio records. Client events are {@link RealtimeEvents}'.
 *
 * <p>Threads: habla-server calls {@link #onText} on the connection's delivery thread with {@link #lock} held (the
 * socket's lock, also taken by its writer); emulator-clock timers come back through {@link #runLocked}. Everything
 * here is guarded by that lock.
 */
final class RealtimeConnection implements SocketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RealtimeConnection.class);
    /** Audio kept per session for snapshots (the newest bytes). */
    private static final long MAX_AUDIO = 64L << 20;

    private final RealtimeEndpoint endpoint;
    private final SocketConnection wire;
    private final ReentrantLock lock;
    final String id;
    private final AtomicLong events = new AtomicLong();
    private final Scheduler clock;
    private final ArrayDeque<Object> stallBuffer = new ArrayDeque<>();
    private final Map<String, AssistantAudio> assistantAudio = new HashMap<>();
    private final AudioRecord received;

    RealtimeSettings settings;
    final RealtimeConversation conversation = new RealtimeConversation();
    private final String conversationId;
    /** The client-event side; null until the handshake was accepted. */
    private RealtimeEvents events2;
    private RealtimeResponse response;
    private boolean audioProduced;
    private Fault pacing;
    private boolean stalled;
    private boolean closed;
    private Scheduler.Cancellable stallTimer;
    private Scheduler.Cancellable capTimer;

    /** What was sent of one assistant audio item: its speech and how many samples went out. */
    record AssistantAudio(SpeechSynth.Rendered speech, int samplesSent) {}

    RealtimeConnection(RealtimeEndpoint endpoint, SocketConnection wire) {
        this.endpoint = endpoint;
        this.wire = wire;
        this.lock = wire.lock();
        this.id = endpoint.nextConnectionId();
        this.clock = endpoint.clock();
        this.conversationId = newId("conv_");
        this.received = new AudioRecord(Math.min(MAX_AUDIO, endpoint.maxRecordedAudio()));
    }

    /** Called once when the socket opens, with the lock held: the handshake's answer. */
    void open() {
        RealtimeEndpoint.Admission a = endpoint.admit(wire.request());
        if (a.error() != null) {
            sendNow(new ServerEvent.ErrorEvent(eventId(), a.error()));
            wire.close(a.closeCode(), a.closeReason());
            closed = true;
            return;
        }
        Duration cap = endpoint.sessionCap();
        long expiresAt = clock.now().plus(cap).getEpochSecond();
        settings = new RealtimeSettings(newId("sess_"), a.model(), expiresAt);
        if (a.sessionFromSecret() != null) {
            try {
                settings.apply(a.sessionFromSecret(), false);
            } catch (RuntimeException e) {
                LOG.debug("Session {}: the client secret's session did not apply: {}", id, e.getMessage());
            }
        }
        events2 = new RealtimeEvents(this);
        endpoint.register(this);
        LOG.info("Realtime session {} opened ({})", id, settings.model);
        send(new ServerEvent.SessionCreated(eventId(), settings.toSession()));
        long minutes = Math.max(1, cap.toMinutes());
        capTimer = clock.schedule(cap, () -> runLocked(() ->
                wire.close(CloseCodes.GOING_AWAY, "Your session hit the maximum duration of " + minutes + " minutes.")));
    }

    @Override
    public void onText(String text) {
        if (closed || events2 == null) {
            return;
        }
        endpoint.record(id, text);
        if (stalled) {
            stallBuffer.add(text);
        } else {
            events2.onText(text);
        }
    }

    @Override
    public void onBinary(byte[] data) {
        if (closed || events2 == null) {
            return;
        }
        if (stalled) {
            stallBuffer.add(data);
        } else {
            events2.onBinary();
        }
    }

    @Override
    public void onClose(int statusCode, String reason) {
        LOG.info("Realtime session {} closed: {} {}", id, statusCode, reason);
        boolean registered = settings != null && events2 != null;
        closed = true;
        for (Scheduler.Cancellable c : new Scheduler.Cancellable[] {capTimer, stallTimer}) {
            if (c != null) {
                c.cancel();
            }
        }
        if (response != null) {
            response.cancel("client_cancelled"); // nothing can be sent any more; this stops its timers
        }
        if (registered) {
            endpoint.unregister(this, snapshot());
        }
    }

    // ---- shared with the parts ----

    Scheduler clock() {
        return clock;
    }

    String eventId() {
        return "event_" + id + "_" + events.incrementAndGet();
    }

    String newId(String prefix) {
        return endpoint.newId(prefix);
    }

    String conversationId() {
        return conversationId;
    }

    RealtimeConversation conversation() {
        return conversation;
    }

    Duration textChunkDelay() {
        return endpoint.textChunkDelay();
    }

    Fault pacing() {
        return pacing;
    }

    dev.habla.emulator.ReplyPolicy policy() {
        return endpoint.replies();
    }

    void send(ServerEvent event) {
        if (!closed) {
            wire.sendText(RealtimeCodec.encode(event));
        }
    }

    private void sendNow(ServerEvent event) {
        wire.sendText(RealtimeCodec.encode(event));
    }

    void error(String code, String message, String param, String clientEventId) {
        send(new ServerEvent.ErrorEvent(eventId(), ErrorDetail.invalidRequest(code, message, param, clientEventId)));
    }

    void close(int code, String reason) {
        wire.close(code, reason);
    }

    /** Runs {@code r} with the lock held unless the connection is closing; for clock callbacks. */
    void runLocked(Runnable r) {
        lock.lock();
        try {
            if (!closed && !wire.isClosing()) {
                r.run();
            }
        } catch (RuntimeException e) {
            LOG.warn("Realtime session {}: internal error in a timer", id, e);
            wire.close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
        } finally {
            lock.unlock();
        }
    }

    RealtimeResponse response() {
        return response != null && !response.done() ? response : null;
    }

    void responseStarted(RealtimeResponse r) {
        response = r;
    }

    void responseEnded(RealtimeResponse r, Usage usage) {
        if (response == r) {
            response = null;
        }
        send(new ServerEvent.RateLimitsUpdated(eventId(), List.of(
                new dev.habla.realtime.RateLimit("tokens", 15_000_000, 15_000_000 - usage.totalTokens(), 0.001))));
    }

    void receivedAudio(byte[] pcm16) {
        received.append(pcm16);
    }

    /** 24 kHz PCM output in the session's output format. */
    byte[] outputAudio(byte[] pcm24k) {
        return RealtimeAudio.fromPcm24k(settings.outputFormat, pcm24k);
    }

    void audioStarted(String itemId, SpeechSynth.Rendered speech) {
        audioProduced = true;
        assistantAudio.put(itemId, new AssistantAudio(speech, 0));
    }

    void audioSent(String itemId, int samplesSent) {
        assistantAudio.computeIfPresent(itemId, (k, a) -> new AssistantAudio(a.speech(), samplesSent));
    }

    double audioSentSeconds(String itemId) {
        AssistantAudio a = assistantAudio.get(itemId);
        return a == null ? 0 : a.samplesSent() / (double) SpeechSynth.SAMPLE_RATE;
    }

    AssistantAudio assistantAudio(String itemId) {
        return assistantAudio.get(itemId);
    }

    boolean audioProduced() {
        return audioProduced;
    }

    // ---- faults ----

    void applyFault(Fault fault) {
        lock.lock();
        try {
            switch (fault) {
                case Fault.Close c -> wire.close(c.code(), c.reason());
                case Fault.DropConnection d -> wire.abort();
                case Fault.DeadlineExpired d -> wire.close(CloseCodes.GOING_AWAY,
                        "Your session hit the maximum duration of " + Math.max(1, endpoint.sessionCap().toMinutes()) + " minutes.");
                case Fault.SlowAudio s -> pacing = s;
                case Fault.BurstyAudio b -> pacing = b;
                case Fault.Stall st -> {
                    if (!stalled) {
                        stalled = true;
                        wire.pauseOutput();
                    }
                    if (stallTimer != null) {
                        stallTimer.cancel();
                    }
                    stallTimer = clock.schedule(st.duration(), this::unstall);
                }
                case Fault.PhantomInterrupted p -> events2.phantomSpeech();
                case Fault.GoAway g -> throw new IllegalArgumentException(
                        "OpenAI Realtime has no goAway; use Fault.Close or Fault.DeadlineExpired (the 60-minute cap)");
                case Fault.PrematureTurnComplete p -> throw new IllegalArgumentException(
                        "PrematureTurnComplete is a Live API fault; OpenAI Realtime sends one response.done per response");
                case Fault.RefuseResumption r -> throw new IllegalArgumentException("OpenAI Realtime has no resumption");
            }
        } finally {
            lock.unlock();
        }
    }

    private void unstall() {
        lock.lock();
        try {
            if (!stalled) {
                return;
            }
            stalled = false;
            stallTimer = null;
            wire.resumeOutput();
            while (!stallBuffer.isEmpty() && !stalled && !closed) {
                Object o = stallBuffer.poll();
                if (o instanceof String s) {
                    events2.onText(s);
                } else {
                    events2.onBinary();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- inspection ----

    EmulatorSession snapshot() {
        lock.lock();
        try {
            return new EmulatorSession(id, settings == null ? null : settings.id, settings == null ? null : settings.model,
                    "openai-realtime", !closed, conversation.userTurns(), conversation.conversation(), received.toArray());
        } finally {
            lock.unlock();
        }
    }

    Session session() {
        return settings.toSession();
    }

    @Override
    public String toString() {
        return "RealtimeConnection[" + id + "]";
    }

}
