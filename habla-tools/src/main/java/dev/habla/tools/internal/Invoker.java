package dev.habla.tools.internal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Runs one tool with the model's raw arguments: binds them (throwing {@link ArgumentException}) and calls the Java
 * code, returning its result (any Java value, converted to JSON by the caller). Called on the call's own virtual
 * thread; implementations must be thread-safe (parallel calls of the same tool run concurrently).
 */
@FunctionalInterface
public interface Invoker {
    Object invoke(JsonNode args) throws Exception;
}
