package dev.habla.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** OpenAPI-subset schema of function parameters and results. */
@ProtoName("Schema")
public record Schema(
        Type type,
        String format,
        String title,
        String description,
        boolean nullable,
        @WireName("enum") List<String> enumValues,
        Schema items,
        @Int64 long maxItems,
        @Int64 long minItems,
        Map<String, Schema> properties,
        List<String> required,
        @Int64 long minProperties,
        @Int64 long maxProperties,
        Double minimum,
        Double maximum,
        @Int64 long minLength,
        @Int64 long maxLength,
        String pattern,
        JsonNode example,
        List<Schema> anyOf,
        List<String> propertyOrdering,
        @WireName("default") JsonNode defaultValue) {
    /** Schema data types. */
    public enum Type { TYPE_UNSPECIFIED, STRING, NUMBER, INTEGER, BOOLEAN, ARRAY, OBJECT, NULL, UNRECOGNIZED }

    /** A schema with just a type and a description. */
    public static Schema of(Type type, String description) {
        return new Schema(type, null, null, description, false, null, null, 0, 0, null, null, 0, 0, null, null, 0, 0, null, null, null, null, null);
    }

    /** An OBJECT schema with the given properties and required names. */
    public static Schema object(Map<String, Schema> properties, List<String> required) {
        return new Schema(Type.OBJECT, null, null, null, false, null, null, 0, 0, properties, required, 0, 0, null, null, 0, 0, null, null, null, null, null);
    }

    /** An ARRAY schema of the given items. */
    public static Schema array(Schema items, String description) {
        return new Schema(Type.ARRAY, null, null, description, false, null, items, 0, 0, null, null, 0, 0, null, null, 0, 0, null, null, null, null, null);
    }

    /** A STRING schema restricted to the given values. */
    public static Schema enumeration(List<String> values, String description) {
        return new Schema(Type.STRING, "enum", null, description, false, values, null, 0, 0, null, null, 0, 0, null, null, 0, 0, null, null, null, null, null);
    }
}
