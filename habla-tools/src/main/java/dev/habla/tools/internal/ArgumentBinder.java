package dev.habla.tools.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Binds the JSON arguments of a {@code FunctionCall} to Java values, strictly: a missing required argument, a value
 * of the wrong JSON type and an argument the declaration does not have are all errors, each naming the argument.
 * Integral numbers sent as {@code 3.0} are accepted for integer arguments (protobuf Struct numbers are doubles);
 * strings are never coerced to numbers or booleans. Pure and thread-safe.
 */
public final class ArgumentBinder {
    private static final int MAX_SHOWN = 60;

    private ArgumentBinder() {}

    /**
     * The values of {@code fields} in order, read from {@code args} (null or a JSON null mean "no arguments").
     *
     * @throws ArgumentException listing every problem
     */
    public static Object[] bindFields(List<Shape.Field> fields, JsonNode args) throws ArgumentException {
        List<String> problems = new ArrayList<>();
        Object[] values = bindObject(fields, args, "", problems);
        if (!problems.isEmpty()) {
            throw new ArgumentException(problems);
        }
        return values;
    }

    /** A record instance read from {@code args}. */
    public static Object bindRecord(Shape.RecordShape shape, JsonNode args) throws ArgumentException {
        Object[] values = bindFields(shape.fields(), args);
        try {
            return shape.constructor().newInstance(values);
        } catch (InvocationTargetException e) {
            // A compact constructor rejected the values: its message is the clearest error for the model.
            Throwable cause = e.getCause();
            throw new ArgumentException(List.of(cause.getMessage() != null ? cause.getMessage() : cause.toString()));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + shape.type().getName(), e);
        }
    }

    private static Object[] bindObject(List<Shape.Field> fields, JsonNode args, String prefix, List<String> problems) {
        Object[] values = new Object[fields.size()];
        if (args == null || args.isNull() || args.isMissingNode()) {
            args = null;
        } else if (!args.isObject()) {
            problems.add((prefix.isEmpty() ? "arguments" : "argument '" + prefix + "'") + " must be an object, got "
                    + describe(args));
            return values;
        }
        if (args != null) {
            List<String> unknown = new ArrayList<>();
            for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (fields.stream().noneMatch(f -> f.name().equals(name))) {
                    unknown.add(path(prefix, name));
                }
            }
            if (!unknown.isEmpty()) {
                String expected = fields.isEmpty() ? (prefix.isEmpty() ? "this function takes no arguments" : "it takes no properties")
                        : "expected " + String.join(", ", fields.stream().map(Shape.Field::name).toList());
                problems.add((unknown.size() == 1 ? "unknown argument '" + unknown.getFirst() + "'"
                        : "unknown arguments " + String.join(", ", unknown.stream().map(u -> "'" + u + "'").toList()))
                        + " (" + expected + ")");
            }
        }
        for (int i = 0; i < fields.size(); i++) {
            Shape.Field f = fields.get(i);
            String path = path(prefix, f.name());
            JsonNode value = args == null ? null : args.get(f.name());
            if (value == null || value.isNull()) {
                if (f.required()) {
                    problems.add("missing required argument '" + path + "'" + (value != null ? " (got null)" : ""));
                } else {
                    values[i] = f.absentValue();
                }
                continue;
            }
            Object v = bindValue(f.shape(), value, path, problems);
            values[i] = switch (f.wrapper()) {
                case NONE -> v;
                case OPTIONAL -> Optional.ofNullable(v);
                case OPTIONAL_INT -> v == null ? OptionalInt.empty() : OptionalInt.of((Integer) v);
                case OPTIONAL_LONG -> v == null ? OptionalLong.empty() : OptionalLong.of((Long) v);
                case OPTIONAL_DOUBLE -> v == null ? OptionalDouble.empty() : OptionalDouble.of((Double) v);
            };
        }
        return values;
    }

    /** Binds one non-null value; on a problem records it and returns null. */
    private static Object bindValue(Shape shape, JsonNode node, String path, List<String> problems) {
        return switch (shape) {
            case Shape.Scalar s -> scalar(s, node, path, problems);
            case Shape.Parsed p -> {
                if (!node.isTextual()) {
                    problems.add(wrongType(path, "a string (" + p.hint() + ")", node));
                    yield null;
                }
                try {
                    yield p.parser().apply(node.textValue());
                } catch (RuntimeException e) {
                    problems.add("argument '" + path + "' must be " + p.hint() + ", got " + describe(node));
                    yield null;
                }
            }
            case Shape.EnumShape e -> enumValue(e, node, path, problems);
            case Shape.ArrayShape a -> array(a, node, path, problems);
            case Shape.MapShape m -> {
                if (!node.isObject()) {
                    problems.add(wrongType(path, "an object", node));
                    yield null;
                }
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> entry : node.properties()) {
                    String p = path(path, entry.getKey());
                    if (entry.getValue().isNull()) {
                        problems.add("argument '" + p + "' must not be null");
                        continue;
                    }
                    map.put(entry.getKey(), bindValue(m.value(), entry.getValue(), p, problems));
                }
                yield Collections.unmodifiableMap(map);
            }
            case Shape.Json j -> node.deepCopy();
            case Shape.RecordShape r -> {
                if (!node.isObject()) {
                    problems.add(wrongType(path, "an object", node));
                    yield null;
                }
                int before = problems.size();
                Object[] values = bindObject(r.fields(), node, path, problems);
                if (problems.size() > before) {
                    yield null;
                }
                try {
                    yield r.constructor().newInstance(values);
                } catch (InvocationTargetException e) {
                    Throwable cause = e.getCause();
                    problems.add("argument '" + path + "': " + (cause.getMessage() != null ? cause.getMessage() : cause.toString()));
                    yield null;
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot construct " + r.type().getName(), e);
                }
            }
        };
    }

    private static Object scalar(Shape.Scalar s, JsonNode node, String path, List<String> problems) {
        switch (s.kind()) {
            case STRING:
                if (node.isTextual()) {
                    return node.textValue();
                }
                problems.add(wrongType(path, "a string", node));
                return null;
            case CHAR:
                if (node.isTextual() && node.textValue().length() == 1) {
                    return node.textValue().charAt(0);
                }
                problems.add(wrongType(path, "a single character", node));
                return null;
            case BOOLEAN:
                if (node.isBoolean()) {
                    return node.booleanValue();
                }
                problems.add(wrongType(path, "a boolean", node));
                return null;
            case FLOAT:
            case DOUBLE:
            case BIG_DECIMAL:
                if (!node.isNumber()) {
                    problems.add(wrongType(path, "a number", node));
                    return null;
                }
                return switch (s.kind()) {
                    case FLOAT -> node.floatValue();
                    case BIG_DECIMAL -> node.decimalValue();
                    default -> node.doubleValue();
                };
            default:
                break;
        }
        // Integral kinds.
        BigInteger integer = integral(node);
        if (integer == null) {
            problems.add(wrongType(path, "an integer", node));
            return null;
        }
        BigInteger min;
        BigInteger max;
        switch (s.kind()) {
            case BYTE -> { min = BigInteger.valueOf(Byte.MIN_VALUE); max = BigInteger.valueOf(Byte.MAX_VALUE); }
            case SHORT -> { min = BigInteger.valueOf(Short.MIN_VALUE); max = BigInteger.valueOf(Short.MAX_VALUE); }
            case INT -> { min = BigInteger.valueOf(Integer.MIN_VALUE); max = BigInteger.valueOf(Integer.MAX_VALUE); }
            case LONG -> { min = BigInteger.valueOf(Long.MIN_VALUE); max = BigInteger.valueOf(Long.MAX_VALUE); }
            default -> { return integer; }
        }
        if (integer.compareTo(min) < 0 || integer.compareTo(max) > 0) {
            problems.add("argument '" + path + "' is out of range [" + min + ", " + max + "]: " + describe(node));
            return null;
        }
        return switch (s.kind()) {
            case BYTE -> integer.byteValue();
            case SHORT -> integer.shortValue();
            case INT -> integer.intValue();
            default -> integer.longValue();
        };
    }

    /** The integer value of a numeric node, accepting integral doubles like {@code 3.0}; null otherwise. */
    private static BigInteger integral(JsonNode node) {
        if (!node.isNumber()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue();
        }
        if (node.getNodeType() == JsonNodeType.NUMBER) {
            if (node.isDouble() || node.isFloat()) {
                double d = node.doubleValue();
                if (!Double.isFinite(d) || d != Math.rint(d)) {
                    return null;
                }
            }
            BigDecimal dec = node.decimalValue();
            try {
                return dec.toBigIntegerExact();
            } catch (ArithmeticException e) {
                return null;
            }
        }
        return null;
    }

    private static Object enumValue(Shape.EnumShape e, JsonNode node, String path, List<String> problems) {
        if (node.isTextual()) {
            String text = node.textValue();
            Enum<?>[] constants = e.type().getEnumConstants();
            for (Enum<?> c : constants) {
                if (c.name().equals(text)) {
                    return c;
                }
            }
            // Models often change the case of enum values ("celsius"); there is no ambiguity unless two constants differ
            // only by case, in which case the exact match above was required.
            Enum<?> match = null;
            int matches = 0;
            for (Enum<?> c : constants) {
                if (c.name().toLowerCase(Locale.ROOT).equals(text.toLowerCase(Locale.ROOT))) {
                    match = c;
                    matches++;
                }
            }
            if (matches == 1) {
                return match;
            }
        }
        problems.add("argument '" + path + "' must be one of " + String.join(", ", e.names()) + ", got " + describe(node));
        return null;
    }

    private static Object array(Shape.ArrayShape a, JsonNode node, String path, List<String> problems) {
        if (!node.isArray()) {
            problems.add(wrongType(path, "an array", node));
            return null;
        }
        List<Object> items = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String p = path + "[" + i + "]";
            if (item.isNull()) {
                problems.add("argument '" + p + "' must not be null");
                items.add(null);
                continue;
            }
            items.add(bindValue(a.element(), item, p, problems));
        }
        return switch (a.kind()) {
            case LIST -> Collections.unmodifiableList(items);
            case SET -> Collections.unmodifiableSet(new LinkedHashSet<>(items));
            case ARRAY -> {
                Object array = Array.newInstance(a.arrayComponent(), items.size());
                for (int i = 0; i < items.size(); i++) {
                    Object v = items.get(i);
                    if (v != null) {
                        Array.set(array, i, v);
                    }
                }
                yield array;
            }
        };
    }

    private static String path(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    private static String wrongType(String path, String expected, JsonNode node) {
        return "argument '" + path + "' must be " + expected + ", got " + describe(node);
    }

    /** A short rendering of a JSON value for error messages: its kind and (abbreviated) text. */
    static String describe(JsonNode node) {
        String kind = switch (node.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
        if (node.isNull()) {
            return "null";
        }
        String text = node.toString();
        if (text.length() > MAX_SHOWN) {
            text = text.substring(0, MAX_SHOWN - 1) + "…";
        }
        return kind + " " + text;
    }
}
