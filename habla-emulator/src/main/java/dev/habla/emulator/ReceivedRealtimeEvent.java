package dev.habla.emulator;

import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.RealtimeCodec;

/**
 * One text frame an OpenAI Realtime client sent, as the emulator received it.
 *
 * @param sessionId the connection it came in on ({@link EmulatorSession#id()})
 * @param rawJson   the frame's text exactly as received
 */
public record ReceivedRealtimeEvent(String sessionId, String rawJson) {
    /** The frame decoded; throws {@link dev.habla.realtime.RealtimeProtocolException} if it was not an event. */
    public ClientEvent event() {
        return RealtimeCodec.decodeClient(rawJson);
    }

    /** Prints the size only: audio appends are long. */
    @Override
    public String toString() {
        return "ReceivedRealtimeEvent[sessionId=" + sessionId + ", " + rawJson.length() + " chars]";
    }
}
