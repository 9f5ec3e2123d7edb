package dev.habla.tools;

import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method as a tool the model may call; register the object with {@link Tools#fromObject(Object)} or
 * {@link ToolRegistry.Builder#addAll(Object)}. Parameters become arguments (see {@link Param}); the return value is
 * sent as {@code {"output": ...}} (Jackson), a thrown exception as {@code {"error": message}}.
 *
 * <pre>{@code
 * @ToolMethod(description = "Current time")
 * public String clock() { ... }
 *
 * @ToolMethod(name = "add_note", description = "Saves a note", behavior = Behavior.NON_BLOCKING, scheduling = Scheduling.SILENT)
 * public void addNote(@Param(description = "The note text") String text) { ... }
 * }</pre>
 *
 * <p>Named apart from the wire record {@link dev.habla.protocol.Tool} (a tool group in the setup), so both packages can be imported together.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ToolMethod {
    /** The function name the model sees; empty = the method name. */
    String name() default "";

    /** What the function does and when to call it; the model decides from this text. */
    String description();

    /** BLOCKING (the model waits) or NON_BLOCKING (the model keeps talking). */
    FunctionDeclaration.Behavior behavior() default FunctionDeclaration.Behavior.BLOCKING;

    /** For NON_BLOCKING tools: how the model uses the result. Ignored (must stay unspecified) for blocking tools. */
    FunctionResponse.Scheduling scheduling() default FunctionResponse.Scheduling.SCHEDULING_UNSPECIFIED;

    /** Per-call time limit in milliseconds; 0 = the registry's default. */
    long timeoutMillis() default 0;
}
