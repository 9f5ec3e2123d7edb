package dev.habla.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import dev.habla.tools.internal.ArgumentException;
import dev.habla.tools.internal.Json;
import dev.habla.tools.internal.ToolTimers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running tool call, started by {@link ToolRegistry#start(FunctionCall)}: the function runs on its own virtual
 * thread ({@code habla-tool-<name>}); a timer bounds it; {@link #cancel(String)} interrupts it.
 *
 * <p>The {@link #outcome()} future completes exactly once, never exceptionally, with whichever happens first: the
 * result, a failure, the timeout or the cancellation; later results are discarded (so no stale answer can escape).
 * Completion callbacks run on the thread that decided the outcome (the call's thread, a timer virtual thread, or the
 * thread that called {@code cancel}); keep them short or use the {@code ...Async} variants.
 */
public final class ToolInvocation {
    private static final Logger log = LoggerFactory.getLogger(ToolInvocation.class);

    private final FunctionCall call;
    private final FunctionTool tool;
    private final Duration timeout;
    private final long startNanos = System.nanoTime();
    private final CompletableFuture<ToolOutcome> outcome = new CompletableFuture<>();
    // Written once in start() before the thread can be interrupted by anyone else (cancel/timeout read it after the
    // outcome is decided); volatile so a canceller on another thread sees it.
    private volatile Thread worker;
    private volatile ScheduledFuture<?> timer;

    ToolInvocation(FunctionCall call, FunctionTool tool, Duration timeout) {
        this.call = call;
        this.tool = tool;
        this.timeout = timeout;
    }

    /** Starts the worker and the timeout; unknown functions fail at once without a thread. */
    void start(String unknownMessage) {
        if (tool == null) {
            outcome.complete(new ToolOutcome.Failed(ToolOutcome.FailureKind.UNKNOWN_FUNCTION, unknownMessage, null, elapsed()));
            return;
        }
        Thread t = Thread.ofVirtual().name("habla-tool-" + tool.name()).unstarted(this::run);
        worker = t;
        if (timeout != null) {
            timer = ToolTimers.schedule(timeout, "habla-tool-timeout-" + tool.name(), this::expire);
        }
        t.start();
    }

    /** The call as the model sent it. */
    public FunctionCall call() {
        return call;
    }

    /** The tool that runs it, or null when the model called an unknown function. */
    public FunctionTool tool() {
        return tool;
    }

    /** The time limit of this call (null = none). */
    public Duration timeout() {
        return timeout;
    }

    /** Completes once with the outcome; never exceptionally. */
    public CompletableFuture<ToolOutcome> outcome() {
        return outcome;
    }

    /** Time since the call started. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /**
     * Cancels the call if it has no outcome yet: the outcome becomes {@link ToolOutcome.Cancelled} and the worker
     * thread is interrupted (the Java function sees {@link InterruptedException} or its interrupt flag). Safe from any
     * thread; does not wait for the function to stop.
     *
     * @return true if this call decided the outcome
     */
    public boolean cancel(String reason) {
        if (outcome.complete(new ToolOutcome.Cancelled(reason, elapsed()))) {
            stop();
            return true;
        }
        return false;
    }

    /**
     * The response for an outcome: {@code {"output": ...}} or {@code {"error": ...}} with the call's id and name, and
     * the tool's scheduling for NON_BLOCKING tools. Null for {@link ToolOutcome.Cancelled} (a cancelled call is never
     * answered).
     */
    public FunctionResponse response(ToolOutcome o) {
        ObjectNode body = switch (o) {
            case ToolOutcome.Completed c -> Json.output(c.output());
            case ToolOutcome.Failed f -> Json.error(f.message());
            case ToolOutcome.TimedOut t -> Json.error("timed out after " + ToolTimers.human(t.timeout()));
            case ToolOutcome.Cancelled c -> null;
        };
        if (body == null) {
            return null;
        }
        FunctionResponse.Scheduling scheduling = tool != null && tool.nonBlocking() ? tool.scheduling() : null;
        return new FunctionResponse(call.id(), call.name(), body, null, false, scheduling);
    }

    private void expire() {
        if (outcome.complete(new ToolOutcome.TimedOut(timeout, elapsed()))) {
            log.debug("Tool {} (call {}) timed out after {}", call.name(), call.id(), timeout);
            stop();
        }
    }

    private void stop() {
        ScheduledFuture<?> tm = timer;
        if (tm != null) {
            tm.cancel(false);
        }
        Thread t = worker;
        if (t != null) {
            t.interrupt();
        }
    }

    /** The worker: binds, runs, converts. Runs on the call's virtual thread. */
    private void run() {
        if (outcome.isDone()) {
            return; // cancelled before the thread got going
        }
        ToolOutcome result;
        try {
            Object value = tool.invoker().invoke(call.args());
            JsonNode json;
            try {
                json = Json.toTree(value);
                result = new ToolOutcome.Completed(json, elapsed());
            } catch (RuntimeException e) {
                log.warn("Tool {} (call {}) returned a value that cannot be converted to JSON", call.name(), call.id(), e);
                result = new ToolOutcome.Failed(ToolOutcome.FailureKind.BAD_RESULT,
                        "the result of " + call.name() + " could not be converted to JSON", e, elapsed());
            }
        } catch (ArgumentException e) {
            result = new ToolOutcome.Failed(ToolOutcome.FailureKind.INVALID_ARGUMENTS, e.getMessage(), e, elapsed());
        } catch (Throwable t) {
            if (outcome.isDone()) {
                // Cancelled or timed out: the exception is most likely the interrupt we caused; nobody wants it.
                log.debug("Tool {} (call {}) ended with {} after its outcome was decided", call.name(), call.id(), t.toString());
                return;
            }
            if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) {
                outcome.complete(new ToolOutcome.Failed(ToolOutcome.FailureKind.EXCEPTION, "internal error", t, elapsed()));
                throw vme;
            }
            if (t instanceof ToolException || t instanceof IllegalArgumentException) {
                log.debug("Tool {} (call {}) failed: {}", call.name(), call.id(), t.toString());
            } else {
                log.warn("Tool {} (call {}) failed", call.name(), call.id(), t); // the trace stays here, never sent
            }
            result = new ToolOutcome.Failed(ToolOutcome.FailureKind.EXCEPTION, messageOf(t), t, elapsed());
        }
        if (outcome.complete(result)) {
            ScheduledFuture<?> tm = timer;
            if (tm != null) {
                tm.cancel(false);
            }
        }
    }

    /** What the model is told about an exception: its message, or its type when it has none. Never a stack trace. */
    static String messageOf(Throwable t) {
        if (t instanceof InterruptedException) {
            return "interrupted";
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    @Override
    public String toString() {
        return "ToolInvocation[" + call.name() + " " + call.id() + ", " + (outcome.isDone() ? outcome.join() : "running") + "]";
    }
}
