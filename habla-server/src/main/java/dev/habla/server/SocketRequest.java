package dev.habla.server;

import dev.habla.server.internal.RequestParts;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The upgrade request of a {@link SocketRoute} connection: what its handler needs to authenticate and configure it.
 *
 * @param path          the request path
 * @param rawQuery      the query string, undecoded (null when none)
 * @param headers       request headers, first value of each, names case-insensitive
 * @param subprotocols  the {@code Sec-WebSocket-Protocol} values offered, in order
 * @param subprotocol   the one accepted, or null
 * @param remoteAddress the peer (null when unknown)
 */
public record SocketRequest(String path, String rawQuery, Map<String, String> headers, List<String> subprotocols,
        String subprotocol, InetSocketAddress remoteAddress) {
    public SocketRequest {
        headers = RequestParts.headers(headers);
        subprotocols = subprotocols == null ? List.of() : List.copyOf(subprotocols);
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The first value of a query parameter, URL-decoded; {@code ""} for a bare name; null when absent. */
    public String queryParam(String name) {
        return RequestParts.queryParam(rawQuery, name);
    }

    /** Never prints the query, headers or subprotocols (they carry credentials). */
    @Override
    public String toString() {
        return "SocketRequest[" + path + ", from " + remoteAddress + "]";
    }
}
