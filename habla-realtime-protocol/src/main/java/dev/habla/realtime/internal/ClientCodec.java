package dev.habla.realtime.internal;

import static dev.habla.realtime.internal.Read.integer;
import static dev.habla.realtime.internal.Read.obj;
import static dev.habla.realtime.internal.Read.reqLng;
import static dev.habla.realtime.internal.Read.reqStr;
import static dev.habla.realtime.internal.Read.str;
import static dev.habla.realtime.internal.ShapeWriter.str;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.ClientEvent.ConversationItemCreate;
import dev.habla.realtime.ClientEvent.ConversationItemDelete;
import dev.habla.realtime.ClientEvent.ConversationItemRetrieve;
import dev.habla.realtime.ClientEvent.ConversationItemTruncate;
import dev.habla.realtime.ClientEvent.InputAudioBufferAppend;
import dev.habla.realtime.ClientEvent.InputAudioBufferClear;
import dev.habla.realtime.ClientEvent.InputAudioBufferCommit;
import dev.habla.realtime.ClientEvent.OutputAudioBufferClear;
import dev.habla.realtime.ClientEvent.ResponseCancel;
import dev.habla.realtime.ClientEvent.ResponseCreate;
import dev.habla.realtime.ClientEvent.SessionClose;
import dev.habla.realtime.ClientEvent.SessionUpdate;
import dev.habla.realtime.ClientEvent.Unknown;
import dev.habla.realtime.RealtimeProtocolException;
import java.io.IOException;

/** Client events to and from JSON text. Stateless; any thread. */
public final class ClientCodec {
    private ClientCodec() {}

    public static String encode(ClientEvent event) {
        if (event instanceof InputAudioBufferAppend a && !a.aliased()) {
            return AudioFrames.encodeAppend(a);
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

    private static void body(JsonGenerator g, ClientEvent event) throws IOException {
        switch (event) {
            case SessionUpdate e -> {
                g.writeFieldName("session");
                ShapeWriter.session(g, e.session(), false);
            }
            case InputAudioBufferAppend e -> g.writeStringField("audio", java.util.Base64.getEncoder().encodeToString(e.audio()));
            case ConversationItemCreate e -> {
                str(g, "previous_item_id", e.previousItemId());
                g.writeFieldName("item");
                ShapeWriter.item(g, e.item(), false);
            }
            case ConversationItemTruncate e -> {
                g.writeStringField("item_id", e.itemId());
                g.writeNumberField("content_index", e.contentIndex());
                g.writeNumberField("audio_end_ms", e.audioEndMs());
            }
            case ConversationItemDelete e -> g.writeStringField("item_id", e.itemId());
            case ConversationItemRetrieve e -> g.writeStringField("item_id", e.itemId());
            case ResponseCreate e -> {
                if (e.response() != null) {
                    g.writeFieldName("response");
                    ShapeWriter.response(g, e.response(), false);
                }
            }
            case ResponseCancel e -> str(g, "response_id", e.responseId());
            case SessionClose e -> { }
            case InputAudioBufferCommit e -> { }
            case InputAudioBufferClear e -> { }
            case OutputAudioBufferClear e -> { }
            case Unknown e -> throw new AssertionError("encoded whole above");
        }
    }

    public static ClientEvent decode(String text) {
        ClientEvent fast = AudioFrames.decodeAppend(text);
        if (fast != null) {
            return fast;
        }
        return decode(Json.parseObject(text));
    }

    static ClientEvent decode(ObjectNode n) {
        if (!n.has("type")) {
            throw new RealtimeProtocolException("invalid_event", null, "The 'type' field is missing.");
        }
        String type = reqStr(n, "type", "");
        String id = str(n, "event_id", "");
        return switch (type) {
            case SessionUpdate.TYPE -> {
                ObjectNode s = obj(n, "session", "");
                if (s == null) {
                    throw Read.missing("session");
                }
                yield new SessionUpdate(id, ShapeReader.session(s, "session"));
            }
            case SessionClose.TYPE -> new SessionClose(id);
            case InputAudioBufferAppend.TYPE, "session.input_audio_buffer.append" ->
                    new InputAudioBufferAppend(id, AudioFrames.base64(reqStr(n, "audio", ""), "audio"),
                            !type.equals(InputAudioBufferAppend.TYPE));
            case InputAudioBufferCommit.TYPE -> new InputAudioBufferCommit(id);
            case InputAudioBufferClear.TYPE -> new InputAudioBufferClear(id);
            case ConversationItemCreate.TYPE -> {
                ObjectNode item = obj(n, "item", "");
                if (item == null) {
                    throw Read.missing("item");
                }
                yield new ConversationItemCreate(id, str(n, "previous_item_id", ""), ShapeReader.item(item, "item"));
            }
            case ConversationItemTruncate.TYPE -> new ConversationItemTruncate(id, reqStr(n, "item_id", ""),
                    integer(n, "content_index", "", 0), reqLng(n, "audio_end_ms", ""));
            case ConversationItemDelete.TYPE -> new ConversationItemDelete(id, reqStr(n, "item_id", ""));
            case ConversationItemRetrieve.TYPE -> new ConversationItemRetrieve(id, reqStr(n, "item_id", ""));
            case ResponseCreate.TYPE -> {
                ObjectNode r = obj(n, "response", "");
                yield new ResponseCreate(id, r == null ? null : ShapeReader.response(r, "response"));
            }
            case ResponseCancel.TYPE -> new ResponseCancel(id, str(n, "response_id", ""));
            case OutputAudioBufferClear.TYPE -> new OutputAudioBufferClear(id);
            default -> new Unknown(type, id, n);
        };
    }
}
