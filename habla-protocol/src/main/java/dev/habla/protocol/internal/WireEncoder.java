package dev.habla.protocol.internal;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.internal.WireSchema.Field;
import dev.habla.protocol.internal.WireSchema.RecordSchema;
import dev.habla.protocol.internal.WireSchema.ValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Canonical encoder: camelCase names, standard padded base64, int64 as strings, enums by name, unset and default
 * scalars omitted (proto3 JSON). Stateless; safe from any thread.
 */
final class WireEncoder {
    private WireEncoder() {}

    static void writeRecord(JsonGenerator g, Object record) throws IOException {
        RecordSchema schema = WireSchema.of(record.getClass());
        g.writeStartObject();
        for (Field f : schema.fields) {
            Object v = WireSchema.get(f, record);
            if (isUnset(f.type, v)) {
                continue;
            }
            g.writeFieldName(f.name);
            writeValue(g, f.type, v, f.name);
        }
        g.writeEndObject();
    }

    private static boolean isUnset(ValueType t, Object v) {
        if (v == null) return true;
        if (t.primitive()) {
            return switch (t.kind()) {
                case BOOL -> !(Boolean) v;
                case INT -> (Integer) v == 0;
                case LONG -> (Long) v == 0L;
                case DOUBLE -> (Double) v == 0.0d;
                default -> false;
            };
        }
        if (v instanceof List<?> l) return l.isEmpty();
        if (v instanceof Map<?, ?> m) return m.isEmpty();
        return false;
    }

    /**
     * Standard padded base64, as Jackson's MIME_NO_LINEFEEDS variant writes it, but encoded by the JDK's vectorised
     * encoder and copied straight into the output (base64 needs no JSON escaping). Jackson still writes the separator
     * and the opening quote, so its output context stays right; its buffer is flushed before the payload goes to the
     * sink so the order of the output is kept. Small values keep Jackson's path.
     */
    private static void writeBytes(JsonGenerator g, byte[] b) throws IOException {
        if (b.length < SMALL_BYTES) {
            g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, b, 0, b.length);
            return;
        }
        byte[] ascii = FastBase64.encode(b);
        Object target = g.getOutputTarget();
        if (target instanceof Sinks.Bytes out) {
            g.writeRawValue("\"");
            g.flush();
            out.adopt(ascii);
            g.writeRaw('"');
        } else if (target instanceof Sinks.Chars out) {
            g.writeRawValue("\"");
            g.flush();
            out.writeAscii(ascii);
            g.writeRaw('"');
        } else if (g instanceof UTF8JsonGenerator) {
            g.writeRawUTF8String(ascii, 0, ascii.length); // adds the quotes and the separator
        } else {
            g.writeRawValue("\"" + new String(ascii, StandardCharsets.ISO_8859_1) + "\"");
        }
    }

    private static final int SMALL_BYTES = 48;

    @SuppressWarnings("unchecked")
    private static void writeValue(JsonGenerator g, ValueType t, Object v, String name) throws IOException {
        switch (t.kind()) {
            case STRING -> g.writeString((String) v);
            case TIMESTAMP -> {
                if (!Timestamps.valid((String) v)) {
                    throw new ProtocolException(name, "Not an RFC 3339 timestamp: " + v);
                }
                g.writeString((String) v);
            }
            case BOOL -> g.writeBoolean((Boolean) v);
            case INT -> g.writeNumber((Integer) v);
            case LONG -> g.writeString(Long.toString((Long) v));
            case DOUBLE -> {
                double d = (Double) v;
                if (Double.isNaN(d)) g.writeString("NaN");
                else if (Double.isInfinite(d)) g.writeString(d > 0 ? "Infinity" : "-Infinity");
                else g.writeNumber(d);
            }
            case BYTES -> writeBytes(g, (byte[]) v);
            case ENUM -> {
                String n = ((Enum<?>) v).name();
                if ("UNRECOGNIZED".equals(n)) {
                    throw new ProtocolException(name, "Cannot encode UNRECOGNIZED enum value");
                }
                g.writeString(n);
            }
            case DURATION -> g.writeString(Durations.format((Duration) v));
            case JSON -> g.writeTree((JsonNode) v);
            case RECORD -> writeRecord(g, v);
            case LIST -> {
                g.writeStartArray();
                for (Object e : (List<Object>) v) {
                    if (e == null) throw new ProtocolException(name, "Repeated field elements cannot be null");
                    writeValue(g, t.element(), e, name);
                }
                g.writeEndArray();
            }
            case MAP -> {
                g.writeStartObject();
                for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                    g.writeFieldName(e.getKey());
                    writeValue(g, t.element(), e.getValue(), name);
                }
                g.writeEndObject();
            }
        }
    }
}
