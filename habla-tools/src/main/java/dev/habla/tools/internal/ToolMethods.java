package dev.habla.tools.internal;

import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.Schema;
import dev.habla.tools.ToolMethod;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reflection over {@link ToolMethod}-annotated methods: done once, at registration. */
public final class ToolMethods {
    private ToolMethods() {}

    /** What {@code Tools} needs to build a {@code FunctionTool} from one method. */
    public record Found(String name, String description, Schema parameters, FunctionDeclaration.Behavior behavior,
            FunctionResponse.Scheduling scheduling, Duration timeout, Invoker invoker) {}

    /**
     * The annotated methods of {@code type} and its superclasses; with a null {@code target} only static ones are
     * allowed.
     */
    public static List<Found> scan(Class<?> type, Object target) {
        List<Found> found = new ArrayList<>();
        Set<String> signatures = new HashSet<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                ToolMethod annotation = m.getAnnotation(ToolMethod.class);
                if (annotation == null || m.isSynthetic() || m.isBridge()) {
                    continue;
                }
                // An override in a subclass wins over the method it overrides.
                if (!signatures.add(m.getName() + java.util.Arrays.toString(m.getParameterTypes()))) {
                    continue;
                }
                found.add(describe(m, annotation, target));
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(type.getName() + " has no @ToolMethod methods");
        }
        found.sort(Comparator.comparing(Found::name));
        for (int i = 1; i < found.size(); i++) {
            if (found.get(i).name().equals(found.get(i - 1).name())) {
                throw new IllegalArgumentException(type.getName() + ": two @ToolMethod methods are named '" + found.get(i).name() + "'");
            }
        }
        return List.copyOf(found);
    }

    private static Found describe(Method m, ToolMethod annotation, Object target) {
        String name = annotation.name().isEmpty() ? m.getName() : annotation.name();
        String where = "tool " + name + " (" + m.getDeclaringClass().getSimpleName() + "." + m.getName() + ")";
        boolean isStatic = Modifier.isStatic(m.getModifiers());
        if (!isStatic && target == null) {
            throw new IllegalArgumentException(where + ": instance method needs an object; use Tools.fromObject");
        }
        try {
            m.setAccessible(true);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": cannot access the method: " + e.getMessage(), e);
        }
        List<Shape.Field> fields = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Parameter p : m.getParameters()) {
            Shape.Field f = Shape.field(p, p.isNamePresent() ? p.getName() : null, p.getParameterizedType(), where);
            if (!names.add(f.name())) {
                throw new IllegalArgumentException(where + ": two arguments are named '" + f.name() + "'");
            }
            fields.add(f);
        }
        List<Shape.Field> frozen = List.copyOf(fields);
        Object receiver = isStatic ? null : target;
        boolean isVoid = m.getReturnType() == void.class || m.getReturnType() == Void.class;
        Invoker invoker = args -> {
            Object[] values = ArgumentBinder.bindFields(frozen, args);
            Object result;
            try {
                result = m.invoke(receiver, values);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw e;
            }
            return isVoid ? "ok" : result;
        };
        Duration timeout = annotation.timeoutMillis() > 0 ? Duration.ofMillis(annotation.timeoutMillis()) : null;
        if (annotation.timeoutMillis() < 0) {
            throw new IllegalArgumentException(where + ": timeoutMillis must be >= 0");
        }
        return new Found(name, annotation.description(), SchemaGenerator.parameters(frozen), annotation.behavior(),
                annotation.scheduling(), timeout, invoker);
    }
}
