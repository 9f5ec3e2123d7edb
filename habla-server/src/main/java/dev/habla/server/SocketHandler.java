package dev.habla.server;

/**
 * The application side of one {@link SocketRoute} connection: frames as they arrive, undecoded. Same threading as
 * {@link LiveHandler}: every callback runs with {@link SocketConnection#lock()} held, one at a time; one that throws
 * closes only its connection (1011).
 */
public interface SocketHandler {
    /** A text frame, in arrival order. Not delivered once the connection is closing. */
    void onText(String text);

    /** A binary frame, in arrival order. Not delivered once the connection is closing. */
    default void onBinary(byte[] data) {}

    /** The socket closed (either side, TCP drop, or server shutdown); called once. */
    default void onClose(int statusCode, String reason) {}

    /** Creates the handler of each connection of a route. */
    @FunctionalInterface
    interface Factory {
        /** Called once per connection when its socket opens, with {@link SocketConnection#lock()} held; may already send. */
        SocketHandler open(SocketConnection connection);
    }
}
