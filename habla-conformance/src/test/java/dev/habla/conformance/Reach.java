package dev.habla.conformance;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.UsageMetadata;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which record and enum types the wire model has, and which ones a set of sample values actually uses. */
final class Reach {
    private Reach() {}

    /** Every record and enum type reachable from the client and server message roots, by static types. */
    static Set<Class<?>> declared() {
        Set<Class<?>> out = new LinkedHashSet<>();
        for (Class<?> c : ClientMessage.class.getPermittedSubclasses()) {
            walkType(c, out);
        }
        for (Class<?> c : ServerMessage.class.getPermittedSubclasses()) {
            walkType(c, out);
        }
        walkType(UsageMetadata.class, out);
        return out;
    }

    private static void walkType(Type t, Set<Class<?>> out) {
        if (t instanceof ParameterizedType pt) {
            for (Type a : pt.getActualTypeArguments()) {
                walkType(a, out);
            }
            return;
        }
        if (!(t instanceof Class<?> c) || !(c.isRecord() || c.isEnum()) || !out.add(c)) {
            return;
        }
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                walkType(rc.getGenericType(), out);
            }
        }
    }

    /** Record and enum types of the values inside {@code root} (and their enum constants, as "Type.NAME"). */
    static void used(Object root, Set<Class<?>> types, Set<String> constants) {
        if (root == null) {
            return;
        }
        if (root instanceof List<?> l) {
            l.forEach(e -> used(e, types, constants));
        } else if (root instanceof Map<?, ?> m) {
            m.values().forEach(v -> used(v, types, constants));
        } else if (root instanceof Enum<?> e) {
            types.add(e.getDeclaringClass());
            constants.add(e.getDeclaringClass().getSimpleName() + "." + e.name());
        } else if (root.getClass().isRecord()) {
            types.add(root.getClass());
            for (RecordComponent rc : root.getClass().getRecordComponents()) {
                try {
                    used(rc.getAccessor().invoke(root), types, constants);
                } catch (ReflectiveOperationException ex) {
                    throw new IllegalStateException(ex);
                }
            }
        }
    }
}
