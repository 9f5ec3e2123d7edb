package dev.habla.server.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** What {@code UpgradeRequest} and {@code SocketRequest} read the same way: headers and query parameters. Stateless. */
public final class RequestParts {
    private RequestParts() {}

    /** An unmodifiable copy with case-insensitive names ({@code null} gives an empty map). */
    public static Map<String, String> headers(Map<String, String> headers) {
        TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            h.putAll(headers);
        }
        return Collections.unmodifiableMap(h);
    }

    /** The first value of {@code name} in {@code rawQuery}, URL-decoded; {@code ""} for a bare name; null when absent. */
    public static String queryParam(String rawQuery, String name) {
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
}
