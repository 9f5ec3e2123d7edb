package dev.habla.tools;

import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionDeclaration.Behavior;
import dev.habla.protocol.FunctionResponse.Scheduling;
import dev.habla.protocol.Schema;
import dev.habla.tools.internal.Invoker;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One Java function the model may call: its declaration (name, description, parameter schema, behavior), how its
 * results are scheduled, its time limit, and the code. Immutable; the {@code behavior}, {@code scheduling} and
 * {@code timeout} methods return modified copies:
 *
 * <pre>{@code
 * FunctionTool weather = Tools.function("get_weather", "Current weather for a city", WeatherArgs.class, this::weather)
 *         .timeout(Duration.ofSeconds(5));
 * FunctionTool remind = Tools.function("remind", "Sets a reminder", RemindArgs.class, this::remind)
 *         .behavior(Behavior.NON_BLOCKING).scheduling(Scheduling.SILENT);
 * }</pre>
 *
 * Created by {@link Tools}.
 */
public final class FunctionTool {
    /** Gemini's rule for function names: a letter or underscore, then letters, digits, _ . : -; at most 64. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.:-]{0,63}");

    private final String name;
    private final String description;
    private final Schema parameters;
    private final Behavior behavior;
    private final Scheduling scheduling;
    private final Duration timeout;
    private final Invoker invoker;

    FunctionTool(String name, String description, Schema parameters, Behavior behavior, Scheduling scheduling, Duration timeout,
            Invoker invoker) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid tool name '" + name + "': must start with a letter or underscore and "
                    + "contain only letters, digits, '_', '.', ':' or '-' (at most 64 characters)");
        }
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("tool " + name + ": a description is required (the model decides from it)");
        }
        behavior = behavior == null || behavior == Behavior.UNSPECIFIED ? Behavior.BLOCKING : behavior;
        if (behavior == Behavior.UNRECOGNIZED) {
            throw new IllegalArgumentException("tool " + name + ": behavior must be BLOCKING or NON_BLOCKING");
        }
        if (scheduling == Scheduling.SCHEDULING_UNSPECIFIED) {
            scheduling = null;
        }
        if (scheduling == Scheduling.UNRECOGNIZED) {
            throw new IllegalArgumentException("tool " + name + ": scheduling must be SILENT, WHEN_IDLE or INTERRUPT");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("tool " + name + ": timeout must be positive, was " + timeout);
        }
        this.name = name;
        this.description = description.strip();
        this.parameters = parameters;
        this.behavior = behavior;
        this.scheduling = scheduling;
        this.timeout = timeout;
        this.invoker = Objects.requireNonNull(invoker, "invoker");
    }

    /** The function name the model calls. */
    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** The generated parameter schema (an OBJECT), or null for a function without arguments. */
    public Schema parameters() {
        return parameters;
    }

    /** BLOCKING (default) or NON_BLOCKING. */
    public Behavior behavior() {
        return behavior;
    }

    /** True for NON_BLOCKING tools. */
    public boolean nonBlocking() {
        return behavior == Behavior.NON_BLOCKING;
    }

    /** How the model uses a NON_BLOCKING result (null = the server's default, WHEN_IDLE). */
    public Scheduling scheduling() {
        return scheduling;
    }

    /** The per-call limit, or null to use the registry's default. */
    public Duration timeout() {
        return timeout;
    }

    /** A copy with another behavior. {@code NON_BLOCKING} lets the model keep talking while the call runs. */
    public FunctionTool behavior(Behavior behavior) {
        return new FunctionTool(name, description, parameters, behavior, scheduling, timeout, invoker);
    }

    /**
     * A copy whose responses carry {@code scheduling}: {@code SILENT} (only added to the context), {@code WHEN_IDLE}
     * (spoken after the current output) or {@code INTERRUPT} (spoken now). Only NON_BLOCKING tools may set it; the
     * registry refuses a blocking tool with a scheduling.
     */
    public FunctionTool scheduling(Scheduling scheduling) {
        return new FunctionTool(name, description, parameters, behavior, scheduling, timeout, invoker);
    }

    /** A copy with a per-call time limit; when it expires the call is interrupted and the model gets an error. */
    public FunctionTool timeout(Duration timeout) {
        return new FunctionTool(name, description, parameters, behavior, scheduling, Objects.requireNonNull(timeout, "timeout"),
                invoker);
    }

    /** A copy with another description. */
    public FunctionTool description(String description) {
        return new FunctionTool(name, description, parameters, behavior, scheduling, timeout, invoker);
    }

    /** The wire declaration ({@code behavior} is only written for NON_BLOCKING, the server's default being BLOCKING). */
    public FunctionDeclaration declaration() {
        return new FunctionDeclaration(name, description, parameters, null, null, null, nonBlocking() ? Behavior.NON_BLOCKING : null);
    }

    Invoker invoker() {
        return invoker;
    }

    @Override
    public String toString() {
        return "FunctionTool[" + name + (nonBlocking() ? ", NON_BLOCKING" : "") + (scheduling != null ? ", " + scheduling : "")
                + (timeout != null ? ", timeout=" + timeout : "") + "]";
    }
}
