package dev.habla.realtime;

import dev.habla.realtime.internal.ClientCodec;
import dev.habla.realtime.internal.ServerCodec;

/**
 * JSON codec of the OpenAI Realtime API: one event per WebSocket <em>text</em> frame, {@code type} first, snake_case,
 * base64 audio, absent fields left out. All methods are thread-safe and allocate only per call.
 *
 * <p>Decoding is lenient the way the service's clients are: unknown event types become {@code Unknown} events (kept
 * whole), unknown fields of events are ignored, unknown session and response fields are kept in their {@code extra}
 * maps. What cannot be an event at all — broken JSON, no {@code type}, a field of the wrong type, a required field
 * missing, bad base64 audio — throws {@link RealtimeProtocolException} with the service's error {@code code} and
 * {@code param}, so a server can answer in band. The two audio events take a fast path (see the module README for
 * figures); results are the same as the general path's.
 */
public final class RealtimeCodec {
    private RealtimeCodec() {}

    /** The JSON text of a client event. */
    public static String encode(ClientEvent event) {
        return ClientCodec.encode(event);
    }

    /** The JSON text of a server event. */
    public static String encode(ServerEvent event) {
        return ServerCodec.encode(event);
    }

    /** A client event from one text frame. @throws RealtimeProtocolException if it is not one */
    public static ClientEvent decodeClient(String json) {
        return ClientCodec.decode(json);
    }

    /** A server event from one text frame. @throws RealtimeProtocolException if it is not one */
    public static ServerEvent decodeServer(String json) {
        return ServerCodec.decode(json);
    }
}
