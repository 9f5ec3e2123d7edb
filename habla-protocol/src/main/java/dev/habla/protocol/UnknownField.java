package dev.habla.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A field or enum value that lenient decoding did not recognise, kept so callers can see what the server sent.
 *
 * @param path  dotted wire path, e.g. {@code serverContent.newThing} or {@code serverContent.turnCompleteReason}
 * @param value the raw JSON value
 */
public record UnknownField(String path, JsonNode value) {}
