package dev.habla.tools;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes one argument of a tool: a component of a parameter record (lambda tools) or a parameter of a
 * {@link ToolMethod}-annotated method. Without it the Java name is used and the argument is required unless its type is
 * {@link java.util.Optional} (or a type annotated {@code @Nullable}).
 *
 * <pre>{@code
 * record WeatherArgs(@Param(description = "City name") String city,
 *                    @Param(required = false) Unit unit) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
public @interface Param {
    /** The argument's name on the wire; empty = the Java name (methods need {@code javac -parameters}). */
    String name() default "";

    /** What the model should put here; becomes the schema's {@code description}. */
    String description() default "";

    /**
     * False makes the argument optional: it is left out of the schema's {@code required} list and binds to null
     * ({@code Optional.empty()}, or 0/false for primitives) when the model omits it.
     */
    boolean required() default true;
}
