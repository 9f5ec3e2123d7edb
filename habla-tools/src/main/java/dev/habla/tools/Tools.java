package dev.habla.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.protocol.Schema;
import dev.habla.tools.internal.ArgumentBinder;
import dev.habla.tools.internal.ArgumentException;
import dev.habla.tools.internal.SchemaGenerator;
import dev.habla.tools.internal.ToolMethods;
import dev.habla.tools.internal.Shape;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Factories of {@link FunctionTool}s from Java code. The parameter schema is generated from the Java types once, at
 * registration; unsupported types fail here with an {@link IllegalArgumentException} naming the argument.
 *
 * <pre>{@code
 * enum Unit { CELSIUS, FAHRENHEIT }
 * record WeatherArgs(@Param(description = "City name") String city, @Param(required = false) Unit unit) {}
 * record Weather(double temperature, String sky) {}
 *
 * FunctionTool weather = Tools.function("get_weather", "Current weather for a city", WeatherArgs.class,
 *         args -> new Weather(18.5, "clear"));
 * List<FunctionTool> fromMethods = Tools.fromObject(new MyTools());   // its @ToolMethod methods
 * }</pre>
 *
 * <p>Supported argument types: String, char, boolean, all Java integral and floating types (boxed too), BigInteger,
 * BigDecimal, enums, records (nested objects), {@code List}/{@code Set}/arrays, {@code Map<String, V>},
 * {@code Optional}/{@code OptionalInt}/... (optional arguments), {@code LocalDate}, {@code LocalTime},
 * {@code LocalDateTime}, {@code OffsetDateTime}, {@code Instant}, {@code Duration}, {@code UUID} (ISO-8601 strings) and
 * {@code JsonNode} (any JSON).
 */
public final class Tools {
    private Tools() {}

    /**
     * A tool whose arguments are the components of {@code argsType} (a record).
     *
     * @throws IllegalArgumentException for an invalid name, a missing description or an unsupported argument type
     */
    public static <A, R> FunctionTool function(String name, String description, Class<A> argsType, ToolFunction<A, R> body) {
        Objects.requireNonNull(argsType, "argsType");
        Objects.requireNonNull(body, "body");
        Shape.RecordShape shape = Shape.ofArgumentRecord(argsType, "tool " + name);
        Schema parameters = SchemaGenerator.parameters(shape.fields());
        return new FunctionTool(name, description, parameters, null, null, null, args -> {
            A bound = argsType.cast(ArgumentBinder.bindRecord(shape, args));
            return body.apply(bound);
        });
    }

    /** A tool without arguments (any argument the model sends is refused as unknown). */
    public static <R> FunctionTool function(String name, String description, Callable<R> body) {
        Objects.requireNonNull(body, "body");
        return new FunctionTool(name, description, null, null, null, null, args -> {
            ArgumentBinder.bindFields(List.of(), args);
            return body.call();
        });
    }

    /**
     * A tool that takes the model's arguments as a raw JSON object, described by a hand-written schema (null for no
     * arguments). Nothing is validated: the body does it.
     */
    public static <R> FunctionTool rawFunction(String name, String description, Schema parameters, ToolFunction<JsonNode, R> body) {
        Objects.requireNonNull(body, "body");
        return new FunctionTool(name, description, parameters, null, null, null, args -> {
            if (args != null && !args.isNull() && !args.isObject()) {
                throw new ArgumentException(List.of("arguments must be an object"));
            }
            return body.apply(args == null || args.isNull() ? dev.habla.tools.internal.Json.mapper().createObjectNode() : args);
        });
    }

    /**
     * The {@link ToolMethod}-annotated methods of {@code target} (instance and static, any visibility, including inherited
     * ones), sorted by tool name.
     *
     * @throws IllegalArgumentException if there are none, or one has an unsupported parameter type
     */
    public static List<FunctionTool> fromObject(Object target) {
        Objects.requireNonNull(target, "target");
        return ToolMethods.scan(target.getClass(), target).stream()
                .map(m -> new FunctionTool(m.name(), m.description(), m.parameters(), m.behavior(), m.scheduling(), m.timeout(),
                        m.invoker()))
                .toList();
    }

    /** The static {@link ToolMethod}-annotated methods of {@code type}, sorted by tool name. */
    public static List<FunctionTool> fromClass(Class<?> type) {
        Objects.requireNonNull(type, "type");
        return ToolMethods.scan(type, null).stream()
                .map(m -> new FunctionTool(m.name(), m.description(), m.parameters(), m.behavior(), m.scheduling(), m.timeout(),
                        m.invoker()))
                .toList();
    }
}
