package dev.habla.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerMessage.VoiceActivityType;
import dev.habla.protocol.UsageMetadata;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.ContentPart;
import dev.habla.realtime.ErrorDetail;
import dev.habla.realtime.Item;
import dev.habla.realtime.RealtimeCodec;
import dev.habla.realtime.Response;
import dev.habla.realtime.ServerEvent;
import dev.habla.realtime.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
 * so the service's history holds what the user heard.
 *
 * <p>Threads: {@link #decode} and {@link #pendingFrames} on the dispatcher, {@link #encode} on callers (serialised by
 * the session's encode lock), {@link #playback} on the voice loop's speaker thread or the dispatcher. {@link #lock}
 * guards every mutable field.
 */
final class OpenAiConnection implements ProviderConnection {
    private static final ObjectMapper JSON = OpenAiSessionUpdate.JSON;
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final String RESPOND = RealtimeCodec.encode(new ClientEvent.ResponseCreate(null, null));
    private static final String CANCEL = RealtimeCodec.encode(new ClientEvent.ResponseCancel(null, null));
    private static final String COMMIT = RealtimeCodec.encode(new ClientEvent.InputAudioBufferCommit(null));
    private static final String CLEAR = RealtimeCodec.encode(new ClientEvent.InputAudioBufferClear(null));

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
    // the latest assistant audio item
    private String audioItem;
    private long audioBytes;
    private long playedMs = -1;
    private boolean audioCut;
    private boolean truncated;
    /** Frames decoded so far, and the one at which the cut answer became ready to truncate (-1: not yet). */
    private long frames;
    private long dueAtFrame = -1;

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
            out.add(item(turn));
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
            out.add(item(turn));
        }
        if (c.turnComplete()) {
            out.add(RESPOND);
        }
        return out;
    }

    private List<String> realtimeInput(ClientMessage.RealtimeInput r) {
        if (r.audio() != null) {
            return List.of(append(r.audio()));
        }
        if (r.mediaChunks() != null && !r.mediaChunks().isEmpty()) {
            List<String> out = new ArrayList<>();
            for (Blob b : r.mediaChunks()) {
                out.add(b.mimeType() != null && b.mimeType().startsWith("image/") ? imageItem(b) : append(b));
            }
            return out;
        }
        if (r.video() != null) {
            return List.of(imageItem(r.video()));
        }
        if (r.text() != null) {
            cancelOnNextFrame |= !outstandingCalls.isEmpty();
            return responseRunning ? List.of(cancel(), item(Content.text("user", r.text())), RESPOND)
                    : List.of(item(Content.text("user", r.text())), RESPOND);
        }
        if (r.activityStart() != null) {
            // Manual turns: a new user turn starts; like Gemini's activityStart it cuts a running answer.
            return responseRunning ? List.of(cancel(), CLEAR) : List.of(CLEAR);
        }
        if (r.activityEnd() != null) {
            return List.of(COMMIT, RESPOND);
        }
        if (Boolean.TRUE.equals(r.audioStreamEnd())) {
            // Gemini's audioStreamEnd flushes a turn the server VAD has open; here: commit it and ask for the answer.
            if (speechActive) {
                speechActive = false;
                return List.of(COMMIT, RESPOND);
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
            out.add(RESPOND); // OpenAI goes on only when asked (Gemini: by itself)
        }
        return out;
    }

    /** Caller holds the lock. */
    private String cancel() {
        cancelsSent++;
        return CANCEL;
    }

    /** A message item: user text/images, or model (assistant) text. */
    private static String item(Content turn) {
        boolean model = "model".equals(turn.role()) || "assistant".equals(turn.role());
        List<ContentPart> content = new ArrayList<>();
        for (Part p : turn.parts() == null ? List.<Part>of() : turn.parts()) {
            if (p.text() != null) {
                content.add(model ? ContentPart.outputText(p.text()) : ContentPart.inputText(p.text()));
            } else if (p.inlineData() != null && p.inlineData().mimeType() != null
                    && p.inlineData().mimeType().startsWith("image/") && !model) {
                content.add(ContentPart.inputImage(dataUrl(p.inlineData())));
            } else {
                throw new IllegalArgumentException("OpenAI Realtime items take text (and user images); cannot send "
                        + (p.inlineData() != null ? p.inlineData().mimeType() : "this part"));
            }
        }
        return RealtimeCodec.encode(new ClientEvent.ConversationItemCreate(null, null,
                new Item.Message(null, null, model ? "assistant" : "user", content)));
    }

    private static String imageItem(Blob image) {
        return RealtimeCodec.encode(new ClientEvent.ConversationItemCreate(null, null,
                new Item.Message(null, null, "user", List.of(ContentPart.inputImage(dataUrl(image))))));
    }

    private static String dataUrl(Blob b) {
        return "data:" + b.mimeType() + ";base64," + B64.encodeToString(b.data() == null ? new byte[0] : b.data());
    }

    /** {@code input_audio_buffer.append}; PCM at another rate is resampled to the service's 24 kHz. */
    private static String append(Blob audio) {
        String mime = audio.mimeType() == null ? "" : audio.mimeType().toLowerCase(Locale.ROOT);
        if (!mime.startsWith("audio/pcm") && !mime.startsWith("audio/l16")) {
            throw new IllegalArgumentException("OpenAI Realtime takes PCM16 audio, not " + audio.mimeType());
        }
        int rate = Blob.sampleRate(mime, 16_000);
        byte[] pcm = audio.data() == null ? new byte[0] : audio.data();
        if (rate != OpenAiProvider.RATE) {
            pcm = Pcm.resample(pcm, rate, OpenAiProvider.RATE);
        }
        return RealtimeCodec.encode(new ClientEvent.InputAudioBufferAppend(pcm));
    }

    // ---- decoding --------------------------------------------------------------------------------------------

    @Override
    public List<LiveEvent> decode(Transport.InboundFrame frame) {
        ServerEvent event = RealtimeCodec.decodeServer(frame.asString());
        lock.lock();
        try {
            frames++;
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
                        responseCalls.add(new FunctionCall(f.callId(), f.name(), arguments(nz(f.arguments()))));
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
        boolean stillPlaying = audioItem != null && !truncated && playedMs >= 0 && playedMs < audioMs();
        if (responseRunning && !responseCut) {
            responseCut = true;
            audioCut = audioItem != null;
            out.add(new LiveEvent.Interrupted());
        } else if (!responseRunning && stillPlaying && !audioCut) {
            // The answer was generated faster than it plays: the user talks over what is still playing.
            audioCut = true;
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
        if (!item.equals(audioItem)) {
            audioItem = item;
            audioBytes = 0;
            playedMs = -1;
            audioCut = false;
            truncated = false;
            dueAtFrame = -1;
        }
        audioBytes += pcm.length;
        return List.of(new LiveEvent.AudioChunk(pcm, OpenAiProvider.RATE));
    }

    private List<LiveEvent> responseDone(Response r) {
        responseRunning = false;
        if (cancelsSent > 0 && r != null && r.statusDetails() != null
                && "client_cancelled".equals(r.statusDetails().reason())) {
            cancelsSent--;
        }
        String status = r == null || r.status() == null ? "completed" : r.status();
        UsageMetadata usage = r == null ? null : usage(r.usage());
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
            audioCut = audioItem != null;
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

    /**
     * The call's {@code arguments} JSON string parsed; an empty string is an empty object. Text that is not JSON is
     * passed on as a string node, so the tool runner answers the model with its own argument error.
     */
    private static JsonNode arguments(String json) {
        if (json.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }

    private long audioMs() {
        return audioBytes / 2 * 1000 / OpenAiProvider.RATE;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static UsageMetadata usage(Usage u) {
        if (u == null) {
            return null;
        }
        int cached = u.inputTokenDetails() == null ? 0 : u.inputTokenDetails().path("cached_tokens").asInt();
        return new UsageMetadata((int) u.inputTokens(), cached, (int) u.outputTokens(), 0, 0, (int) u.totalTokens(),
                null, null, null, null);
    }

    // ---- playback and truncation -----------------------------------------------------------------------------

    @Override
    public List<String> playback(Duration played) {
        lock.lock();
        try {
            if (audioItem == null || truncated) {
                return List.of();
            }
            playedMs = played.toMillis();
            return truncateIfDue(true);
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
                List<String> out = new ArrayList<>(truncateIfDue(false));
                out.add(RESPOND);
                return out;
            }
            return truncateIfDue(false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Caller holds the lock. Once the cut answer's response is over and a played position is known: at the first
     * playback report after that (the player's final position: it stops on {@code Interrupted}), or, if none comes (the
     * player had stopped already, on its own VAD), after the next frame with the last position reported. Not after the
     * very frame that made it due: a listener behind an asynchronous hand-off (a resilient session, a voice loop) may
     * not have reported its final position yet.
     */
    private List<String> truncateIfDue(boolean report) {
        if (!audioCut || truncated || responseRunning || audioItem == null) {
            return List.of();
        }
        if (dueAtFrame < 0) {
            dueAtFrame = frames;
        }
        if (playedMs < 0 || !report && frames <= dueAtFrame) {
            return List.of();
        }
        truncated = true;
        long end = Math.min(playedMs, audioMs());
        if (end >= audioMs()) {
            return List.of(); // everything was heard: the history is right as it is
        }
        return List.of(RealtimeCodec.encode(new ClientEvent.ConversationItemTruncate(null, audioItem, 0, end)));
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
