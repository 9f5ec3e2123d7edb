package dev.habla.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * One OpenAI Realtime connection: the Live commands ({@link ClientMessage}) as GA client events, the server events as
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
    private static final Base64.Decoder B64D = Base64.getDecoder();

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
    private final Set<String> transcribedWithDeltas = new HashSet<>();
    // the latest assistant audio item
    private String audioItem;
    private long audioBytes;
    private long playedMs = -1;
    private boolean audioCut;
    private boolean truncated;

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
        return List.of(OpenAiSessionUpdate.of(session));
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
                case ClientMessage.ContextUpdate u -> List.of(OpenAiSessionUpdate.contextUpdate(u));
            };
        } finally {
            lock.unlock();
        }
    }

    private List<String> clientContent(ClientMessage.ClientContent c) {
        List<Content> turns = c.turns() == null ? List.of() : c.turns();
        if (turns.isEmpty() && !c.turnComplete()) {
            // LiveSession.interrupt(): stop the running answer; with nothing running the service would answer an error.
            return responseRunning ? List.of(type("response.cancel")) : List.of();
        }
        List<String> out = new ArrayList<>(turns.size() + 1);
        for (Content turn : turns) {
            out.add(item(turn));
        }
        if (c.turnComplete()) {
            out.add(type("response.create"));
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
                out.addAll(b.mimeType() != null && b.mimeType().startsWith("image/")
                        ? List.of(imageItem(b)) : List.of(append(b)));
            }
            return out;
        }
        if (r.video() != null) {
            return List.of(imageItem(r.video()));
        }
        if (r.text() != null) {
            return List.of(item(Content.text("user", r.text())), type("response.create"));
        }
        if (r.activityStart() != null) {
            // Manual turns: a new user turn starts; like Gemini's activityStart it cuts a running answer.
            return responseRunning ? List.of(type("response.cancel"), type("input_audio_buffer.clear"))
                    : List.of(type("input_audio_buffer.clear"));
        }
        if (r.activityEnd() != null) {
            return List.of(type("input_audio_buffer.commit"), type("response.create"));
        }
        if (Boolean.TRUE.equals(r.audioStreamEnd())) {
            // Gemini's audioStreamEnd flushes a turn the server VAD has open; here: commit it and ask for the answer.
            if (speechActive) {
                speechActive = false;
                return List.of(type("input_audio_buffer.commit"), type("response.create"));
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
            ObjectNode item = JSON.createObjectNode().put("type", "function_call_output").put("call_id", r.id())
                    .put("output", r.response() == null ? "{}" : r.response().isTextual() ? r.response().asText()
                            : r.response().toString());
            ObjectNode frame = JSON.createObjectNode().put("type", "conversation.item.create");
            frame.set("item", item);
            out.add(frame.toString());
        }
        if (!out.isEmpty() && outstandingCalls.isEmpty()) {
            out.add(type("response.create")); // OpenAI goes on only when asked (Gemini: by itself)
        }
        return out;
    }

    /** A message item: user text/images, or model (assistant) text. */
    private static String item(Content turn) {
        boolean model = "model".equals(turn.role()) || "assistant".equals(turn.role());
        ObjectNode item = JSON.createObjectNode().put("type", "message").put("role", model ? "assistant" : "user");
        ArrayNode content = item.putArray("content");
        for (Part p : turn.parts() == null ? List.<Part>of() : turn.parts()) {
            if (p.text() != null) {
                content.addObject().put("type", model ? "output_text" : "input_text").put("text", p.text());
            } else if (p.inlineData() != null && p.inlineData().mimeType() != null
                    && p.inlineData().mimeType().startsWith("image/") && !model) {
                content.addObject().put("type", "input_image").put("image_url", dataUrl(p.inlineData()));
            } else {
                throw new IllegalArgumentException("OpenAI Realtime items take text (and user images); cannot send "
                        + (p.inlineData() != null ? p.inlineData().mimeType() : "this part"));
            }
        }
        ObjectNode frame = JSON.createObjectNode().put("type", "conversation.item.create");
        frame.set("item", item);
        return frame.toString();
    }

    private static String imageItem(Blob image) {
        ObjectNode item = JSON.createObjectNode().put("type", "message").put("role", "user");
        item.putArray("content").addObject().put("type", "input_image").put("image_url", dataUrl(image));
        ObjectNode frame = JSON.createObjectNode().put("type", "conversation.item.create");
        frame.set("item", item);
        return frame.toString();
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
        return "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + B64.encodeToString(pcm) + "\"}";
    }

    private static String type(String type) {
        return "{\"type\":\"" + type + "\"}";
    }

    // ---- decoding --------------------------------------------------------------------------------------------

    @Override
    public List<LiveEvent> decode(Transport.InboundFrame frame) {
        JsonNode n;
        try {
            n = JSON.readTree(frame.asString());
        } catch (Exception e) {
            throw new IllegalArgumentException("not a JSON event: " + e.getMessage(), e);
        }
        String type = n.path("type").asText("");
        lock.lock();
        try {
            return switch (type) {
                case "session.created" -> {
                    sessionId = n.path("session").path("id").asText(null);
                    yield List.of();
                }
                case "session.updated" -> {
                    if (setupDone) {
                        yield List.of();
                    }
                    setupDone = true;
                    yield List.of(new LiveEvent.SetupCompleted(
                            sessionId != null ? sessionId : n.path("session").path("id").asText(null)));
                }
                case "error" -> error(n.path("error"));
                case "input_audio_buffer.speech_started" -> speechStarted(n);
                case "input_audio_buffer.speech_stopped" -> {
                    speechActive = false;
                    yield List.of(new LiveEvent.VoiceActivity(VoiceActivityType.ACTIVITY_END, ms(n, "audio_end_ms")));
                }
                case "conversation.item.input_audio_transcription.delta" -> {
                    transcribedWithDeltas.add(n.path("item_id").asText());
                    yield List.of(new LiveEvent.InputTranscription(n.path("delta").asText(""), false));
                }
                case "conversation.item.input_audio_transcription.completed" -> {
                    boolean hadDeltas = transcribedWithDeltas.remove(n.path("item_id").asText());
                    yield List.of(new LiveEvent.InputTranscription(hadDeltas ? "" : n.path("transcript").asText(""), true));
                }
                case "response.created" -> {
                    responseRunning = true;
                    responseCut = false;
                    responseCalls.clear();
                    yield List.of();
                }
                case "response.output_text.delta" -> responseCut ? List.of()
                        : List.of(new LiveEvent.TextDelta(n.path("delta").asText(""), false));
                case "response.output_audio_transcript.delta" -> responseCut ? List.of()
                        : List.of(new LiveEvent.OutputTranscription(n.path("delta").asText(""), false));
                case "response.output_audio.delta" -> audioDelta(n);
                case "response.output_item.done" -> {
                    JsonNode item = n.path("item");
                    if ("function_call".equals(item.path("type").asText()) && !responseCut) {
                        responseCalls.add(new FunctionCall(item.path("call_id").asText(), item.path("name").asText(),
                                arguments(item.path("arguments").asText(""))));
                    }
                    yield List.of();
                }
                case "response.done" -> responseDone(n.path("response"));
                default -> List.of(); // item bookkeeping, rate limits, transcript/part .done events: nothing to report
            };
        } finally {
            lock.unlock();
        }
    }

    private List<LiveEvent> error(JsonNode e) {
        String code = e.path("code").isTextual() ? e.path("code").asText() : null;
        String type = e.path("type").asText("");
        String message = e.path("message").asText("");
        lastErrorMessage = message;
        LiveException error = new LiveException(OpenAiProvider.kindOf(type, code, message),
                "OpenAI error " + (code == null ? type : code) + ": " + message
                        + (e.path("param").isTextual() ? " (param " + e.path("param").asText() + ")" : ""));
        if (!setupDone) {
            throw new Refused(error);
        }
        return List.of(new LiveEvent.ServiceError(error));
    }

    private List<LiveEvent> speechStarted(JsonNode n) {
        speechActive = true;
        List<LiveEvent> out = new ArrayList<>(3);
        out.add(new LiveEvent.VoiceActivity(VoiceActivityType.ACTIVITY_START, ms(n, "audio_start_ms")));
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
        if (!outstandingCalls.isEmpty()) {
            cancelledCalls.addAll(outstandingCalls);
            out.add(new LiveEvent.ToolCallCancelled(List.copyOf(outstandingCalls)));
            outstandingCalls.clear();
        }
        return out;
    }

    private List<LiveEvent> audioDelta(JsonNode n) {
        if (responseCut) {
            return List.of();
        }
        String item = n.path("item_id").asText("");
        if (!item.equals(audioItem)) {
            audioItem = item;
            audioBytes = 0;
            playedMs = -1;
            audioCut = false;
            truncated = false;
        }
        byte[] pcm = B64D.decode(n.path("delta").asText(""));
        audioBytes += pcm.length;
        return List.of(new LiveEvent.AudioChunk(pcm, OpenAiProvider.RATE));
    }

    private List<LiveEvent> responseDone(JsonNode r) {
        responseRunning = false;
        String status = r.path("status").asText("completed");
        UsageMetadata usage = usage(r.path("usage"));
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
            JsonNode err = r.path("status_details").path("error");
            out.add(new LiveEvent.ServiceError(new LiveException(
                    OpenAiProvider.kindOf(err.path("type").asText(""), err.path("code").asText(null), err.path("message").asText("")),
                    "OpenAI response failed: " + err.path("message").asText(status))));
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

    private static Duration ms(JsonNode n, String field) {
        return n.path(field).isNumber() ? Duration.ofMillis(n.path(field).asLong()) : null;
    }

    private static UsageMetadata usage(JsonNode u) {
        if (u == null || !u.isObject()) {
            return null;
        }
        int in = u.path("input_tokens").asInt();
        int out = u.path("output_tokens").asInt();
        int cached = u.path("input_token_details").path("cached_tokens").asInt();
        int total = u.path("total_tokens").asInt(in + out);
        return new UsageMetadata(in, cached, out, 0, 0, total, null, null, null, null);
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
            return truncateIfDue();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> pendingFrames() {
        lock.lock();
        try {
            return truncateIfDue();
        } finally {
            lock.unlock();
        }
    }

    /** Caller holds the lock. Once the cut answer's response is over and a played position is known. */
    private List<String> truncateIfDue() {
        if (!audioCut || truncated || responseRunning || playedMs < 0 || audioItem == null) {
            return List.of();
        }
        truncated = true;
        long end = Math.min(playedMs, audioMs());
        if (end >= audioMs()) {
            return List.of(); // everything was heard: the history is right as it is
        }
        return List.of(JSON.createObjectNode().put("type", "conversation.item.truncate").put("item_id", audioItem)
                .put("content_index", 0).put("audio_end_ms", end).toString());
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
