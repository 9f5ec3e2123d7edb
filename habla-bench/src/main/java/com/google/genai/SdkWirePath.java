package com.google.genai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.genai.types.LiveClientMessage;
import com.google.genai.types.LiveSendRealtimeInputParameters;
import com.google.genai.types.LiveServerMessage;

/**
 * The official Java SDK's own serialisation paths, reproduced step for step from the decompiled 2.0.0 classes
 * ({@code javap -c -p}). It lives in the SDK's package because {@link LiveConverters} is package-private.
 *
 * <p>{@code AsyncSession.sendRealtimeInput(params)} does
 * {@code send(LiveClientMessage.builder().realtimeInputParameters(params).build())}, and {@code send} does
 * {@code new LiveConverters(apiClient)}, {@code JsonSerializable.toJsonNode(message)},
 * {@code converters.liveClientMessageToMldev(node, null)} (Gemini API, not Vertex) and then, on the
 * {@code runAsync} thread, {@code JsonSerializable.toJsonString(objectNode)} before handing the String to OkHttp.
 * The Gemini-API converters never read {@code apiClient}, so a null one is passed here.
 *
 * <p>On receive, {@code AsyncLive.GenAiWebSocketClient} turns a binary frame into a String with
 * {@code ByteString.utf8()}; the first message goes through {@code LiveServerMessage.fromJson(String)}, every later
 * one through {@code JsonSerializable.stringToJsonNode(String)} and {@code fromJsonNode(node, LiveServerMessage.class)}.
 */
public final class SdkWirePath {
    private SdkWirePath() {}

    /** Exactly what {@code AsyncSession.sendRealtimeInput} + {@code send} compute before the socket write. */
    public static String encodeRealtimeInput(LiveSendRealtimeInputParameters params) {
        LiveClientMessage message = LiveClientMessage.builder().realtimeInputParameters(params).build();
        LiveConverters converters = new LiveConverters(null);
        JsonNode node = JsonSerializable.toJsonNode(message);
        ObjectNode wire = converters.liveClientMessageToMldev(node, null);
        return JsonSerializable.toJsonString(wire);
    }

    /** The receive path for every message after setupComplete (Gemini API: no converter step). */
    public static LiveServerMessage decodeServerInSession(String json) {
        JsonNode node = JsonSerializable.stringToJsonNode(json);
        return JsonSerializable.fromJsonNode(node, LiveServerMessage.class);
    }
}
