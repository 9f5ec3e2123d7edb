package dev.habla.protocol;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The JSON name of a component whose Java name differs (Java keywords such as enum, default), and optionally its proto
 * field name when that is not the snake_case of the JSON name (a {@code json_name} option in the proto). Decoders accept
 * both spellings, like proto3 JSON parsers do.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface WireName {
    /** The JSON (camelCase) name, written by the encoder. */
    String value();

    /** The proto field name, also accepted by decoders; empty means the snake_case of {@link #value()}. */
    String proto() default "";
}
