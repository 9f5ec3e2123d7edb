package dev.habla.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.emulator.Reply;
import dev.habla.emulator.TurnInput;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.RealtimeInputConfig;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.ClientEvent.*;
import dev.habla.realtime.ContentPart;
import dev.habla.realtime.Item;
import dev.habla.realtime.RealtimeCodec;
import dev.habla.realtime.RealtimeProtocolException;
import dev.habla.realtime.ServerEvent;
import dev.habla.realtime.TurnDetection;
import dev.habla.realtime.Usage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Locale;

/**
 * The client events of one OpenAI Realtime session, as the service answers them: session updates, the input audio
 * buffer with server VAD (speech start/stop, commit, barge-in), conversation item edits, responses. Anything it cannot
 * take is answered with an in-band {@code error} event (the service's codes and messages where known, the client's
 * {@code event_id} echoed) and the session stays open.
 *
 * <p>Not thread-safe: every method runs under the connection's lock.
 */
final class RealtimeEvents {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPES = "'session.update', 'session.close', 'input_audio_buffer.append', "
            + "'session.input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', "
            + "'conversation.item.create', 'conversation.item.truncate', 'conversation.item.delete', "
            + "'conversation.item.retrieve', 'response.create', and 'response.cancel'";

    /** Uncommitted input audio kept at most: 32 MiB, about 11 minutes of 24 kHz PCM16. */
    static final int MAX_BUFFER = 32 << 20;

    private final RealtimeConnection conn;
    /** Raw input audio not yet committed, in the session's input format. */
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    /** Milliseconds of input audio received in the session (the audio clock of {@code audio_start_ms}). */
    private double audioMs;
    private Vad vad;
    /** Audio clock when {@link #vad} was created: its times are relative to that. */
    private double vadOffsetMs;
    /** The user item id announced by {@code speech_started}, until its commit. */
    private String speechItem;

    RealtimeEvents(RealtimeConnection conn) {
        this.conn = conn;
        resetVad();
    }

    void onBinary() {
        conn.error("invalid_event", "Expected a text WebSocket message; binary frames are not supported.", null, null);
    }

    void onText(String text) {
        ClientEvent event;
        try {
            event = RealtimeCodec.decodeClient(text);
        } catch (RealtimeProtocolException e) {
            conn.error(e.code(), e.getMessage(), e.param(), eventIdOf(text));
            return;
        }
        try {
            dispatch(event);
        } catch (RealtimeProtocolException e) {
            conn.error(e.code(), e.getMessage(), e.param(), event.eventId());
        }
    }

    private void dispatch(ClientEvent event) {
        String eid = event.eventId();
        switch (event) {
            case SessionUpdate u -> {
                TurnDetection before = conn.settings.turnDetection;
                conn.settings.apply(u.session(), conn.audioProduced());
                if (!conn.settings.turnDetection.equals(before)) {
                    resetVad();
                }
                conn.send(new ServerEvent.SessionUpdated(conn.eventId(), conn.settings.toSession()));
            }
            case SessionClose c -> conn.close(CloseCodes.NORMAL, "");
            case InputAudioBufferAppend a -> append(a.audio());
            case InputAudioBufferCommit c -> commitManually(eid);
            case InputAudioBufferClear c -> {
                buffer.reset();
                speechItem = null;
                resetVad();
                conn.send(new ServerEvent.InputAudioBufferCleared(conn.eventId()));
            }
            case ConversationItemCreate c -> createItem(c);
            case ConversationItemTruncate t -> truncate(t);
            case ConversationItemDelete d -> {
                if (!conn.conversation.delete(d.itemId())) {
                    throw notFound(d.itemId());
                }
                conn.send(new ServerEvent.ConversationItemDeleted(conn.eventId(), d.itemId()));
            }
            case ConversationItemRetrieve r -> {
                Item item = conn.conversation.get(r.itemId());
                if (item == null) {
                    throw notFound(r.itemId());
                }
                conn.send(new ServerEvent.ConversationItemRetrieved(conn.eventId(), item));
            }
            case ResponseCreate r -> {
                RealtimeResponse active = conn.response();
                if (active != null) {
                    throw new RealtimeProtocolException("conversation_already_has_active_response", null,
                            "Conversation already has an active response in progress: " + active.id
                                    + ". Wait until the response is finished before creating a new one.");
                }
                List<String> modalities = r.response() != null && r.response().outputModalities() != null
                        ? r.response().outputModalities() : conn.settings.outputModalities;
                respond(modalities);
            }
            case ResponseCancel c -> {
                RealtimeResponse active = conn.response();
                if (active == null || c.responseId() != null && !c.responseId().equals(active.id)) {
                    throw new RealtimeProtocolException("response_cancel_not_active", null,
                            "Cancellation failed: no active response found");
                }
                active.cancel("client_cancelled");
            }
            case OutputAudioBufferClear c -> throw unsupportedType(c.type());
            case Unknown u -> throw unsupportedType(u.type());
        }
    }

    private static RealtimeProtocolException unsupportedType(String type) {
        return new RealtimeProtocolException("invalid_value", "type",
                "Invalid value: '" + type + "'. Supported values are: " + TYPES + ".");
    }

    private static RealtimeProtocolException notFound(String itemId) {
        return new RealtimeProtocolException("item_not_found", "item_id", "Item with item_id not found: " + itemId);
    }

    // ---- input audio ----

    private void resetVad() {
        TurnDetection t = conn.settings.turnDetection;
        vadOffsetMs = audioMs;
        if (t.isNone()) {
            vad = null;
            return;
        }
        boolean lowSensitivity = t.threshold() != null && t.threshold() >= 0.8;
        vad = new Vad(new RealtimeInputConfig.AutomaticActivityDetection(false,
                lowSensitivity ? RealtimeInputConfig.StartSensitivity.START_SENSITIVITY_LOW : null, null, null,
                t.silenceDurationMs() != null ? t.silenceDurationMs() : Vad.DEFAULT_SILENCE_DURATION_MS));
    }

    private void append(byte[] audio) {
        var format = conn.settings.inputFormat;
        if (RealtimeAudio.isPcm(format) && audio.length % 2 != 0) {
            throw new RealtimeProtocolException("invalid_value", "audio",
                    "Invalid 'audio'. Expected base64-encoded audio bytes (mono PCM16 at 24kHz) but got an odd number of bytes.");
        }
        byte[] pcm = RealtimeAudio.toPcm16(format, audio);
        conn.receivedAudio(pcm);
        if (buffer.size() + (long) audio.length > MAX_BUFFER) {
            // Memory stays bounded with a client that streams for an hour without a commit (VAD off, or never
            // silent): the oldest uncommitted audio goes; a commit then reports only what was kept.
            buffer.reset();
        }
        buffer.writeBytes(audio);
        audioMs += RealtimeAudio.millis(format, audio.length);
        if (vad == null) {
            return;
        }
        for (Vad.Event e : vad.feed(pcm, RealtimeAudio.sampleRate(format))) {
            switch (e) {
                case Vad.SpeechStart s -> speechStarted((long) (vadOffsetMs + s.atMicros() / 1000.0));
                case Vad.SpeechEnd s -> {
                    String item = speechItem != null ? speechItem : conn.newId("item_");
                    speechItem = null;
                    conn.send(new ServerEvent.SpeechStopped(conn.eventId(), (long) (vadOffsetMs + s.atMicros() / 1000.0), item));
                    commit(item, s.seconds());
                    if (!Boolean.FALSE.equals(conn.settings.turnDetection.createResponse()) && conn.response() == null) {
                        respond(conn.settings.outputModalities);
                    }
                }
            }
        }
    }

    private void speechStarted(long atMs) {
        speechItem = conn.newId("item_");
        conn.send(new ServerEvent.SpeechStarted(conn.eventId(), atMs, speechItem));
        RealtimeResponse active = conn.response();
        if (active != null && !Boolean.FALSE.equals(conn.settings.turnDetection.interruptResponse())) {
            active.cancel("turn_detected");
        }
    }

    /** {@link dev.habla.emulator.Fault.PhantomInterrupted}: the VAD "hears" speech that is not there. */
    void phantomSpeech() {
        if (conn.settings.turnDetection.isNone()) {
            return;
        }
        long at = (long) audioMs;
        speechStarted(at);
        conn.send(new ServerEvent.SpeechStopped(conn.eventId(), at, speechItem));
        speechItem = null;
    }

    private void commitManually(String clientEventId) {
        var format = conn.settings.inputFormat;
        double ms = RealtimeAudio.millis(format, buffer.size());
        if (ms < 100) {
            throw new RealtimeProtocolException("input_audio_buffer_commit_empty", null, String.format(Locale.ROOT,
                    "Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has %.2fms of audio.", ms));
        }
        String item = speechItem != null ? speechItem : conn.newId("item_");
        speechItem = null;
        commit(item, ms / 1000.0);
        resetVad();
    }

    /** The buffer becomes a user audio item: committed, added, done, and its transcript when transcription is on. */
    private void commit(String itemId, double seconds) {
        buffer.reset();
        Item.Message item = new Item.Message(itemId, "completed", "user", List.of(ContentPart.inputAudio(null)));
        String prev = conn.conversation.add(item, null);
        conn.conversation.speech(itemId, seconds);
        conn.send(new ServerEvent.InputAudioBufferCommitted(conn.eventId(), prev, itemId));
        conn.send(new ServerEvent.ConversationItemAdded(conn.eventId(), prev, item));
        conn.send(new ServerEvent.ConversationItemDone(conn.eventId(), prev, item));
        if (!conn.settings.transcription.isNone()) {
            String transcript = String.format(Locale.ROOT, "[speech %.2fs]", seconds);
            conn.conversation.replace(new Item.Message(itemId, "completed", "user", List.of(ContentPart.inputAudio(transcript))));
            conn.send(new ServerEvent.InputAudioTranscriptionDelta(conn.eventId(), itemId, 0, transcript));
            conn.send(new ServerEvent.InputAudioTranscriptionCompleted(conn.eventId(), itemId, 0, transcript,
                    Usage.of((int) Math.ceil(seconds * 32), RealtimeResponse.tokens(transcript))));
        }
    }

    // ---- conversation items ----

    private void createItem(ConversationItemCreate c) {
        Item item = c.item();
        String prevParam = c.previousItemId();
        if (prevParam != null && !"root".equals(prevParam) && !conn.conversation.contains(prevParam)) {
            throw new RealtimeProtocolException("invalid_value", "previous_item_id",
                    "Invalid 'previous_item_id': no item with id '" + prevParam + "' in the conversation.");
        }
        if (item.id() != null && conn.conversation.contains(item.id())) {
            throw new RealtimeProtocolException("item_already_exists", "item.id", "Item with id '" + item.id() + "' already exists.");
        }
        String id = item.id() != null ? item.id() : conn.newId("item_");
        Item stored = switch (item) {
            case Item.Message m -> {
                if (m.role() == null || !List.of("user", "assistant", "system").contains(m.role())) {
                    throw new RealtimeProtocolException("invalid_value", "item.role", "Invalid value: '" + m.role()
                            + "'. Supported values are: 'user', 'assistant', and 'system'.");
                }
                yield new Item.Message(id, "completed", m.role(), m.content());
            }
            case Item.FunctionCall f -> new Item.FunctionCall(id, "completed", f.callId(), f.name(), f.arguments());
            case Item.FunctionCallOutput o -> {
                if (o.callId() == null || !conn.conversation.hasCall(o.callId())) {
                    throw new RealtimeProtocolException("invalid_value", "item.call_id",
                            "Tool call ID '" + o.callId() + "' not found in conversation.");
                }
                yield new Item.FunctionCallOutput(id, "completed", o.callId(), o.output());
            }
            case Item.Other o -> throw new RealtimeProtocolException("invalid_value", "item.type", "Invalid value: '"
                    + o.type() + "'. Supported values are: 'message', 'function_call', and 'function_call_output'.");
        };
        String prev = conn.conversation.add(stored, prevParam);
        conn.send(new ServerEvent.ConversationItemAdded(conn.eventId(), prev, stored));
        conn.send(new ServerEvent.ConversationItemDone(conn.eventId(), prev, stored));
    }

    /** Cuts an assistant audio item at what the user heard; the transcript keeps the words that started by then. */
    private void truncate(ConversationItemTruncate t) {
        Item item = conn.conversation.get(t.itemId());
        if (item == null) {
            throw notFound(t.itemId());
        }
        RealtimeConnection.AssistantAudio audio = conn.assistantAudio(t.itemId());
        if (!(item instanceof Item.Message m) || !"assistant".equals(m.role()) || audio == null) {
            throw new RealtimeProtocolException("invalid_value", "item_id", "Only assistant messages with audio can be truncated.");
        }
        RealtimeResponse active = conn.response();
        if (active != null && t.itemId().equals(active.itemId())) {
            active.cancel("client_cancelled"); // the item must be final before it is cut
            audio = conn.assistantAudio(t.itemId());
        }
        long sentMs = audio.samplesSent() * 1000L / SpeechSynth.SAMPLE_RATE;
        if (t.audioEndMs() < 0 || t.audioEndMs() > sentMs) {
            throw new RealtimeProtocolException("invalid_value", "audio_end_ms", "Audio content of " + sentMs
                    + "ms is already shorter than " + t.audioEndMs() + "ms");
        }
        long endSample = t.audioEndMs() * SpeechSynth.SAMPLE_RATE / 1000;
        StringBuilder heard = new StringBuilder();
        for (SpeechSynth.Segment s : audio.speech().segments()) {
            if (s.startSample() < endSample) {
                heard.append(s.text());
            }
        }
        Item current = conn.conversation.get(t.itemId());
        String status = current.status() == null ? "incomplete" : current.status();
        conn.conversation.replace(new Item.Message(t.itemId(), status, "assistant",
                List.of(ContentPart.outputAudio(heard.toString()))));
        conn.send(new ServerEvent.ConversationItemTruncated(conn.eventId(), t.itemId(), t.contentIndex(), t.audioEndMs()));
    }

    // ---- responses ----

    private void respond(List<String> modalities) {
        TurnInput turn = conn.conversation.turnInput(conn.settings.tools, conn.settings.model);
        Reply reply = conn.policy().reply(turn);
        int input = RealtimeResponse.tokens(conn.settings.instructions);
        for (var c : turn.conversation()) {
            for (var p : c.parts()) {
                input += RealtimeResponse.tokens(p.text());
            }
        }
        RealtimeResponse r = new RealtimeResponse(conn, modalities, input);
        conn.responseStarted(r);
        r.start(reply);
    }

    /** The {@code event_id} of a frame that did not decode, if it is readable at all (for the error's echo). */
    private static String eventIdOf(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            JsonNode id = n == null ? null : n.get("event_id");
            return id != null && id.isTextual() ? id.textValue() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
