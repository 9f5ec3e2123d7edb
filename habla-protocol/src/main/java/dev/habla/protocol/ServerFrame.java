package dev.habla.protocol;

import java.util.List;

/**
 * One server WebSocket message: the oneof payload (null when the frame carried none or only an unknown key), the
 * optional {@link UsageMetadata} beside it, and, after lenient decoding, what was not understood.
 */
public record ServerFrame(ServerMessage message, UsageMetadata usageMetadata, List<UnknownField> unknownFields) {

    public ServerFrame {
        unknownFields = unknownFields == null ? List.of() : List.copyOf(unknownFields);
    }

    /** A frame with just a payload. */
    public static ServerFrame of(ServerMessage message) {
        return new ServerFrame(message, null, List.of());
    }

    /** A frame with a payload and usage. */
    public static ServerFrame of(ServerMessage message, UsageMetadata usage) {
        return new ServerFrame(message, usage, List.of());
    }
}
