package dev.habla.gateway.internal;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may use the gateway (WebSocket and token endpoint). No {@code Origin} header (a server or a
 * native app, not a browser page) is allowed: the credential is the gate there. Loopback origins
 * ({@code http://127.0.0.1:*}, {@code localhost}, {@code [::1]}) are allowed when {@code loopback} (the gateway
 * listens on loopback); others only if listed exactly ({@code scheme://host[:port]}). Immutable.
 */
public record OriginPolicy(Set<String> allowed, boolean loopback) {
    public OriginPolicy {
        allowed = Set.copyOf(allowed.stream().map(OriginPolicy::normalise).toList());
    }

    public boolean allows(String origin) {
        if (origin == null || origin.isEmpty()) {
            return true;
        }
        String o = normalise(origin);
        if (allowed.contains(o) || allowed.contains("*")) {
            return true;
        }
        return loopback && isLoopbackOrigin(o);
    }

    /** Whether {@code origin} is an http(s) page on 127.0.0.1, localhost or [::1]. */
    public static boolean isLoopbackOrigin(String origin) {
        String o = normalise(origin);
        try {
            URI u = URI.create(o);
            String host = u.getHost();
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                    && ("127.0.0.1".equals(host) || "localhost".equals(host) || "[::1]".equals(host) || "::1".equals(host));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String normalise(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
