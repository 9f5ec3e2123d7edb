package dev.habla.server;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link HttpService}'s answer: status, headers and the whole body (REST answers and static assets are small; the
 * server sets {@code Content-Length}). Immutable; {@link #withHeader} returns a copy. The body array is the reply's
 * from construction on: not copied, not to be changed.
 *
 * @param status  HTTP status, 100–599
 * @param headers header names and values, in order, one value per name
 * @param body    the body (empty when none)
 */
public record HttpReply(int status, Map<String, String> headers, byte[] body) {
    /** {@code application/json; charset=UTF-8}. */
    public static final String JSON = "application/json; charset=UTF-8";

    public HttpReply {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status: " + status);
        }
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(headers, "headers")));
        body = body == null ? new byte[0] : body;
    }

    /** {@code body} with its content type. */
    public static HttpReply of(int status, String contentType, byte[] body) {
        return new HttpReply(status, Map.of("Content-Type", Objects.requireNonNull(contentType, "contentType")), body);
    }

    /** {@code text} as UTF-8, with its content type (which should name the charset). */
    public static HttpReply text(int status, String contentType, String text) {
        return of(status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON document, as {@link #JSON}. */
    public static HttpReply json(int status, String json) {
        return text(status, JSON, json);
    }

    /** No body, no content type (e.g. 204 to a CORS preflight). */
    public static HttpReply empty(int status) {
        return new HttpReply(status, Map.of(), null);
    }

    /** A copy with {@code name} set to {@code value} (replacing a header of that name in any letter case). */
    public HttpReply withHeader(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        LinkedHashMap<String, String> h = new LinkedHashMap<>(headers);
        h.keySet().removeIf(k -> k.equalsIgnoreCase(name));
        h.put(name, value);
        return new HttpReply(status, h, body);
    }

    /** The first header of that name in any letter case, or null. */
    public String header(String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Status and headers; never the body (it may carry a token). */
    @Override
    public String toString() {
        return "HttpReply[" + status + ", " + headers.keySet() + ", " + body.length + " bytes]";
    }
}
