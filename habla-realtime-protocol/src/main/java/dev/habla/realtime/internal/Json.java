package dev.habla.realtime.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.realtime.RealtimeProtocolException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one shared (thread-safe, immutable after construction) Jackson mapper and the frame-level parse/write steps. */
public final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    /** Writes one frame with {@code body} and returns its text. */
    static String write(Body body) {
        SegmentedStringWriter w = new SegmentedStringWriter(MAPPER.getFactory()._getBufferRecycler());
        try {
            try (JsonGenerator g = MAPPER.createGenerator(w)) {
                body.write(g);
            }
            return w.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory writer does no I/O
        }
    }

    /** Parses a frame's text as one JSON object, or throws {@code invalid_json} / {@code invalid_event}. */
    static ObjectNode parseObject(String text) {
        JsonNode n;
        try {
            n = MAPPER.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RealtimeProtocolException("invalid_json", null,
                    "Invalid event: failed to parse JSON value. " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String source does no I/O
        }
        if (n == null || !n.isObject()) {
            throw new RealtimeProtocolException("invalid_event", null, "The event must be a JSON object.");
        }
        return (ObjectNode) n;
    }

    /** The mapper, for callers that build tool schemas and other free JSON next to the records. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }
}
