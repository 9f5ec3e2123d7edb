package dev.habla.realtime.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.realtime.AudioConfig;
import dev.habla.realtime.AudioFormat;
import dev.habla.realtime.ContentPart;
import dev.habla.realtime.ErrorDetail;
import dev.habla.realtime.Item;
import dev.habla.realtime.RateLimit;
import dev.habla.realtime.Response;
import dev.habla.realtime.Session;
import dev.habla.realtime.Tool;
import dev.habla.realtime.Usage;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The shared shapes to JSON. Null fields are left out, except the settings whose {@code NONE} constant means an
 * explicit JSON null. {@code server} adds the {@code object} tags the service writes ({@code realtime.item}...).
 * Stateless; any thread (each call writes to the caller's generator).
 */
final class ShapeWriter {
    private ShapeWriter() {}

    static void str(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    static void num(JsonGenerator g, String name, Number value) throws IOException {
        if (value instanceof Double d) {
            g.writeNumberField(name, d);
        } else if (value != null) {
            g.writeNumberField(name, value.longValue());
        }
    }

    static void bool(JsonGenerator g, String name, Boolean value) throws IOException {
        if (value != null) {
            g.writeBooleanField(name, value);
        }
    }

    static void json(JsonGenerator g, String name, JsonNode value) throws IOException {
        if (value != null) {
            g.writeFieldName(name);
            g.writeTree(value);
        }
    }

    static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        if (values != null) {
            g.writeArrayFieldStart(name);
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        }
    }

    static void session(JsonGenerator g, Session s, boolean server) throws IOException {
        g.writeStartObject();
        str(g, "type", s.type());
        if (server) {
            str(g, "object", "transcription".equals(s.type()) ? "realtime.transcription_session" : "realtime.session");
        }
        str(g, "id", s.id());
        str(g, "model", s.model());
        strings(g, "output_modalities", s.outputModalities());
        str(g, "instructions", s.instructions());
        if (s.audio() != null) {
            g.writeFieldName("audio");
            audio(g, s.audio());
        }
        if (s.tools() != null) {
            g.writeArrayFieldStart("tools");
            for (Tool t : s.tools()) {
                tool(g, t);
            }
            g.writeEndArray();
        }
        json(g, "tool_choice", s.toolChoice());
        json(g, "max_output_tokens", s.maxOutputTokens());
        json(g, "tracing", s.tracing());
        num(g, "expires_at", s.expiresAt());
        extra(g, s.extra());
        g.writeEndObject();
    }

    private static void audio(JsonGenerator g, AudioConfig a) throws IOException {
        g.writeStartObject();
        if (a.input() != null) {
            AudioConfig.Input in = a.input();
            g.writeObjectFieldStart("input");
            format(g, in.format());
            if (in.noiseReduction() != null) {
                g.writeFieldName("noise_reduction");
                if (in.noiseReduction().isNone()) {
                    g.writeNull();
                } else {
                    g.writeStartObject();
                    str(g, "type", in.noiseReduction().type());
                    g.writeEndObject();
                }
            }
            if (in.transcription() != null) {
                g.writeFieldName("transcription");
                if (in.transcription().isNone()) {
                    g.writeNull();
                } else {
                    g.writeStartObject();
                    str(g, "model", in.transcription().model());
                    str(g, "language", in.transcription().language());
                    str(g, "prompt", in.transcription().prompt());
                    g.writeEndObject();
                }
            }
            if (in.turnDetection() != null) {
                g.writeFieldName("turn_detection");
                var td = in.turnDetection();
                if (td.isNone()) {
                    g.writeNull();
                } else {
                    g.writeStartObject();
                    str(g, "type", td.type());
                    num(g, "threshold", td.threshold());
                    num(g, "prefix_padding_ms", td.prefixPaddingMs());
                    num(g, "silence_duration_ms", td.silenceDurationMs());
                    num(g, "idle_timeout_ms", td.idleTimeoutMs());
                    bool(g, "create_response", td.createResponse());
                    bool(g, "interrupt_response", td.interruptResponse());
                    str(g, "eagerness", td.eagerness());
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        }
        if (a.output() != null) {
            g.writeObjectFieldStart("output");
            format(g, a.output().format());
            str(g, "voice", a.output().voice());
            num(g, "speed", a.output().speed());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    static void format(JsonGenerator g, AudioFormat f) throws IOException {
        if (f != null) {
            g.writeObjectFieldStart("format");
            str(g, "type", f.type());
            num(g, "rate", f.rate());
            g.writeEndObject();
        }
    }

    static void tool(JsonGenerator g, Tool t) throws IOException {
        if (t.json() != null) {
            g.writeTree(t.json());
            return;
        }
        g.writeStartObject();
        str(g, "type", t.type());
        str(g, "name", t.name());
        str(g, "description", t.description());
        json(g, "parameters", t.parameters());
        g.writeEndObject();
    }

    static void item(JsonGenerator g, Item item, boolean server) throws IOException {
        if (item instanceof Item.Other o) {
            g.writeTree(o.json());
            return;
        }
        g.writeStartObject();
        str(g, "id", item.id());
        if (server) {
            g.writeStringField("object", "realtime.item");
        }
        g.writeStringField("type", item.type());
        str(g, "status", item.status());
        switch (item) {
            case Item.Message m -> {
                str(g, "role", m.role());
                g.writeArrayFieldStart("content");
                for (ContentPart c : m.content()) {
                    content(g, c);
                }
                g.writeEndArray();
            }
            case Item.FunctionCall f -> {
                str(g, "call_id", f.callId());
                str(g, "name", f.name());
                str(g, "arguments", f.arguments());
            }
            case Item.FunctionCallOutput o -> {
                str(g, "call_id", o.callId());
                str(g, "output", o.output());
            }
            case Item.Other o -> throw new AssertionError("handled above");
        }
        g.writeEndObject();
    }

    /**
     * A content part. The service writes {@code "transcript": null} for audio content without one yet, and the
     * agents SDK's schema expects the key, so audio kinds always carry it.
     */
    static void content(JsonGenerator g, ContentPart c) throws IOException {
        g.writeStartObject();
        str(g, "type", c.type());
        str(g, "text", c.text());
        str(g, "audio", c.audio());
        if (c.transcript() != null) {
            g.writeStringField("transcript", c.transcript());
        } else if ("input_audio".equals(c.type()) || "output_audio".equals(c.type()) || "audio".equals(c.type())) {
            g.writeNullField("transcript");
        }
        str(g, "image_url", c.imageUrl());
        str(g, "detail", c.detail());
        str(g, "id", c.id());
        g.writeEndObject();
    }

    static void response(JsonGenerator g, Response r, boolean server) throws IOException {
        g.writeStartObject();
        if (server) {
            g.writeStringField("object", "realtime.response");
        }
        str(g, "id", r.id());
        str(g, "status", r.status());
        if (r.statusDetails() != null) {
            g.writeObjectFieldStart("status_details");
            str(g, "type", r.statusDetails().type());
            str(g, "reason", r.statusDetails().reason());
            if (r.statusDetails().error() != null) {
                g.writeFieldName("error");
                error(g, r.statusDetails().error());
            }
            g.writeEndObject();
        } else if (server) {
            g.writeNullField("status_details");
        }
        if (r.output() != null) {
            g.writeArrayFieldStart("output");
            for (Item i : r.output()) {
                item(g, i, server);
            }
            g.writeEndArray();
        }
        str(g, "conversation_id", r.conversationId());
        strings(g, "output_modalities", r.outputModalities());
        json(g, "max_output_tokens", r.maxOutputTokens());
        if (r.usage() != null) {
            g.writeFieldName("usage");
            usage(g, r.usage());
        } else if (server) {
            g.writeNullField("usage");
        }
        json(g, "metadata", r.metadata());
        str(g, "instructions", r.instructions());
        str(g, "conversation", r.conversation());
        extra(g, r.extra());
        g.writeEndObject();
    }

    static void usage(JsonGenerator g, Usage u) throws IOException {
        g.writeStartObject();
        g.writeNumberField("total_tokens", u.totalTokens());
        g.writeNumberField("input_tokens", u.inputTokens());
        g.writeNumberField("output_tokens", u.outputTokens());
        json(g, "input_token_details", u.inputTokenDetails());
        json(g, "output_token_details", u.outputTokenDetails());
        g.writeEndObject();
    }

    /** An error object; {@code code}, {@code param} and {@code event_id} are written even when null, as the service does. */
    static void error(JsonGenerator g, ErrorDetail e) throws IOException {
        g.writeStartObject();
        str(g, "type", e.type());
        g.writeStringField("code", e.code());
        str(g, "message", e.message());
        g.writeStringField("param", e.param());
        g.writeStringField("event_id", e.eventId());
        g.writeEndObject();
    }

    static void rateLimit(JsonGenerator g, RateLimit r) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", r.name());
        g.writeNumberField("limit", r.limit());
        g.writeNumberField("remaining", r.remaining());
        g.writeNumberField("reset_seconds", r.resetSeconds());
        g.writeEndObject();
    }

    private static void extra(JsonGenerator g, Map<String, JsonNode> extra) throws IOException {
        for (Map.Entry<String, JsonNode> e : extra.entrySet()) {
            g.writeFieldName(e.getKey());
            g.writeTree(e.getValue());
        }
    }
}
