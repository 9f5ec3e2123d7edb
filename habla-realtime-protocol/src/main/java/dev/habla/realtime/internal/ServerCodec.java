package dev.habla.realtime.internal;

import static dev.habla.realtime.internal.Read.asObject;
import static dev.habla.realtime.internal.Read.integer;
import static dev.habla.realtime.internal.Read.lng;
import static dev.habla.realtime.internal.Read.obj;
import static dev.habla.realtime.internal.Read.str;
import static dev.habla.realtime.internal.ShapeWriter.str;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.realtime.ErrorDetail;
import dev.habla.realtime.Item;
import dev.habla.realtime.RateLimit;
import dev.habla.realtime.RealtimeProtocolException;
import dev.habla.realtime.Response;
import dev.habla.realtime.ServerEvent;
import dev.habla.realtime.ServerEvent.*;
import dev.habla.realtime.Session;
import java.io.IOException;
import java.util.Base64;

/** Server events to and from JSON text. Stateless; any thread. */
public final class ServerCodec {
    private ServerCodec() {}

    public static String encode(ServerEvent event) {
        if (event instanceof ResponseOutputAudioDelta d) {
            return AudioFrames.encodeDelta(d);
        }
        if (event instanceof Unknown u) {
            return u.json().toString();
        }
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("type", event.type());
            str(g, "event_id", event.eventId());
            body(g, event);
            g.writeEndObject();
        });
    }

    private static void body(JsonGenerator g, ServerEvent event) throws IOException {
        switch (event) {
            case ErrorEvent e -> {
                g.writeFieldName("error");
                ShapeWriter.error(g, e.error());
            }
            case SessionCreated e -> session(g, e.session());
            case SessionUpdated e -> session(g, e.session());
            case ConversationItemAdded e -> previousAndItem(g, e.previousItemId(), e.item());
            case ConversationItemDone e -> previousAndItem(g, e.previousItemId(), e.item());
            case ConversationItemRetrieved e -> {
                g.writeFieldName("item");
                ShapeWriter.item(g, e.item(), true);
            }
            case ConversationItemTruncated e -> {
                g.writeStringField("item_id", e.itemId());
                g.writeNumberField("content_index", e.contentIndex());
                g.writeNumberField("audio_end_ms", e.audioEndMs());
            }
            case ConversationItemDeleted e -> g.writeStringField("item_id", e.itemId());
            case InputAudioTranscriptionDelta e -> {
                g.writeStringField("item_id", e.itemId());
                g.writeNumberField("content_index", e.contentIndex());
                g.writeStringField("delta", e.delta());
            }
            case InputAudioTranscriptionCompleted e -> {
                g.writeStringField("item_id", e.itemId());
                g.writeNumberField("content_index", e.contentIndex());
                g.writeStringField("transcript", e.transcript());
                if (e.usage() != null) {
                    g.writeFieldName("usage");
                    ShapeWriter.usage(g, e.usage());
                }
            }
            case InputAudioTranscriptionFailed e -> {
                g.writeStringField("item_id", e.itemId());
                g.writeNumberField("content_index", e.contentIndex());
                g.writeFieldName("error");
                ShapeWriter.error(g, e.error());
            }
            case InputAudioBufferCommitted e -> {
                g.writeStringField("previous_item_id", e.previousItemId());
                g.writeStringField("item_id", e.itemId());
            }
            case InputAudioBufferCleared e -> { }
            case SpeechStarted e -> {
                g.writeNumberField("audio_start_ms", e.audioStartMs());
                g.writeStringField("item_id", e.itemId());
            }
            case SpeechStopped e -> {
                g.writeNumberField("audio_end_ms", e.audioEndMs());
                g.writeStringField("item_id", e.itemId());
            }
            case InputAudioBufferTimeoutTriggered e -> {
                g.writeNumberField("audio_start_ms", e.audioStartMs());
                g.writeNumberField("audio_end_ms", e.audioEndMs());
                g.writeStringField("item_id", e.itemId());
            }
            case ResponseCreated e -> response(g, e.response());
            case ResponseDone e -> response(g, e.response());
            case ResponseOutputItemAdded e -> outputItem(g, e.responseId(), e.outputIndex(), e.item());
            case ResponseOutputItemDone e -> outputItem(g, e.responseId(), e.outputIndex(), e.item());
            case ResponseContentPartAdded e -> {
                position(g, e.responseId(), e.itemId(), e.outputIndex(), e.contentIndex());
                g.writeFieldName("part");
                ShapeWriter.content(g, e.part());
            }
            case ResponseContentPartDone e -> {
                position(g, e.responseId(), e.itemId(), e.outputIndex(), e.contentIndex());
                g.writeFieldName("part");
                ShapeWriter.content(g, e.part());
            }
            case ResponseOutputTextDelta e -> {
                position(g, e.responseId(), e.itemId(), e.outputIndex(), e.contentIndex());
                g.writeStringField("delta", e.delta());
            }
            case ResponseOutputTextDone e -> {
                position(g, e.responseId(), e.itemId(), e.outputIndex(), e.contentIndex());
                g.writeStringField("text", e.text());
            }
            case ResponseOutputAudioDelta e -> {
                position(g, e.responseId(), e.itemId(), e.outputIndex(), e.contentIndex());
                g.writeStringField("delta", Base64.getEncoder().encodeToString(e.delta()));
            }
            case ResponseOutputAudioDone e -> position(g, e.responseId(), e.itemId(), e.outputIndex(), e.contentIndex());
            case ResponseOutputAudioTranscriptDelta e -> {
                position(g, e.responseId(), e.itemId(), e.outputIndex(), e.contentIndex());
                g.writeStringField("delta", e.delta());
            }
            case ResponseOutputAudioTranscriptDone e -> {
                position(g, e.responseId(), e.itemId(), e.outputIndex(), e.contentIndex());
                g.writeStringField("transcript", e.transcript());
            }
            case FunctionCallArgumentsDelta e -> {
                g.writeStringField("response_id", e.responseId());
                g.writeStringField("item_id", e.itemId());
                g.writeNumberField("output_index", e.outputIndex());
                g.writeStringField("call_id", e.callId());
                g.writeStringField("delta", e.delta());
            }
            case FunctionCallArgumentsDone e -> {
                g.writeStringField("response_id", e.responseId());
                g.writeStringField("item_id", e.itemId());
                g.writeNumberField("output_index", e.outputIndex());
                g.writeStringField("call_id", e.callId());
                str(g, "name", e.name());
                g.writeStringField("arguments", e.arguments());
            }
            case RateLimitsUpdated e -> {
                g.writeArrayFieldStart("rate_limits");
                for (RateLimit r : e.rateLimits()) {
                    ShapeWriter.rateLimit(g, r);
                }
                g.writeEndArray();
            }
            case Unknown e -> throw new AssertionError("encoded whole above");
        }
    }

    private static void session(JsonGenerator g, Session s) throws IOException {
        g.writeFieldName("session");
        ShapeWriter.session(g, s, true);
    }

    private static void response(JsonGenerator g, Response r) throws IOException {
        g.writeFieldName("response");
        ShapeWriter.response(g, r, true);
    }

    /** {@code previous_item_id} is written even when null (first item), as the service does. */
    private static void previousAndItem(JsonGenerator g, String previous, Item item) throws IOException {
        g.writeStringField("previous_item_id", previous);
        g.writeFieldName("item");
        ShapeWriter.item(g, item, true);
    }

    private static void outputItem(JsonGenerator g, String responseId, int outputIndex, Item item) throws IOException {
        g.writeStringField("response_id", responseId);
        g.writeNumberField("output_index", outputIndex);
        g.writeFieldName("item");
        ShapeWriter.item(g, item, true);
    }

    static void position(JsonGenerator g, String responseId, String itemId, int outputIndex, int contentIndex)
            throws IOException {
        g.writeStringField("response_id", responseId);
        g.writeStringField("item_id", itemId);
        g.writeNumberField("output_index", outputIndex);
        g.writeNumberField("content_index", contentIndex);
    }

    public static ServerEvent decode(String text) {
        ServerEvent fast = AudioFrames.decodeDelta(text);
        if (fast != null) {
            return fast;
        }
        return decode(Json.parseObject(text));
    }

    static ServerEvent decode(ObjectNode n) {
        if (!n.has("type")) {
            throw new RealtimeProtocolException("invalid_event", null, "The 'type' field is missing.");
        }
        String type = Read.reqStr(n, "type", "");
        String id = str(n, "event_id", "");
        return switch (type) {
            case ErrorEvent.TYPE -> new ErrorEvent(id, error(n, "error"));
            case SessionCreated.TYPE -> new SessionCreated(id, session(n));
            case SessionUpdated.TYPE -> new SessionUpdated(id, session(n));
            case ConversationItemAdded.TYPE -> new ConversationItemAdded(id, str(n, "previous_item_id", ""), item(n));
            case ConversationItemDone.TYPE -> new ConversationItemDone(id, str(n, "previous_item_id", ""), item(n));
            case ConversationItemRetrieved.TYPE -> new ConversationItemRetrieved(id, item(n));
            case ConversationItemTruncated.TYPE -> new ConversationItemTruncated(id, str(n, "item_id", ""),
                    integer(n, "content_index", "", 0), lng(n, "audio_end_ms", "", 0));
            case ConversationItemDeleted.TYPE -> new ConversationItemDeleted(id, str(n, "item_id", ""));
            case InputAudioTranscriptionDelta.TYPE -> new InputAudioTranscriptionDelta(id, str(n, "item_id", ""),
                    integer(n, "content_index", "", 0), str(n, "delta", ""));
            case InputAudioTranscriptionCompleted.TYPE -> {
                ObjectNode usage = obj(n, "usage", "");
                yield new InputAudioTranscriptionCompleted(id, str(n, "item_id", ""), integer(n, "content_index", "", 0),
                        str(n, "transcript", ""), usage == null ? null : ShapeReader.usage(usage, "usage"));
            }
            case InputAudioTranscriptionFailed.TYPE -> new InputAudioTranscriptionFailed(id, str(n, "item_id", ""),
                    integer(n, "content_index", "", 0), error(n, "error"));
            case InputAudioBufferCommitted.TYPE -> new InputAudioBufferCommitted(id, str(n, "previous_item_id", ""),
                    str(n, "item_id", ""));
            case InputAudioBufferCleared.TYPE -> new InputAudioBufferCleared(id);
            case SpeechStarted.TYPE -> new SpeechStarted(id, lng(n, "audio_start_ms", "", 0), str(n, "item_id", ""));
            case SpeechStopped.TYPE -> new SpeechStopped(id, lng(n, "audio_end_ms", "", 0), str(n, "item_id", ""));
            case InputAudioBufferTimeoutTriggered.TYPE -> new InputAudioBufferTimeoutTriggered(id,
                    lng(n, "audio_start_ms", "", 0), lng(n, "audio_end_ms", "", 0), str(n, "item_id", ""));
            case ResponseCreated.TYPE -> new ResponseCreated(id, response(n));
            case ResponseDone.TYPE -> new ResponseDone(id, response(n));
            case ResponseOutputItemAdded.TYPE -> new ResponseOutputItemAdded(id, str(n, "response_id", ""),
                    integer(n, "output_index", "", 0), item(n));
            case ResponseOutputItemDone.TYPE -> new ResponseOutputItemDone(id, str(n, "response_id", ""),
                    integer(n, "output_index", "", 0), item(n));
            case ResponseContentPartAdded.TYPE -> new ResponseContentPartAdded(id, str(n, "response_id", ""),
                    str(n, "item_id", ""), integer(n, "output_index", "", 0), integer(n, "content_index", "", 0), part(n));
            case ResponseContentPartDone.TYPE -> new ResponseContentPartDone(id, str(n, "response_id", ""),
                    str(n, "item_id", ""), integer(n, "output_index", "", 0), integer(n, "content_index", "", 0), part(n));
            case ResponseOutputTextDelta.TYPE -> new ResponseOutputTextDelta(id, str(n, "response_id", ""),
                    str(n, "item_id", ""), integer(n, "output_index", "", 0), integer(n, "content_index", "", 0),
                    str(n, "delta", ""));
            case ResponseOutputTextDone.TYPE -> new ResponseOutputTextDone(id, str(n, "response_id", ""),
                    str(n, "item_id", ""), integer(n, "output_index", "", 0), integer(n, "content_index", "", 0),
                    str(n, "text", ""));
            case ResponseOutputAudioDelta.TYPE -> new ResponseOutputAudioDelta(id, str(n, "response_id", ""),
                    str(n, "item_id", ""), integer(n, "output_index", "", 0), integer(n, "content_index", "", 0),
                    AudioFrames.base64(Read.reqStr(n, "delta", ""), "delta"));
            case ResponseOutputAudioDone.TYPE -> new ResponseOutputAudioDone(id, str(n, "response_id", ""),
                    str(n, "item_id", ""), integer(n, "output_index", "", 0), integer(n, "content_index", "", 0));
            case ResponseOutputAudioTranscriptDelta.TYPE -> new ResponseOutputAudioTranscriptDelta(id,
                    str(n, "response_id", ""), str(n, "item_id", ""), integer(n, "output_index", "", 0),
                    integer(n, "content_index", "", 0), str(n, "delta", ""));
            case ResponseOutputAudioTranscriptDone.TYPE -> new ResponseOutputAudioTranscriptDone(id,
                    str(n, "response_id", ""), str(n, "item_id", ""), integer(n, "output_index", "", 0),
                    integer(n, "content_index", "", 0), str(n, "transcript", ""));
            case FunctionCallArgumentsDelta.TYPE -> new FunctionCallArgumentsDelta(id, str(n, "response_id", ""),
                    str(n, "item_id", ""), integer(n, "output_index", "", 0), str(n, "call_id", ""), str(n, "delta", ""));
            case FunctionCallArgumentsDone.TYPE -> new FunctionCallArgumentsDone(id, str(n, "response_id", ""),
                    str(n, "item_id", ""), integer(n, "output_index", "", 0), str(n, "call_id", ""), str(n, "name", ""),
                    str(n, "arguments", ""));
            case RateLimitsUpdated.TYPE -> new RateLimitsUpdated(id,
                    Read.list(n, "rate_limits", "", (e, p) -> ShapeReader.rateLimit(asObject(e, p), p)));
            default -> new Unknown(type, id, n);
        };
    }

    private static Session session(ObjectNode n) {
        ObjectNode s = obj(n, "session", "");
        if (s == null) {
            throw Read.missing("session");
        }
        return ShapeReader.session(s, "session");
    }

    private static Item item(ObjectNode n) {
        ObjectNode i = obj(n, "item", "");
        if (i == null) {
            throw Read.missing("item");
        }
        return ShapeReader.item(i, "item");
    }

    private static dev.habla.realtime.ContentPart part(ObjectNode n) {
        ObjectNode p = obj(n, "part", "");
        return p == null ? null : ShapeReader.content(p, "part");
    }

    private static Response response(ObjectNode n) {
        ObjectNode r = obj(n, "response", "");
        if (r == null) {
            throw Read.missing("response");
        }
        return ShapeReader.response(r, "response");
    }

    private static ErrorDetail error(ObjectNode n, String field) {
        ObjectNode e = obj(n, field, "");
        return e == null ? null : ShapeReader.error(e, field);
    }
}
