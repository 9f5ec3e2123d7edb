package dev.habla.tools.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The one {@link ObjectMapper} that turns tool results into JSON: records and beans as objects, java.time values as
 * their ISO-8601 text (without pulling in jackson-datatype-jsr310), empty beans as {}. Thread-safe once built.
 */
public final class Json {
    private static final ObjectMapper MAPPER = createMapper();

    private Json() {}

    private static ObjectMapper createMapper() {
        SimpleModule time = new SimpleModule("habla-tools-time");
        for (Class<?> c : new Class<?>[] {Instant.class, LocalDate.class, LocalTime.class, LocalDateTime.class,
                OffsetDateTime.class, ZonedDateTime.class, Duration.class, ZoneId.class}) {
            time.addSerializer(c, ToStringSerializer.instance);
        }
        return new ObjectMapper()
                .registerModule(time)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }

    /** The shared mapper (do not reconfigure). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * The JSON form of a tool's return value: null stays JSON null, {@link Optional}s are unwrapped, JSON trees are
     * used as they are.
     *
     * @throws IllegalArgumentException if Jackson cannot serialise the value
     */
    public static JsonNode toTree(Object value) {
        if (value instanceof Optional<?> o) {
            value = o.orElse(null);
        } else if (value instanceof OptionalInt o) {
            value = o.isPresent() ? o.getAsInt() : null;
        } else if (value instanceof OptionalLong o) {
            value = o.isPresent() ? o.getAsLong() : null;
        } else if (value instanceof OptionalDouble o) {
            value = o.isPresent() ? o.getAsDouble() : null;
        }
        if (value == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        return MAPPER.valueToTree(value);
    }

    /** {@code {"output": value}}. */
    public static ObjectNode output(JsonNode value) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("output", value);
        return o;
    }

    /** {@code {"error": message}}. */
    public static ObjectNode error(String message) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("error", message);
        return o;
    }
}
