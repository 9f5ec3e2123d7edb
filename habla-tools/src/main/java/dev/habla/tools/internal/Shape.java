package dev.habla.tools.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.tools.Param;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The shape of a Java type as a tool argument: what JSON it takes, how it is described in the schema and how it is
 * bound. Built once per tool at registration (reflection happens there, never per call); immutable afterwards.
 * Unsupported types fail registration with an {@link IllegalArgumentException} naming the argument.
 */
public sealed interface Shape {

    /** What a scalar accepts on the wire. */
    enum ScalarKind { STRING, CHAR, BOOLEAN, BYTE, SHORT, INT, LONG, BIG_INTEGER, FLOAT, DOUBLE, BIG_DECIMAL }

    /** A JSON scalar: string, boolean or number. {@code javaType} is the exact (possibly primitive) class. */
    record Scalar(ScalarKind kind, Class<?> javaType) implements Shape {}

    /**
     * A string parsed into a value type ({@code LocalDate}, {@code UUID}, …). {@code hint} is appended to the
     * description so the model knows the format; {@code format} is the schema format (or null).
     */
    record Parsed(Class<?> javaType, String hint, String format, Function<String, Object> parser) implements Shape {}

    /** A Java enum: a STRING restricted to the constant names. */
    record EnumShape(Class<? extends Enum<?>> type, List<String> names) implements Shape {}

    /** How a JSON array becomes Java. */
    enum CollectionKind { LIST, SET, ARRAY }

    /** A JSON array of one element shape. {@code arrayComponent} is the array's component class for ARRAY. */
    record ArrayShape(Shape element, CollectionKind kind, Class<?> arrayComponent) implements Shape {}

    /** A JSON object with arbitrary keys ({@code Map<String, V>}). */
    record MapShape(Shape value) implements Shape {}

    /** Any JSON, passed through as a Jackson tree. */
    record Json() implements Shape {}

    /** A record: a JSON object with named properties, bound through the canonical constructor. */
    record RecordShape(Class<?> type, List<Field> fields, Constructor<?> constructor) implements Shape {
        /** The wire names, in declaration order. */
        public List<String> names() {
            return fields.stream().map(Field::name).toList();
        }
    }

    /** How an optional argument is wrapped in Java. */
    enum Wrapper { NONE, OPTIONAL, OPTIONAL_INT, OPTIONAL_LONG, OPTIONAL_DOUBLE }

    /**
     * One named argument (a record component or a method parameter).
     *
     * @param name        the wire name
     * @param description from {@link Param#description()}, or null
     * @param required    listed in the schema's {@code required}; missing or null is an error
     * @param wrapper     Optional-style wrapper around the value
     * @param shape       the value's shape (inside the wrapper)
     */
    record Field(String name, String description, boolean required, Wrapper wrapper, Shape shape) {
        /** The Java value of an absent optional argument. */
        public Object absentValue() {
            return switch (wrapper) {
                case OPTIONAL -> Optional.empty();
                case OPTIONAL_INT -> OptionalInt.empty();
                case OPTIONAL_LONG -> OptionalLong.empty();
                case OPTIONAL_DOUBLE -> OptionalDouble.empty();
                case NONE -> shape instanceof Scalar s && s.javaType().isPrimitive() ? primitiveDefault(s.javaType()) : null;
            };
        }
    }

    /** The shape of a record used as a tool's argument object; {@code tool} prefixes error messages. */
    static RecordShape ofArgumentRecord(Class<?> type, String tool) {
        if (!type.isRecord()) {
            throw new IllegalArgumentException(tool + ": argument type " + type.getName() + " must be a record");
        }
        return (RecordShape) of(type, tool, "", new HashSet<>());
    }

    /**
     * The field of one named argument (a method parameter).
     *
     * @param element     where annotations are read ({@link Param}, {@code @Nullable})
     * @param javaName    the Java name (used unless {@link Param#name()} is set); null when javac dropped it
     * @param genericType the declared type
     * @param tool        prefix for error messages, e.g. {@code "tool get_weather"}
     */
    static Field field(AnnotatedElement element, String javaName, Type genericType, String tool) {
        return field(element, javaName, genericType, tool, "", new HashSet<>());
    }

    private static Field field(AnnotatedElement element, String javaName, Type genericType, String tool, String parentPath,
            Set<Class<?>> visiting) {
        Param param = element.getAnnotation(Param.class);
        String name = param != null && !param.name().isEmpty() ? param.name() : javaName;
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(tool + ": an argument has no name (compile with -parameters or set @Param(name = ...))");
        }
        String path = parentPath.isEmpty() ? name : parentPath + "." + name;
        String description = param != null && !param.description().isBlank() ? param.description().strip() : null;
        boolean required = param == null || param.required();
        if (hasNullableAnnotation(element)) {
            required = false;
        }
        Wrapper wrapper = Wrapper.NONE;
        Type valueType = genericType;
        Class<?> raw = rawClass(genericType);
        if (raw == Optional.class) {
            wrapper = Wrapper.OPTIONAL;
            valueType = typeArgument(genericType, 0, tool, path);
        } else if (raw == OptionalInt.class) {
            wrapper = Wrapper.OPTIONAL_INT;
            valueType = int.class;
        } else if (raw == OptionalLong.class) {
            wrapper = Wrapper.OPTIONAL_LONG;
            valueType = long.class;
        } else if (raw == OptionalDouble.class) {
            wrapper = Wrapper.OPTIONAL_DOUBLE;
            valueType = double.class;
        }
        if (wrapper != Wrapper.NONE) {
            required = false;
        }
        Shape shape = of(valueType, tool, path, visiting);
        return new Field(name, description, required, wrapper, shape);
    }

    /** Any runtime {@code @Nullable} (JSR 305, JetBrains, Jakarta, JSpecify type-use...), matched by simple name. */
    private static boolean hasNullableAnnotation(AnnotatedElement element) {
        List<Annotation> all = new ArrayList<>(Arrays.asList(element.getAnnotations()));
        if (element instanceof RecordComponent c) {
            all.addAll(Arrays.asList(c.getAnnotatedType().getAnnotations()));
        } else if (element instanceof java.lang.reflect.Parameter p) {
            all.addAll(Arrays.asList(p.getAnnotatedType().getAnnotations()));
        }
        for (Annotation a : all) {
            if (a.annotationType().getSimpleName().equals("Nullable")) {
                return true;
            }
        }
        return false;
    }

    private static IllegalArgumentException error(String tool, String path, String message, Throwable cause) {
        String where = path.isEmpty() ? tool : tool + ": argument '" + path + "'";
        return new IllegalArgumentException(where + ": " + message, cause);
    }

    private static Shape of(Type type, String tool, String path, Set<Class<?>> visiting) {
        if (type instanceof WildcardType w) {
            Type[] upper = w.getUpperBounds();
            return of(upper.length == 0 ? Object.class : upper[0], tool, path, visiting);
        }
        if (type instanceof GenericArrayType g) {
            Shape element = of(g.getGenericComponentType(), tool, path + "[]", visiting);
            return new ArrayShape(element, CollectionKind.ARRAY, rawClass(g.getGenericComponentType()));
        }
        Class<?> raw = rawClass(type);
        if (raw == null) {
            throw error(tool, path, "unsupported type " + type.getTypeName() + " (type variables cannot be described)", null);
        }
        ScalarKind kind = scalarKind(raw);
        if (kind != null) {
            return new Scalar(kind, raw);
        }
        Parsed parsed = parsed(raw);
        if (parsed != null) {
            return parsed;
        }
        if (raw.isEnum()) {
            @SuppressWarnings("unchecked")
            Class<? extends Enum<?>> e = (Class<? extends Enum<?>>) raw;
            List<String> names = Arrays.stream(e.getEnumConstants()).map(Enum::name).toList();
            return new EnumShape(e, names);
        }
        if (JsonNode.class.isAssignableFrom(raw)) {
            return new Json();
        }
        if (raw.isArray()) {
            Shape element = of(raw.getComponentType(), tool, path + "[]", visiting);
            return new ArrayShape(element, CollectionKind.ARRAY, raw.getComponentType());
        }
        if (raw == List.class || raw == Collection.class || raw == Iterable.class) {
            return new ArrayShape(of(typeArgument(type, 0, tool, path), tool, path + "[]", visiting), CollectionKind.LIST, null);
        }
        if (raw == Set.class) {
            return new ArrayShape(of(typeArgument(type, 0, tool, path), tool, path + "[]", visiting), CollectionKind.SET, null);
        }
        if (raw == Map.class) {
            Type key = typeArgument(type, 0, tool, path);
            if (key != String.class) {
                throw error(tool, path, "maps must have String keys, was " + type.getTypeName(), null);
            }
            return new MapShape(of(typeArgument(type, 1, tool, path), tool, path + ".*", visiting));
        }
        if (raw == Optional.class || raw == OptionalInt.class || raw == OptionalLong.class || raw == OptionalDouble.class) {
            throw error(tool, path, "Optional is only supported as the type of an argument itself, not inside "
                    + type.getTypeName() + " containers", null);
        }
        if (raw.isRecord()) {
            if (!visiting.add(raw)) {
                throw error(tool, path, "record " + raw.getName() + " refers to itself; recursive types cannot be described "
                        + "as a schema", null);
            }
            try {
                RecordComponent[] components = raw.getRecordComponents();
                List<Field> fields = new ArrayList<>(components.length);
                Set<String> seen = new HashSet<>();
                for (RecordComponent c : components) {
                    Field f = field(c, c.getName(), c.getGenericType(), tool, path, visiting);
                    if (!seen.add(f.name())) {
                        throw error(tool, path, "two arguments are named '" + f.name() + "'", null);
                    }
                    fields.add(f);
                }
                Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
                Constructor<?> ctor = raw.getDeclaredConstructor(types);
                try {
                    ctor.setAccessible(true);
                } catch (RuntimeException e) {
                    throw error(tool, path, "cannot access the constructor of " + raw.getName() + ": " + e.getMessage(), e);
                }
                return new RecordShape(raw, List.copyOf(fields), ctor);
            } catch (NoSuchMethodException e) {
                throw error(tool, path, "record " + raw.getName() + " has no canonical constructor", e);
            } finally {
                visiting.remove(raw);
            }
        }
        throw error(tool, path, "unsupported type " + type.getTypeName()
                + " (use String, numbers, boolean, enums, records, List/Set/arrays, Map<String, V>, Optional, java.time types, "
                + "UUID or JsonNode)", null);
    }

    private static ScalarKind scalarKind(Class<?> c) {
        if (c == String.class || c == CharSequence.class) {
            return ScalarKind.STRING;
        }
        if (c == char.class || c == Character.class) {
            return ScalarKind.CHAR;
        }
        if (c == boolean.class || c == Boolean.class) {
            return ScalarKind.BOOLEAN;
        }
        if (c == byte.class || c == Byte.class) {
            return ScalarKind.BYTE;
        }
        if (c == short.class || c == Short.class) {
            return ScalarKind.SHORT;
        }
        if (c == int.class || c == Integer.class) {
            return ScalarKind.INT;
        }
        if (c == long.class || c == Long.class) {
            return ScalarKind.LONG;
        }
        if (c == BigInteger.class) {
            return ScalarKind.BIG_INTEGER;
        }
        if (c == float.class || c == Float.class) {
            return ScalarKind.FLOAT;
        }
        if (c == double.class || c == Double.class || c == Number.class) {
            return ScalarKind.DOUBLE;
        }
        if (c == BigDecimal.class) {
            return ScalarKind.BIG_DECIMAL;
        }
        return null;
    }

    private static Parsed parsed(Class<?> c) {
        if (c == LocalDate.class) {
            return new Parsed(c, "ISO-8601 date, e.g. 2026-05-01", null, LocalDate::parse);
        }
        if (c == LocalTime.class) {
            return new Parsed(c, "ISO-8601 time, e.g. 14:30", null, LocalTime::parse);
        }
        if (c == LocalDateTime.class) {
            return new Parsed(c, "ISO-8601 local date and time, e.g. 2026-05-01T14:30", null, LocalDateTime::parse);
        }
        if (c == OffsetDateTime.class) {
            return new Parsed(c, "ISO-8601 date and time with offset, e.g. 2026-05-01T14:30:00+02:00", "date-time",
                    OffsetDateTime::parse);
        }
        if (c == Instant.class) {
            return new Parsed(c, "ISO-8601 UTC instant, e.g. 2026-05-01T12:30:00Z", "date-time", Instant::parse);
        }
        if (c == Duration.class) {
            return new Parsed(c, "ISO-8601 duration, e.g. PT5M", null, Duration::parse);
        }
        if (c == UUID.class) {
            return new Parsed(c, "UUID", null, UUID::fromString);
        }
        return null;
    }

    private static Object primitiveDefault(Class<?> c) {
        if (c == boolean.class) {
            return false;
        }
        if (c == char.class) {
            return '\0';
        }
        if (c == byte.class) {
            return (byte) 0;
        }
        if (c == short.class) {
            return (short) 0;
        }
        if (c == int.class) {
            return 0;
        }
        if (c == long.class) {
            return 0L;
        }
        if (c == float.class) {
            return 0f;
        }
        return 0d;
    }

    /** The erased class of a type, or null for type variables. */
    static Class<?> rawClass(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return rawClass(p.getRawType());
        }
        if (t instanceof GenericArrayType g) {
            Class<?> component = rawClass(g.getGenericComponentType());
            return component == null ? null : component.arrayType();
        }
        return null;
    }

    private static Type typeArgument(Type t, int index, String tool, String path) {
        if (t instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
            Type a = p.getActualTypeArguments()[index];
            if (a instanceof WildcardType w) {
                Type[] upper = w.getUpperBounds();
                return upper.length == 0 ? Object.class : upper[0];
            }
            return a;
        }
        throw error(tool, path, "raw type " + t.getTypeName() + " needs a type argument", null);
    }
}
