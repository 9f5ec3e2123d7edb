package dev.habla.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.protocol.FunctionCall;
import java.time.Duration;

/**
 * What a {@link ToolRunner} reports about tool calls, for displays, logs and metrics. For each call: one
 * {@link Started}, then exactly one of {@link Completed}, {@link Failed}, {@link TimedOut} or {@link Cancelled};
 * {@link NotDelivered} may follow a Completed/Failed/TimedOut whose response could not be queued.
 */
public sealed interface ToolActivity {
    /** The call this is about (id, name, arguments as the model sent them). */
    FunctionCall call();

    /** The call started running. */
    record Started(FunctionCall call) implements ToolActivity {}

    /** The function returned {@code output}; the response was handed to the session. */
    record Completed(FunctionCall call, JsonNode output, Duration elapsed) implements ToolActivity {}

    /** The call failed (unknown function, invalid arguments, exception, unconvertible result); the model got {@code error}. */
    record Failed(FunctionCall call, ToolOutcome.FailureKind kind, String error, Duration elapsed) implements ToolActivity {}

    /** The call exceeded {@code timeout}; it was interrupted and the model got an error. */
    record TimedOut(FunctionCall call, Duration timeout) implements ToolActivity {}

    /**
     * The call was cancelled ({@code reason}: the server's {@code toolCallCancellation}, the session closing, or the
     * runner closing); it was interrupted and nothing was or will be sent for it.
     */
    record Cancelled(FunctionCall call, String reason, Duration elapsed) implements ToolActivity {}

    /** The response could not be queued ({@code reason}: the session was closed or over its send budget): it is lost. */
    record NotDelivered(FunctionCall call, String reason) implements ToolActivity {}
}
