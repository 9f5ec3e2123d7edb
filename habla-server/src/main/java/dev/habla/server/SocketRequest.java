package dev.habla.server;

import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
        TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            h.putAll(headers);
        }
        headers = java.util.Collections.unmodifiableMap(h);
        subprotocols = subprotocols == null ? List.of() : List.copyOf(subprotocols);
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The first value of a query parameter, URL-decoded; {@code ""} for a bare name; null when absent. */
    public String queryParam(String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** Never prints the query, headers or subprotocols (they carry credentials). */
    @Override
    public String toString() {
        return "SocketRequest[" + path + ", from " + remoteAddress + "]";
    }
}
