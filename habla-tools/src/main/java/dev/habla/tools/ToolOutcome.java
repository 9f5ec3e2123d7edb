package dev.habla.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Objects;

/**
 * How one tool call ended. Exactly one outcome per {@link ToolInvocation}; the first to happen wins (a result that
 * arrives after a timeout or a cancellation is discarded).
 */
public sealed interface ToolOutcome {
    /** Time from the start of the call to this outcome. */
    Duration elapsed();

    /** The function returned; {@code output} is its result as JSON (JSON null for null). */
    record Completed(JsonNode output, Duration elapsed) implements ToolOutcome {
        public Completed {
            Objects.requireNonNull(output, "output");
        }
    }

    /** Why a call failed. */
    enum FailureKind {
        /** The model called a function the registry does not have. */
        UNKNOWN_FUNCTION,
        /** Missing, unknown or mistyped arguments; nothing ran. */
        INVALID_ARGUMENTS,
        /** The function threw; {@code cause} holds the exception (its stack trace is logged, never sent). */
        EXCEPTION,
        /** The function returned a value Jackson cannot turn into JSON. */
        BAD_RESULT
    }

    /** The call failed; {@code message} is what the model is told ({@code {"error": message}}). */
    record Failed(FailureKind kind, String message, Throwable cause, Duration elapsed) implements ToolOutcome {
        public Failed {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }
    }

    /** The call ran longer than {@code timeout}; it was interrupted and the model is told so. */
    record TimedOut(Duration timeout, Duration elapsed) implements ToolOutcome {}

    /** The call was cancelled (the server cancelled it, the session closed, or the caller asked); nothing is sent. */
    record Cancelled(String reason, Duration elapsed) implements ToolOutcome {}
}
