package dev.habla.protocol;

import java.util.List;

/** One decoded client WebSocket message and, after lenient decoding, the fields that were not understood. */
public record ClientFrame(ClientMessage message, List<UnknownField> unknownFields) {
    public ClientFrame {
        unknownFields = unknownFields == null ? List.of() : List.copyOf(unknownFields);
    }
}
