package dev.habla.tools;

/**
 * The Java body of a tool registered with {@link Tools#function(String, String, Class, ToolFunction)}: takes the
 * bound argument record and returns a result (converted to JSON with Jackson; null and void-like results become
 * JSON null). It runs on a virtual thread of its own and may block; it should stop when interrupted (the call was
 * cancelled or timed out). Any exception becomes an {@code {"error": message}} response.
 *
 * @param <A> the argument record
 * @param <R> the result
 */
@FunctionalInterface
public interface ToolFunction<A, R> {
    R apply(A args) throws Exception;
}
