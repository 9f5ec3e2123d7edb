package dev.habla.tools.internal;

import dev.habla.protocol.Schema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns {@link Shape}s into the protocol's OpenAPI-subset {@link Schema}: records become OBJECT with properties in
 * declaration order and a {@code required} list, enums STRING with {@code enum} values, collections ARRAY, integral
 * types INTEGER, floating types NUMBER. Pure and stateless.
 */
public final class SchemaGenerator {
    private SchemaGenerator() {}

    /**
     * The {@code parameters} schema of a function whose arguments are {@code fields}; null when there are none (an OBJECT
     * without properties is rejected by some Gemini versions, and a declaration may omit {@code parameters}).
     */
    public static Schema parameters(List<Shape.Field> fields) {
        if (fields.isEmpty()) {
            return null;
        }
        return object(fields, null);
    }

    /** The schema of one shape with a description (or null). */
    public static Schema of(Shape shape, String description) {
        return switch (shape) {
            case Shape.Scalar s -> switch (s.kind()) {
                case STRING -> schema(Schema.Type.STRING, null, description, null, null, null, null);
                case CHAR -> schema(Schema.Type.STRING, null, join(description, "a single character"), null, null, null, null);
                case BOOLEAN -> schema(Schema.Type.BOOLEAN, null, description, null, null, null, null);
                case BYTE, SHORT, INT, LONG, BIG_INTEGER -> schema(Schema.Type.INTEGER, null, description, null, null, null, null);
                case FLOAT, DOUBLE, BIG_DECIMAL -> schema(Schema.Type.NUMBER, null, description, null, null, null, null);
            };
            case Shape.Parsed p -> schema(Schema.Type.STRING, p.format(), join(description, p.hint()), null, null, null, null);
            case Shape.EnumShape e -> schema(Schema.Type.STRING, "enum", description, e.names(), null, null, null);
            case Shape.ArrayShape a -> schema(Schema.Type.ARRAY, null, description, null, of(a.element(), null), null, null);
            case Shape.MapShape m -> schema(Schema.Type.OBJECT, null,
                    join(description, "an object whose values are " + valueHint(m.value())), null, null, null, null);
            case Shape.Json j -> schema(Schema.Type.OBJECT, null, description, null, null, null, null);
            case Shape.RecordShape r -> object(r.fields(), description);
        };
    }

    private static Schema object(List<Shape.Field> fields, String description) {
        Map<String, Schema> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (Shape.Field f : fields) {
            properties.put(f.name(), of(f.shape(), f.description()));
            if (f.required()) {
                required.add(f.name());
            }
        }
        return schema(Schema.Type.OBJECT, null, description, null, null, properties, required.isEmpty() ? null : List.copyOf(required));
    }

    private static String valueHint(Shape value) {
        return switch (value) {
            case Shape.Scalar s -> switch (s.kind()) {
                case STRING, CHAR -> "strings";
                case BOOLEAN -> "booleans";
                case BYTE, SHORT, INT, LONG, BIG_INTEGER -> "integers";
                case FLOAT, DOUBLE, BIG_DECIMAL -> "numbers";
            };
            case Shape.Parsed p -> "strings (" + p.hint() + ")";
            case Shape.EnumShape e -> "one of " + String.join(", ", e.names());
            case Shape.ArrayShape a -> "arrays";
            case Shape.MapShape m -> "objects";
            case Shape.RecordShape r -> "objects";
            case Shape.Json j -> "any JSON";
        };
    }

    private static String join(String description, String hint) {
        return description == null ? hint : description + " (" + hint + ")";
    }

    private static Schema schema(Schema.Type type, String format, String description, List<String> enumValues, Schema items,
            Map<String, Schema> properties, List<String> required) {
        return new Schema(type, format, null, description, false, enumValues, items, 0, 0,
                properties == null ? null : java.util.Collections.unmodifiableMap(properties), required, 0, 0, null, null, 0, 0,
                null, null, null, null, null);
    }
}
