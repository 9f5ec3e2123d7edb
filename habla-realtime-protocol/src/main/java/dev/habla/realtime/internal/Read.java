package dev.habla.realtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.realtime.RealtimeProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Typed reads of one field of a JSON object, with the service's error vocabulary when the value has the wrong type
 * or a required one is missing. {@code path} is the dotted wire path of the object ({@code ""} at the top). JSON
 * null reads as absent. Stateless; any thread.
 */
final class Read {
    private Read() {}

    static String path(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    static JsonNode present(ObjectNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v;
    }

    static String str(ObjectNode n, String field, String path) {
        JsonNode v = present(n, field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(path(path, field), "a string", v);
        }
        return v.textValue();
    }

    static String reqStr(ObjectNode n, String field, String path) {
        String s = str(n, field, path);
        if (s == null) {
            throw missing(path(path, field));
        }
        return s;
    }

    static Long lng(ObjectNode n, String field, String path) {
        JsonNode v = present(n, field);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
            throw wrongType(path(path, field), "an integer", v);
        }
        return v.longValue();
    }

    static long lng(ObjectNode n, String field, String path, long absent) {
        Long v = lng(n, field, path);
        return v == null ? absent : v;
    }

    static long reqLng(ObjectNode n, String field, String path) {
        Long v = lng(n, field, path);
        if (v == null) {
            throw missing(path(path, field));
        }
        return v;
    }

    static Integer integer(ObjectNode n, String field, String path) {
        Long v = lng(n, field, path);
        if (v != null && (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE)) {
            throw new RealtimeProtocolException("integer_above_max_value", path(path, field),
                    "Invalid '" + path(path, field) + "': integer out of range.");
        }
        return v == null ? null : v.intValue();
    }

    static int integer(ObjectNode n, String field, String path, int absent) {
        Integer v = integer(n, field, path);
        return v == null ? absent : v;
    }

    static Double dbl(ObjectNode n, String field, String path) {
        JsonNode v = present(n, field);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw wrongType(path(path, field), "a number", v);
        }
        return v.doubleValue();
    }

    static Boolean bool(ObjectNode n, String field, String path) {
        JsonNode v = present(n, field);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw wrongType(path(path, field), "a boolean", v);
        }
        return v.booleanValue();
    }

    static ObjectNode obj(ObjectNode n, String field, String path) {
        JsonNode v = present(n, field);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw wrongType(path(path, field), "an object", v);
        }
        return (ObjectNode) v;
    }

    static List<String> strings(ObjectNode n, String field, String path) {
        return list(n, field, path, (e, p) -> {
            if (!e.isTextual()) {
                throw wrongType(p, "a string", e);
            }
            return e.textValue();
        });
    }

    /** Reads an array; {@code element} gets each element and its path ({@code field[i]}). */
    static <T> List<T> list(ObjectNode n, String field, String path, BiFunction<JsonNode, String, T> element) {
        JsonNode v = present(n, field);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw wrongType(path(path, field), "an array", v);
        }
        List<T> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            out.add(element.apply(v.get(i), path(path, field) + "[" + i + "]"));
        }
        return out;
    }

    static ObjectNode asObject(JsonNode v, String path) {
        if (!v.isObject()) {
            throw wrongType(path, "an object", v);
        }
        return (ObjectNode) v;
    }

    static RealtimeProtocolException missing(String param) {
        return new RealtimeProtocolException("missing_required_parameter", param,
                "Missing required parameter: '" + param + "'.");
    }

    static RealtimeProtocolException wrongType(String param, String expected, JsonNode got) {
        return new RealtimeProtocolException("invalid_type", param, "Invalid type for '" + param + "': expected "
                + expected + ", but got " + kind(got) + " instead.");
    }

    private static String kind(JsonNode v) {
        return switch (v.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> v.isIntegralNumber() ? "an integer" : "a decimal";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            default -> "null";
        };
    }
}
