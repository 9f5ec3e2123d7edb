package dev.habla.protocol.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.Strictness;
import dev.habla.protocol.UnknownField;
import dev.habla.protocol.internal.WireSchema.Field;
import dev.habla.protocol.internal.WireSchema.Kind;
import dev.habla.protocol.internal.WireSchema.RecordSchema;
import dev.habla.protocol.internal.WireSchema.ValueType;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streaming, schema-driven decoder for one frame. Not thread-safe: one instance per decode call (it is cheap).
 *
 * <p>Strict mode mirrors the proto3 JSON parser of the service: camelCase or snake_case names, int64 as string or
 * number, standard or URL-safe base64, null meaning "unset"; unknown fields, bad enums, duplicate fields, several
 * members of one oneof and bad base64 are errors naming the field. Lenient mode keeps such things as
 * {@link UnknownField}s and goes on.
 */
final class WireDecoder {
    private final JsonParser p;
    private final boolean strict;
    final List<UnknownField> unknown = new ArrayList<>(0);
    // Path of the field being decoded, kept as a stack so that the happy path builds no strings.
    // Grows on demand up to MAX_DEPTH: most frames are a few levels deep, and a decoder is made per frame.
    private String[] pathStack = new String[16];
    private static final int MAX_DEPTH = 256;
    private int depth;

    WireDecoder(JsonParser p, Strictness strictness) {
        this.p = p;
        this.strict = strictness == Strictness.STRICT;
    }

    String path() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            String s = pathStack[i];
            if (s.startsWith("[")) {
                b.append(s);
            } else {
                if (b.length() > 0) b.append('.');
                b.append(s);
            }
        }
        return b.toString();
    }

    ProtocolException error(String message) {
        return new ProtocolException(path(), message);
    }

    void push(String segment) {
        if (depth == pathStack.length) {
            if (depth == MAX_DEPTH) {
                throw error("Message nested too deeply");
            }
            pathStack = java.util.Arrays.copyOf(pathStack, Math.min(MAX_DEPTH, depth * 2));
        }
        pathStack[depth++] = segment;
    }

    void pop() {
        depth--;
    }

    void unknownField(String name) throws IOException {
        push(name);
        JsonNode value = p.readValueAsTree();
        unknown.add(new UnknownField(path(), value == null ? TextNode.valueOf("") : value));
        pop();
    }

    /** Reads a record; the parser is on START_OBJECT. */
    Object readRecord(RecordSchema schema) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error("Expect message object but got: " + tokenText());
        }
        Object[] args = new Object[schema.fields.length];
        long seen = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            Field f = schema.byName.get(name);
            p.nextToken();
            if (f == null) {
                if (strict) {
                    push(name);
                    throw error("Cannot find field: " + name + " in message " + schema.protoName);
                }
                unknownField(name);
                continue;
            }
            long bit = 1L << f.index;
            if ((seen & bit) != 0 && strict) {
                push(f.name);
                throw error("Field " + schema.protoName + "." + f.snakeName + " has already been set");
            }
            seen |= bit;
            if (p.currentToken() == JsonToken.VALUE_NULL && f.type.kind() != Kind.JSON) {
                continue; // proto3 JSON: null means the default value
            }
            if (f.oneof != null) {
                for (Field other : schema.fields) {
                    if (other != f && f.oneof.equals(other.oneof) && args[other.index] != null) {
                        push(f.name);
                        if (strict) {
                            throw error("Cannot set field " + schema.protoName + "." + f.snakeName + " because another field "
                                    + schema.protoName + "." + other.snakeName + " belonging to the same oneof has already been set");
                        }
                        pop();
                    }
                }
            }
            push(f.name);
            args[f.index] = readValue(f.type);
            pop();
        }
        if (t != JsonToken.END_OBJECT) {
            throw error("Expect field name or end of object but got: " + tokenText());
        }
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) args[i] = schema.defaults[i];
        }
        return schema.newInstance(args);
    }

    private String tokenText() throws IOException {
        JsonToken t = p.currentToken();
        return t == null ? "end of input" : t.isScalarValue() ? p.getText() : t.asString();
    }

    Object readValue(ValueType vt) throws IOException {
        JsonToken t = p.currentToken();
        switch (vt.kind()) {
            case STRING:
                if (t != JsonToken.VALUE_STRING) throw error("Expected a string but got: " + tokenText());
                return p.getText();
            case TIMESTAMP:
                if (t != JsonToken.VALUE_STRING) throw error("Expected a timestamp string but got: " + tokenText());
                if (strict && !Timestamps.valid(p.getText())) throw error("Failed to parse timestamp: " + p.getText());
                return p.getText();
            case BOOL:
                if (t == JsonToken.VALUE_TRUE) return Boolean.TRUE;
                if (t == JsonToken.VALUE_FALSE) return Boolean.FALSE;
                if (t == JsonToken.VALUE_STRING && ("true".equals(p.getText()) || "false".equals(p.getText()))) {
                    return Boolean.valueOf(p.getText());
                }
                throw error("Invalid bool value: " + tokenText());
            case INT: {
                long v = readIntegral();
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw error("Out of range int32 value: " + v);
                return (int) v;
            }
            case LONG:
                return readIntegral();
            case DOUBLE:
                if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) return p.getDoubleValue();
                if (t == JsonToken.VALUE_STRING) {
                    String s = p.getText();
                    switch (s) {
                        case "NaN": return Double.NaN;
                        case "Infinity": return Double.POSITIVE_INFINITY;
                        case "-Infinity": return Double.NEGATIVE_INFINITY;
                        default:
                            try {
                                return Double.parseDouble(s);
                            } catch (NumberFormatException e) {
                                throw error("Not a numeric value: " + s);
                            }
                    }
                }
                throw error("Not a numeric value: " + tokenText());
            case BYTES: {
                if (t != JsonToken.VALUE_STRING) throw error("Expected a base64 string but got: " + tokenText());
                if (p instanceof FastParsers.FastBinary fast) {
                    byte[] bytes = fast.fastBinaryValue();
                    if (bytes != null) return bytes;
                }
                try {
                    return Base64Codec.decode(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                } catch (Base64Codec.InvalidBase64 e) {
                    if (strict) throw error(e.getMessage());
                    unknown.add(new UnknownField(path(), TextNode.valueOf(p.getText())));
                    return null;
                }
            }
            case ENUM:
                return readEnum(vt.raw());
            case DURATION:
                if (t != JsonToken.VALUE_STRING) throw error("Expected a duration string but got: " + tokenText());
                try {
                    return Durations.parse(p.getText());
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw error("Invalid duration string: " + p.getText());
                }
            case JSON: {
                JsonNode n = p.readValueAsTree();
                if (vt.struct() && n != null && !n.isObject() && !n.isNull()) {
                    throw error("Expect a map object but found: " + n);
                }
                return n != null && n.isNull() && vt.struct() ? null : n;
            }
            case RECORD:
                return readRecord(vt.record());
            case LIST: {
                if (t != JsonToken.START_ARRAY) throw error("Expect an array but found: " + tokenText());
                List<Object> list = new ArrayList<>();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    push("[" + i++ + "]");
                    if (p.currentToken() == JsonToken.VALUE_NULL) {
                        throw error("Repeated field elements cannot be null");
                    }
                    Object v = readValue(vt.element());
                    if (v != null) list.add(v);
                    pop();
                }
                // proto3 has no empty-versus-unset for repeated fields and the encoder omits empty lists, so an empty
                // array decodes to null, the records' "unset": decode(encode(x)) == x holds for every decoded x.
                return list.isEmpty() ? null : java.util.Collections.unmodifiableList(list);
            }
            case MAP: {
                if (t != JsonToken.START_OBJECT) throw error("Expect a map object but found: " + tokenText());
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    push(key);
                    if (map.containsKey(key) && strict) throw error("Map key already set: " + key);
                    if (p.currentToken() == JsonToken.VALUE_NULL) throw error("Map value cannot be null");
                    map.put(key, readValue(vt.element()));
                    pop();
                }
                return map.isEmpty() ? null : java.util.Collections.unmodifiableMap(map); // as for lists
            }
            default:
                throw new AssertionError(vt.kind());
        }
    }

    private long readIntegral() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            try {
                return p.getLongValue();
            } catch (IOException e) {
                throw error("Not an int64 value: " + p.getText());
            }
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_STRING) {
            Long v = integralValue(p.getText());
            if (v != null) return v;
            throw error("Not an integer value: " + p.getText());
        }
        throw error("Not an integer value: " + tokenText());
    }

    /**
     * proto3 JSON integers: a number or a string, and exponent or fraction notation when the value is integral
     * ({@code "1e2"}, {@code "7.0"}), as the proto parsers accept. Null when it is not an integral long.
     */
    static Long integralValue(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            // not plain digits; try the general notation below
        }
        try {
            BigDecimal d = new BigDecimal(s);
            // More than 19 integer digits cannot be a long; checking first also bounds the work for "1e999999999".
            if (d.signum() != 0 && d.precision() - d.scale() > 19) return null;
            return d.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object readEnum(Class<?> type) throws IOException {
        Object[] constants = type.getEnumConstants();
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            String s = p.getText();
            if (!"UNRECOGNIZED".equals(s)) {
                for (Object c : constants) {
                    if (((Enum) c).name().equals(s)) return c;
                }
                Long n = integralValue(s); // the proto parser also takes a number in a string
                if (n != null) return enumByNumber(type, constants, n, s);
            }
            return unknownEnum(type, constants, s);
        }
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            Long n = integralValue(p.getText());
            if (n != null) return enumByNumber(type, constants, n, p.getText());
        }
        throw error("Invalid enum value: " + tokenText() + " for enum type: " + type.getSimpleName());
    }

    private Object enumByNumber(Class<?> type, Object[] constants, long n, String text) {
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw error("Invalid enum value: " + text + " for enum type: " + type.getSimpleName());
        }
        // Our enums list constants in proto number order from 0, with UNRECOGNIZED last.
        if (n >= 0 && n < constants.length - 1) return constants[(int) n];
        // proto3 enums are open and the proto parser keeps an unknown number, but a record cannot carry it (it could
        // not be encoded again), so strict mode rejects it; lenient mode keeps it as UNRECOGNIZED.
        return unknownEnum(type, constants, text);
    }

    private Object unknownEnum(Class<?> type, Object[] constants, String value) {
        if (strict) {
            throw error("Invalid enum value: \"" + value + "\" for enum type: " + type.getSimpleName());
        }
        unknown.add(new UnknownField(path(), TextNode.valueOf(value)));
        return constants[constants.length - 1]; // UNRECOGNIZED
    }
}
