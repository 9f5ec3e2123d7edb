package dev.habla.protocol;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A google.protobuf.Timestamp field kept as its RFC 3339 JSON string ({@code "2026-01-01T10:00:00Z"}, offsets and 1-9
 * fractional digits allowed). Strict decoding and encoding reject other strings, as the proto parser does.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Timestamp {
}
