package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.ServerMessage.VoiceActivityType;
import dev.habla.protocol.UsageMetadata;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.ErrorDetail;
import dev.habla.realtime.Item;
import dev.habla.realtime.RealtimeCodec;
import dev.habla.realtime.Response;
import dev.habla.realtime.ServerEvent;
import dev.habla.realtime.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One OpenAI Realtime connection: the Live commands ({@link ClientMessage}) as GA client events (habla-realtime-protocol's
 * records and {@link RealtimeCodec}), the server events as
 * {@link LiveEvent}s (the same ones Gemini's produce), and the state that needs: the running response, the assistant
 * audio item and how much of it was played (for {@code conversation.item.truncate}), tool calls awaiting outputs.
 *
 * <p>Mapping (openai-realtime.md §6, §7, §10):
 * <ul>
 *   <li>{@code session.updated} answering the opening {@code session.update} → {@link LiveEvent.SetupCompleted}; an
 *       {@code error} before it → {@link ProviderConnection.Refused} (the connect fails with its typed error);
 *       an {@code error} after it → {@link LiveEvent.ServiceError} (the service keeps the session open)
 *   <li>{@code response.output_text.delta} → TextDelta; {@code response.output_audio.delta} → AudioChunk (24 kHz);
 *       {@code response.output_audio_transcript.delta} → OutputTranscription; input transcription → InputTranscription
 *   <li>{@code speech_started}/{@code speech_stopped} → VoiceActivity; {@code speech_started} while a response runs or
 *       its audio is still playing → Interrupted (the rest of that response is dropped), outstanding tool calls →
 *       ToolCallCancelled
 *   <li>function-call items of a completed response → one ToolCallRequested (arguments parsed) at its
 *       {@code response.done}, which then is not a turn end (the model goes on after the outputs, as on Gemini)
 *   <li>{@code response.done} → GenerationComplete (completed) or Interrupted (cancelled), then TurnComplete with usage
 * </ul>
 * Barge-in truncation: once an answer was cut (by the service or by the user's speech while it still played) and
 * the response is over, the played position ({@link #playback}) goes out as {@code conversation.item.truncate}, once,
 * so the service's history holds what the user heard ({@link OpenAiPlayback} decides when). Stateless pieces
 * (items, appends, arguments, usage) are {@link OpenAiItems}'.
 *
 * <p>Threads: {@link #decode} and {@link #pendingFrames} on the dispatcher, {@link #encode} on callers (serialised by
 * the session's encode lock), {@link #playback} on the voice loop's speaker thread or the dispatcher. {@link #lock}
 * guards every mutable field.
 */
final class OpenAiConnection implements ProviderConnection {

    private final OpenAiProvider provider;
    private final ClientConfig client;
    private final SessionConfig session;
    private final ReentrantLock lock = new ReentrantLock();

    // ---- guarded by lock ----
    private boolean setupDone;
    private String sessionId;
    private String lastErrorMessage;
    private boolean responseRunning;
    /** Interrupted was emitted for the current response: its remaining output is dropped. */
    private boolean responseCut;
    private final List<FunctionCall> responseCalls = new ArrayList<>();
    /** Calls handed to the listener whose outputs were not sent yet; response.create waits for all of them. */
    private final Set<String> outstandingCalls = new LinkedHashSet<>();
    /** Calls cancelled by barge-in: their late outputs are dropped. */
    private final Set<String> cancelledCalls = new HashSet<>();
    private boolean speechActive;
    /** A typed turn went out while tool calls awaited outputs: report their cancellation with the next frame. */
    private boolean cancelOnNextFrame;
    /** Cancels we sent that the service may find nothing to cancel for (the answer ended as we sent it). */
    private int cancelsSent;
    /** Our response.create met a response still running (its done was in flight): ask again after that one. */
    private boolean respondAfterDone;
    private final Set<String> transcribedWithDeltas = new HashSet<>();
    /** The latest assistant audio item and its truncation. */
    private final OpenAiPlayback playback = new OpenAiPlayback();
    /** Frames decoded so far, and the last one after which the conversation had moved on. */
    private long frames;
    private long movedOnAt;

    OpenAiConnection(OpenAiProvider provider, ClientConfig client, SessionConfig session) {
        this.provider = provider;
        this.client = client;
        this.session = session;
    }

    @Override
    public Transport.ConnectRequest connectRequest() throws LiveException {
        return provider.connectRequest(client, session);
    }

    @Override
    public List<String> openingFrames() {
        return List.of(RealtimeCodec.encode(OpenAiSessionUpdate.of(session)));
    }

    /** The initial history (or a re-seed) as conversation items, without a response. */
    @Override
    public List<String> afterSetupFrames() {
        List<String> out = new ArrayList<>();
        for (Content turn : session.initialHistory()) {
            out.add(OpenAiItems.item(turn));
        }
        return out;
    }

    // ---- encoding --------------------------------------------------------------------------------------------

    @Override
    public List<String> encode(ClientMessage message) {
        lock.lock();
        try {
            return switch (message) {
                case ClientMessage.Setup s -> throw new IllegalArgumentException("a connection has exactly one setup");
                case ClientMessage.ClientContent c -> clientContent(c);
                case ClientMessage.RealtimeInput r -> realtimeInput(r);
                case ClientMessage.Raw r -> realtimeInput(r.message()); // another wire: the Live text is of no use
                case ClientMessage.ToolResponse t -> toolResponse(t);
                case ClientMessage.ContextUpdate u -> List.of(RealtimeCodec.encode(OpenAiSessionUpdate.contextUpdate(u)));
            };
        } finally {
            lock.unlock();
        }
    }

    private List<String> clientContent(ClientMessage.ClientContent c) {
        List<Content> turns = c.turns() == null ? List.of() : c.turns();
        if (turns.isEmpty() && !c.turnComplete()) {
            // LiveSession.interrupt(): stop the running answer; with nothing running the service would answer an error.
            return responseRunning ? List.of(cancel()) : List.of();
        }
        List<String> out = new ArrayList<>(turns.size() + 2);
        if (c.turnComplete() && !outstandingCalls.isEmpty()) {
            cancelOnNextFrame = true;
        }
        if (c.turnComplete() && responseRunning) {
            // As on Gemini, a new turn cuts the answer in progress (OpenAI would refuse a second response).
            out.add(cancel());
        }
        for (Content turn : turns) {
            out.add(OpenAiItems.item(turn));
        }
        if (c.turnComplete()) {
            out.add(OpenAiItems.RESPOND);
        }
        return out;
    }

    private List<String> realtimeInput(ClientMessage.RealtimeInput r) {
        if (r.audio() != null) {
            return List.of(OpenAiItems.append(r.audio()));
        }
        if (r.mediaChunks() != null && !r.mediaChunks().isEmpty()) {
            List<String> out = new ArrayList<>();
            for (Blob b : r.mediaChunks()) {
                out.add(b.mimeType() != null && b.mimeType().startsWith("image/") ? OpenAiItems.imageItem(b) : OpenAiItems.append(b));
            }
            return out;
        }
        if (r.video() != null) {
            return List.of(OpenAiItems.imageItem(r.video()));
        }
        if (r.text() != null) {
            cancelOnNextFrame |= !outstandingCalls.isEmpty();
            return responseRunning ? List.of(cancel(), OpenAiItems.item(Content.text("user", r.text())), OpenAiItems.RESPOND)
                    : List.of(OpenAiItems.item(Content.text("user", r.text())), OpenAiItems.RESPOND);
        }
        if (r.activityStart() != null) {
            // Manual turns: a new user turn starts; like Gemini's activityStart it cuts a running answer.
            return responseRunning ? List.of(cancel(), OpenAiItems.CLEAR) : List.of(OpenAiItems.CLEAR);
        }
        if (r.activityEnd() != null) {
            return List.of(OpenAiItems.COMMIT, OpenAiItems.RESPOND);
        }
        if (Boolean.TRUE.equals(r.audioStreamEnd())) {
            // Gemini's audioStreamEnd flushes a turn the server VAD has open; here: commit it and ask for the answer.
            if (speechActive) {
                speechActive = false;
                return List.of(OpenAiItems.COMMIT, OpenAiItems.RESPOND);
            }
            return List.of();
        }
        throw new IllegalArgumentException("empty realtimeInput");
    }

    private List<String> toolResponse(ClientMessage.ToolResponse t) {
        List<String> out = new ArrayList<>();
        for (FunctionResponse r : t.functionResponses() == null ? List.<FunctionResponse>of() : t.functionResponses()) {
            if (r.id() == null || r.id().isBlank()) {
                throw new IllegalArgumentException("OpenAI needs the call_id of every function output; response for "
                        + r.name() + " has no id");
            }
            if (cancelledCalls.remove(r.id())) {
                continue; // the user interrupted; the service's response is gone
            }
            outstandingCalls.remove(r.id());
            String output = r.response() == null ? "{}"
                    : r.response().isTextual() ? r.response().asText() : r.response().toString();
            out.add(RealtimeCodec.encode(new ClientEvent.ConversationItemCreate(null, null,
                    Item.FunctionCallOutput.of(r.id(), output))));
        }
        if (!out.isEmpty() && outstandingCalls.isEmpty()) {
            out.add(OpenAiItems.RESPOND); // OpenAI goes on only when asked (Gemini: by itself)
        }
        return out;
    }

    /** Caller holds the lock. */
    private String cancel() {
        cancelsSent++;
        return OpenAiItems.CANCEL;
    }

    // ---- decoding --------------------------------------------------------------------------------------------

    @Override
    public List<LiveEvent> decode(Transport.InboundFrame frame) {
        ServerEvent event = RealtimeCodec.decodeServer(frame.asString());
        lock.lock();
        try {
            frames++;
            // Frames that mean the conversation moved on (the user stopped speaking, a turn was added, a new answer
            // starts): the latest point for a cut answer's truncation when the player sent no final report.
            boolean movedOn = event instanceof ServerEvent.SpeechStopped || event instanceof ServerEvent.InputAudioBufferCommitted
                    || event instanceof ServerEvent.ConversationItemAdded || event instanceof ServerEvent.ResponseCreated;
            if (movedOn) {
                movedOnAt = frames;
            }
            List<LiveEvent> events = switch (event) {
                case ServerEvent.SessionCreated e -> {
                    sessionId = e.session() == null ? null : e.session().id();
                    yield List.of();
                }
                case ServerEvent.SessionUpdated e -> {
                    if (setupDone) {
                        yield List.of();
                    }
                    setupDone = true;
                    yield List.of(new LiveEvent.SetupCompleted(
                            sessionId != null ? sessionId : e.session() == null ? null : e.session().id()));
                }
                case ServerEvent.ErrorEvent e -> error(e.error());
                case ServerEvent.SpeechStarted e -> speechStarted(e.audioStartMs());
                case ServerEvent.SpeechStopped e -> {
                    speechActive = false;
                    yield List.of(new LiveEvent.VoiceActivity(VoiceActivityType.ACTIVITY_END,
                            Duration.ofMillis(e.audioEndMs())));
                }
                case ServerEvent.InputAudioTranscriptionDelta e -> {
                    transcribedWithDeltas.add(e.itemId());
                    yield List.of(new LiveEvent.InputTranscription(nz(e.delta()), false));
                }
                case ServerEvent.InputAudioTranscriptionCompleted e -> {
                    boolean hadDeltas = transcribedWithDeltas.remove(e.itemId());
                    yield List.of(new LiveEvent.InputTranscription(hadDeltas ? "" : nz(e.transcript()), true));
                }
                case ServerEvent.ResponseCreated e -> {
                    responseRunning = true;
                    responseCut = false;
                    responseCalls.clear();
                    yield List.of();
                }
                case ServerEvent.ResponseOutputTextDelta e -> responseCut ? List.of()
                        : List.of(new LiveEvent.TextDelta(nz(e.delta()), false));
                case ServerEvent.ResponseOutputAudioTranscriptDelta e -> responseCut ? List.of()
                        : List.of(new LiveEvent.OutputTranscription(nz(e.delta()), false));
                case ServerEvent.ResponseOutputAudioDelta e -> audioDelta(e.itemId(), e.delta());
                case ServerEvent.ResponseOutputItemDone e -> {
                    if (e.item() instanceof Item.FunctionCall f && !responseCut) {
                        responseCalls.add(new FunctionCall(f.callId(), f.name(), OpenAiItems.arguments(nz(f.arguments()))));
                    }
                    yield List.of();
                }
                case ServerEvent.ResponseDone e -> responseDone(e.response());
                // Item bookkeeping, content parts, .done events, rate limits, unknown events: nothing to report.
                default -> List.of();
            };
            if (cancelOnNextFrame) {
                cancelOnNextFrame = false;
                List<LiveEvent> out = new ArrayList<>();
                cancelOutstanding(out, false);
                out.addAll(events);
                return out;
            }
            return events;
        } finally {
            lock.unlock();
        }
    }

    private List<LiveEvent> error(ErrorDetail e) {
        String code = e == null ? null : e.code();
        if (setupDone && "response_cancel_not_active".equals(code) && cancelsSent > 0) {
            cancelsSent--;
            return List.of(); // the answer we cut had ended already: nothing was lost
        }
        if (setupDone && "conversation_already_has_active_response".equals(code)) {
            respondAfterDone = true; // its response.done was in flight; the turn is answered after it
            return List.of();
        }
        String type = e == null || e.type() == null ? "" : e.type();
        String message = e == null || e.message() == null ? "" : e.message();
        lastErrorMessage = message;
        LiveException error = new LiveException(OpenAiProvider.kindOf(type, code, message),
                "OpenAI error " + (code == null ? type : code) + ": " + message
                        + (e != null && e.param() != null ? " (param " + e.param() + ")" : ""));
        if (!setupDone) {
            throw new Refused(error);
        }
        return List.of(new LiveEvent.ServiceError(error));
    }

    private List<LiveEvent> speechStarted(long audioStartMs) {
        speechActive = true;
        List<LiveEvent> out = new ArrayList<>(3);
        out.add(new LiveEvent.VoiceActivity(VoiceActivityType.ACTIVITY_START, Duration.ofMillis(audioStartMs)));
        if (responseRunning && !responseCut) {
            responseCut = true;
            playback.cut();
            out.add(new LiveEvent.Interrupted());
        } else if (!responseRunning && playback.stillPlaying()) {
            // The answer was generated faster than it plays: the user talks over what is still playing.
            playback.cut();
            out.add(new LiveEvent.Interrupted());
        }
        cancelOutstanding(out, out.stream().anyMatch(e -> e instanceof LiveEvent.Interrupted));
        return out;
    }

    /**
     * Caller holds the lock. The user moved on (spoke, or typed a new turn) while tool calls awaited their outputs:
     * as Gemini does on barge-in, the calls are cancelled ({@code ToolCallCancelled}; their late outputs are dropped)
     * and the turn that asked for them ends ({@code Interrupted}, {@code TurnComplete}), since no response.create
     * will continue it.
     */
    private void cancelOutstanding(List<LiveEvent> out, boolean interruptedAlready) {
        if (outstandingCalls.isEmpty()) {
            return;
        }
        cancelledCalls.addAll(outstandingCalls);
        out.add(new LiveEvent.ToolCallCancelled(List.copyOf(outstandingCalls)));
        outstandingCalls.clear();
        if (!interruptedAlready) {
            out.add(new LiveEvent.Interrupted());
        }
        out.add(new LiveEvent.TurnComplete(null, null));
    }

    private List<LiveEvent> audioDelta(String item, byte[] pcm) {
        if (responseCut) {
            return List.of();
        }
        playback.audio(item, pcm.length);
        return List.of(new LiveEvent.AudioChunk(pcm, OpenAiProvider.RATE));
    }

    private List<LiveEvent> responseDone(Response r) {
        responseRunning = false;
        if (cancelsSent > 0 && r != null && r.statusDetails() != null
                && "client_cancelled".equals(r.statusDetails().reason())) {
            cancelsSent--;
        }
        String status = r == null || r.status() == null ? "completed" : r.status();
        UsageMetadata usage = r == null ? null : OpenAiItems.usage(r.usage());
        List<LiveEvent> out = new ArrayList<>(3);
        if ("completed".equals(status) && !responseCalls.isEmpty() && !responseCut) {
            // A tool round trip: the model's turn goes on after the outputs (one answer, as on Gemini).
            responseCalls.forEach(c -> outstandingCalls.add(c.id()));
            out.add(new LiveEvent.ToolCallRequested(List.copyOf(responseCalls)));
            responseCalls.clear();
            if (usage != null) {
                out.add(new LiveEvent.Usage(usage));
            }
            return out;
        }
        responseCalls.clear();
        if ("cancelled".equals(status) || responseCut) {
            if (!responseCut) {
                out.add(new LiveEvent.Interrupted());
            }
            responseCut = true;
            playback.cut();
        } else if ("failed".equals(status)) {
            ErrorDetail err = r.statusDetails() == null ? null : r.statusDetails().error();
            String message = err == null || err.message() == null ? status : err.message();
            out.add(new LiveEvent.ServiceError(new LiveException(
                    OpenAiProvider.kindOf(err == null ? "" : err.type(), err == null ? null : err.code(), message),
                    "OpenAI response failed: " + message)));
        } else {
            out.add(new LiveEvent.GenerationComplete());
        }
        out.add(new LiveEvent.TurnComplete(usage, null));
        return out;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    // ---- playback and truncation -----------------------------------------------------------------------------

    @Override
    public List<String> playback(Duration played) {
        lock.lock();
        try {
            return playback.report(played.toMillis()) ? playback.truncateIfDue(true, responseRunning, frames, movedOnAt) : List.of();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> pendingFrames() {
        lock.lock();
        try {
            if (respondAfterDone && !responseRunning) {
                respondAfterDone = false;
                List<String> out = new ArrayList<>(playback.truncateIfDue(false, responseRunning, frames, movedOnAt));
                out.add(OpenAiItems.RESPOND);
                return out;
            }
            return playback.truncateIfDue(false, responseRunning, frames, movedOnAt);
        } finally {
            lock.unlock();
        }
    }

    // ---- errors ----------------------------------------------------------------------------------------------

    @Override
    public LiveException mapClose(int code, String reason) {
        String last;
        lock.lock();
        try {
            last = lastErrorMessage;
        } finally {
            lock.unlock();
        }
        return provider.mapClose(code, reason, last);
    }

    @Override
    public LiveException mapConnectFailure(Throwable error) {
        return provider.mapConnectFailure(error);
    }
}
