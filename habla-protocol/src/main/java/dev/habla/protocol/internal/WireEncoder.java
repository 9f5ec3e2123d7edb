package dev.habla.protocol.internal;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.internal.WireSchema.Field;
import dev.habla.protocol.internal.WireSchema.RecordSchema;
import dev.habla.protocol.internal.WireSchema.ValueType;
import java.io.IOException;
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
            case BYTES -> {
                byte[] b = (byte[]) v;
                g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, b, 0, b.length);
            }
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
