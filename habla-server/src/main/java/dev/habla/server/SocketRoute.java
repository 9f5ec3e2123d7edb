package dev.habla.server;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A second wire on the same server: WebSocket upgrades on {@code path} get plain text/binary frames, undecoded, and
 * one {@link SocketHandler} each, with the same machinery as the Live paths (one bounded writer per socket, close
 * grace, the handler lock). The emulator serves OpenAI Realtime at {@code /v1/realtime} this way. There is no
 * authenticator: credentials are on {@link SocketConnection#request()}, and the handler answers them in its own wire's
 * way (OpenAI refuses in band, after the upgrade).
 *
 * @param path        exact request path (trailing slashes tolerated), e.g. {@code /v1/realtime}
 * @param subprotocol picks the {@code Sec-WebSocket-Protocol} to accept from those the client offered (in order;
 *                    never called with an empty list); null accepts none. Browser-style clients fail the connection
 *                    when they offered some and none is selected.
 * @param handlers    creates the handler of each connection
 */
public record SocketRoute(String path, Function<List<String>, String> subprotocol, SocketHandler.Factory handlers) {
    public SocketRoute {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        Objects.requireNonNull(subprotocol, "subprotocol");
        Objects.requireNonNull(handlers, "handlers");
    }

    /** Whether a raw request path is this route's (duplicate leading and trailing slashes tolerated). */
    public boolean matches(String rawPath) {
        if (rawPath == null) {
            return false;
        }
        int from = 0;
        while (from + 1 < rawPath.length() && rawPath.charAt(from) == '/' && rawPath.charAt(from + 1) == '/') {
            from++;
        }
        int to = rawPath.length();
        while (to > from + 1 && rawPath.charAt(to - 1) == '/') {
            to--;
        }
        return rawPath.substring(from, to).equals(path);
    }
}
