package dev.habla.tools;

import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The tools of a session: built once, immutable, thread-safe, shareable between sessions.
 *
 * <pre>{@code
 * ToolRegistry registry = ToolRegistry.create(r -> r
 *         .add(Tools.function("get_weather", "Current weather for a city", WeatherArgs.class, this::weather))
 *         .addAll(new MyTools())                       // @ToolMethod methods
 *         .add(BuiltinTools.calculator())
 *         .defaultTimeout(Duration.ofSeconds(10)));
 * SessionConfig config = SessionConfig.create(b -> b.model(model).tools(registry.declarations()));
 * }</pre>
 *
 * <p>{@link #handle(FunctionCall)} runs one call and produces its {@link FunctionResponse}; {@link ToolRunner} does
 * that for every call of a live session.
 */
public final class ToolRegistry {
    /** Used when neither the tool nor the builder sets a limit: a blocking call stalls the conversation meanwhile. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, FunctionTool> tools;
    private final Duration defaultTimeout;
    private final List<dev.habla.protocol.Tool> declarations;

    private ToolRegistry(Builder b) {
        Map<String, FunctionTool> map = new LinkedHashMap<>();
        for (FunctionTool t : b.tools) {
            if (map.putIfAbsent(t.name(), t) != null) {
                throw new IllegalArgumentException("two tools are named '" + t.name() + "'");
            }
            if (!t.nonBlocking() && t.scheduling() != null) {
                throw new IllegalArgumentException("tool " + t.name() + ": scheduling " + t.scheduling()
                        + " only applies to NON_BLOCKING tools; add .behavior(Behavior.NON_BLOCKING) or drop the scheduling");
            }
        }
        this.tools = Collections.unmodifiableMap(map);
        this.defaultTimeout = b.defaultTimeout;
        List<dev.habla.protocol.Tool> decl = new ArrayList<>();
        if (!map.isEmpty()) {
            List<FunctionDeclaration> functions = map.values().stream().map(FunctionTool::declaration).toList();
            decl.add(dev.habla.protocol.Tool.ofFunctions(functions));
        }
        if (b.codeExecution) {
            decl.add(dev.habla.protocol.Tool.ofCodeExecution());
        }
        if (b.googleSearch) {
            decl.add(dev.habla.protocol.Tool.ofGoogleSearch());
        }
        this.declarations = List.copyOf(decl);
    }

    /**
     * A registry with what {@code spec} adds, in the {@code Consumer<Builder>} style of the other factories
     * ({@code LiveClient.create}, {@code SessionConfig.create}, ...).
     *
     * @throws IllegalArgumentException for duplicate names or a scheduling on a blocking tool
     */
    public static ToolRegistry create(Consumer<Builder> spec) {
        Builder b = new Builder();
        spec.accept(b);
        return new ToolRegistry(b);
    }

    /** A registry of these tools with the default timeout. */
    public static ToolRegistry of(FunctionTool... tools) {
        return create(r -> r.add(List.of(tools)));
    }

    /** The registered tools, in registration order. */
    public Collection<FunctionTool> tools() {
        return tools.values();
    }

    /** The tool with this function name. */
    public Optional<FunctionTool> tool(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    /** The limit used for tools that set none. */
    public Duration defaultTimeout() {
        return defaultTimeout;
    }

    /**
     * The setup's {@code tools}: one entry with every function declaration (if any), then the server-side tools asked
     * for ({@code codeExecution}, {@code googleSearch}). Empty for an empty registry.
     */
    public List<dev.habla.protocol.Tool> declarations() {
        return declarations;
    }

    /**
     * Starts one call on its own virtual thread and returns the running {@link ToolInvocation}. Never throws for bad
     * calls: an unknown function or invalid arguments become a failed outcome.
     */
    public ToolInvocation start(FunctionCall call) {
        Objects.requireNonNull(call, "call");
        FunctionTool tool = call.name() == null ? null : tools.get(call.name());
        Duration timeout = tool == null ? null : tool.timeout() != null ? tool.timeout() : defaultTimeout;
        ToolInvocation inv = new ToolInvocation(call, tool, timeout);
        inv.start("unknown function '" + call.name() + "'" + (tools.isEmpty() ? "" : "; available: " + String.join(", ", tools.keySet())));
        return inv;
    }

    /**
     * Runs one call: binds and validates the arguments, runs the function on a virtual thread (bounded by its
     * timeout) and completes with the response carrying the call's id and name: {@code {"output": result}} or
     * {@code {"error": message}}. The future never completes exceptionally, except that {@code cancel(true)} (or
     * {@code cancel(false)}) interrupts the function and cancels the future.
     */
    public CompletableFuture<FunctionResponse> handle(FunctionCall call) {
        ToolInvocation inv = start(call);
        CompletableFuture<FunctionResponse> f = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                inv.cancel("cancelled by the caller");
                return super.cancel(mayInterruptIfRunning);
            }
        };
        inv.outcome().thenAccept(o -> {
            FunctionResponse r = inv.response(o);
            if (r != null) {
                f.complete(r);
            } else {
                f.cancel(false);
            }
        });
        return f;
    }

    @Override
    public String toString() {
        return "ToolRegistry" + tools.keySet();
    }

    /** Collects tools for {@link #create(Consumer)}; not thread-safe. */
    public static final class Builder {
        private final List<FunctionTool> tools = new ArrayList<>();
        private Duration defaultTimeout = DEFAULT_TIMEOUT;
        private boolean codeExecution;
        private boolean googleSearch;

        private Builder() {}

        public Builder add(FunctionTool tool) {
            tools.add(Objects.requireNonNull(tool, "tool"));
            return this;
        }

        public Builder add(Collection<FunctionTool> tools) {
            tools.forEach(this::add);
            return this;
        }

        /** The {@link ToolMethod}-annotated methods of {@code annotated} (see {@link Tools#fromObject(Object)}). */
        public Builder addAll(Object annotated) {
            return add(Tools.fromObject(annotated));
        }

        /** The limit of tools that set none (default {@link #DEFAULT_TIMEOUT}). */
        public Builder defaultTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("defaultTimeout must be positive, was " + timeout);
            }
            this.defaultTimeout = timeout;
            return this;
        }

        /** Also declare the server-side code-execution tool (its activity arrives as events; nothing runs here). */
        public Builder codeExecution(boolean on) {
            this.codeExecution = on;
            return this;
        }

        /** Also declare server-side Google Search grounding. */
        public Builder googleSearch(boolean on) {
            this.googleSearch = on;
            return this;
        }
    }
}
