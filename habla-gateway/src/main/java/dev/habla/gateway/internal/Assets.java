package dev.habla.gateway.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.function.Function;

/**
 * The console's static files, from the classpath folder {@code dev/habla/gateway/console/}: {@code /} is
 * {@code index.html}; other paths must be one plain file name ({@code /habla-talk.js}). Stateless.
 */
public final class Assets {
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "json", "application/json",
            "txt", "text/plain; charset=utf-8", "svg", "image/svg+xml");

    private Assets() {}

    public static Function<String, HttpApi.Asset> console() {
        return path -> {
            String name = "/".equals(path) ? "index.html" : path.substring(1);
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,80}") || name.contains("..")) {
                return null;
            }
            String ext = name.substring(name.lastIndexOf('.') + 1);
            String type = TYPES.get(ext);
            if (type == null) {
                return null;
            }
            try (InputStream in = Assets.class.getResourceAsStream("/dev/habla/gateway/console/" + name)) {
                return in == null ? null : new HttpApi.Asset(type, in.readAllBytes());
            } catch (IOException e) {
                return null;
            }
        };
    }
}
