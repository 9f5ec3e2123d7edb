package dev.habla.emulator;

import dev.habla.protocol.ClientMessage;

/**
 * One WebSocket message a client sent, as the emulator received it.
 *
 * @param sessionId   the connection it came in on ({@link EmulatorSession#id()})
 * @param message     the decoded message, or null when strict decoding failed (the connection was then closed 1007)
 * @param rawJson     the frame's text exactly as received (UTF-8 decoded for binary frames)
 * @param binaryFrame whether the client used a binary frame
 */
public record ReceivedMessage(String sessionId, ClientMessage message, String rawJson, boolean binaryFrame) {}
