package dev.habla.protocol.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.protocol.OneOf;
import dev.habla.protocol.ProtoName;
import dev.habla.protocol.Struct;
import dev.habla.protocol.Timestamp;
import dev.habla.protocol.WireName;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Wire schema derived once per record class from its components: wire names (camelCase plus the snake_case alias),
 * value kinds, oneof groups, and method handles for the accessors and the canonical constructor. Immutable after
 * construction; cached in a concurrent map, so any thread may use it.
 */
final class WireSchema {

    enum Kind { STRING, TIMESTAMP, BOOL, INT, LONG, DOUBLE, BYTES, ENUM, DURATION, JSON, RECORD, LIST, MAP }

    /** Describes the Java type of a value. */
    record ValueType(Kind kind, Class<?> raw, ValueType element, boolean primitive, boolean struct) {
        RecordSchema record() {
            return WireSchema.of(raw);
        }
    }

    /** One component of a record. */
    static final class Field {
        final String name;        // camelCase wire name
        final String snakeName;   // proto field name
        final int index;
        final ValueType type;
        final String oneof;       // group name or null
        final MethodHandle accessor; // (Object)Object

        Field(String name, String protoName, int index, ValueType type, String oneof, MethodHandle accessor) {
            this.name = name;
            this.snakeName = protoName != null ? protoName : camelToSnake(name);
            this.index = index;
            this.type = type;
            this.oneof = oneof;
            this.accessor = accessor;
        }
    }

    /** Schema of one record class. */
    static final class RecordSchema {
        final Class<?> type;
        final String protoName;
        final Field[] fields;
        final Map<String, Field> byName;
        final MethodHandle constructor; // (Object[])Object
        final Object[] defaults;        // per index: default for primitives, else null

        RecordSchema(Class<?> type) {
            this.type = type;
            ProtoName pn = type.getAnnotation(ProtoName.class);
            this.protoName = pn != null ? pn.value() : type.getSimpleName();
            RecordComponent[] comps = type.getRecordComponents();
            if (comps == null) {
                throw new IllegalArgumentException(type + " is not a record");
            }
            fields = new Field[comps.length];
            byName = new HashMap<>();
            defaults = new Object[comps.length];
            Class<?>[] ctorTypes = new Class<?>[comps.length];
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            try {
                for (int i = 0; i < comps.length; i++) {
                    RecordComponent c = comps[i];
                    WireName wn = c.getAnnotation(WireName.class);
                    String name = wn != null ? wn.value() : c.getName();
                    OneOf oo = c.getAnnotation(OneOf.class);
                    ValueType vt = valueType(c.getGenericType(), c.isAnnotationPresent(Struct.class));
                    if (c.isAnnotationPresent(Timestamp.class) && vt.kind() == Kind.STRING) {
                        vt = new ValueType(Kind.TIMESTAMP, String.class, null, false, false);
                    }
                    MethodHandle acc = lookup.unreflect(c.getAccessor()).asType(MethodType.methodType(Object.class, Object.class));
                    String protoName = wn != null && !wn.proto().isEmpty() ? wn.proto() : null;
                    fields[i] = new Field(name, protoName, i, vt, oo == null ? null : oo.value(), acc);
                    byName.put(name, fields[i]);
                    byName.putIfAbsent(fields[i].snakeName, fields[i]);
                    ctorTypes[i] = c.getType();
                    defaults[i] = primitiveDefault(c.getType());
                }
                constructor = lookup.findConstructor(type, MethodType.methodType(void.class, ctorTypes))
                        .asSpreader(Object[].class, comps.length)
                        .asType(MethodType.methodType(Object.class, Object[].class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot build wire schema of " + type, e);
            }
        }

        Object newInstance(Object[] args) {
            try {
                return (Object) constructor.invokeExact(args);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    // ClassValue: a lookup per record per frame, cheaper than a ConcurrentHashMap probe. Recursive types
    // (Schema.items) resolve lazily through ValueType.record(), so computeValue never re-enters itself.
    private static final ClassValue<RecordSchema> CACHE = new ClassValue<>() {
        @Override
        protected RecordSchema computeValue(Class<?> type) {
            return new RecordSchema(type);
        }
    };

    private WireSchema() {}

    static RecordSchema of(Class<?> type) {
        return CACHE.get(type);
    }

    static Object get(Field f, Object record) {
        try {
            return (Object) f.accessor.invokeExact(record);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static ValueType valueType(Type t, boolean struct) {
        if (t instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            if (raw == List.class) {
                return new ValueType(Kind.LIST, raw, valueType(pt.getActualTypeArguments()[0], false), false, false);
            }
            if (raw == Map.class) {
                return new ValueType(Kind.MAP, raw, valueType(pt.getActualTypeArguments()[1], false), false, false);
            }
            throw new IllegalArgumentException("unsupported wire type " + t);
        }
        Class<?> c = (Class<?>) t;
        if (c == String.class) return new ValueType(Kind.STRING, c, null, false, false);
        if (c == boolean.class || c == Boolean.class) return new ValueType(Kind.BOOL, c, null, c.isPrimitive(), false);
        if (c == int.class || c == Integer.class) return new ValueType(Kind.INT, c, null, c.isPrimitive(), false);
        if (c == long.class || c == Long.class) return new ValueType(Kind.LONG, c, null, c.isPrimitive(), false);
        if (c == double.class || c == Double.class) return new ValueType(Kind.DOUBLE, c, null, c.isPrimitive(), false);
        if (c == byte[].class) return new ValueType(Kind.BYTES, c, null, false, false);
        if (c == Duration.class) return new ValueType(Kind.DURATION, c, null, false, false);
        if (JsonNode.class.isAssignableFrom(c)) return new ValueType(Kind.JSON, c, null, false, struct);
        if (c.isEnum()) return new ValueType(Kind.ENUM, c, null, false, false);
        if (c.isRecord()) return new ValueType(Kind.RECORD, c, null, false, false);
        throw new IllegalArgumentException("unsupported wire type " + c);
    }

    private static Object primitiveDefault(Class<?> c) {
        if (c == boolean.class) return Boolean.FALSE;
        if (c == int.class) return 0;
        if (c == long.class) return 0L;
        if (c == double.class) return 0.0d;
        return null;
    }

    static String camelToSnake(String s) {
        StringBuilder b = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isUpperCase(ch)) {
                b.append('_').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }
}
