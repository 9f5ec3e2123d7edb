package dev.habla.server;

import dev.habla.protocol.ClientMessage;

/**
 * Sees every client frame of every authenticated connection before its handler does, including frames the strict
 * decoder rejected ({@code message} null); for recording, metrics and debugging. Called on the connection's inbound
 * thread, without the connection lock; must not block.
 */
@FunctionalInterface
public interface InboundObserver {
    void onFrame(LiveConnection connection, ClientMessage message, String raw, boolean binary);
}
