package dev.habla.server;

import dev.habla.server.internal.RequestParts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request as an {@link HttpService} sees it: method, path, query, headers, the peer, and the body, read on
 * demand within a limit the service chooses.
 *
 * <p>Not thread-safe: read by the thread the service is called on. The body can be read once.
 */
public final class HttpCall {
    /** Opens the request's body (the server's adapter; a test's bytes). */
    @FunctionalInterface
    public interface Body {
        InputStream open() throws IOException;
    }

    /** A body over the limit the service gave {@link #body(int)}: the service answers 413. */
    public static final class BodyTooLargeException extends IOException {
        private final int limit;

        public BodyTooLargeException(int limit) {
            super("Request body larger than " + limit + " bytes");
            this.limit = limit;
        }

        public int limit() {
            return limit;
        }
    }

    private final String method;
    private final String path;
    private final String rawQuery;
    private final Map<String, String> headers;
    private final InetSocketAddress remoteAddress;
    private final Body body;
    private boolean bodyRead;

    /**
     * @param method        the request method, upper case as sent
     * @param path          the request path, undecoded
     * @param rawQuery      the query string, undecoded (null when none)
     * @param headers       request headers, first value of each (copied; names case-insensitive)
     * @param remoteAddress the peer (null when unknown)
     * @param body          opens the body; null: no body
     */
    public HttpCall(String method, String path, String rawQuery, Map<String, String> headers, InetSocketAddress remoteAddress,
            Body body) {
        this.method = Objects.requireNonNull(method, "method");
        this.path = Objects.requireNonNull(path, "path");
        this.rawQuery = rawQuery;
        this.headers = RequestParts.headers(headers);
        this.remoteAddress = remoteAddress;
        this.body = body;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The query string, undecoded, or null. */
    public String rawQuery() {
        return rawQuery;
    }

    /** The first value of a header (any letter case), or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The first value of a query parameter, URL-decoded; {@code ""} for a bare name; null when absent. */
    public String queryParam(String name) {
        return RequestParts.queryParam(rawQuery, name);
    }

    /** The peer, or null when unknown. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /**
     * The whole body, at most {@code maxBytes}: a larger {@code Content-Length} is refused before anything is read, a
     * larger body without one after {@code maxBytes + 1} bytes. Once per request.
     *
     * @throws BodyTooLargeException past {@code maxBytes}
     * @throws IllegalStateException when read a second time
     */
    public byte[] body(int maxBytes) throws IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes);
        }
        if (bodyRead) {
            throw new IllegalStateException("body already read");
        }
        bodyRead = true;
        String declared = header("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > maxBytes) {
                    throw new BodyTooLargeException(maxBytes);
                }
            } catch (NumberFormatException e) {
                // The server's HTTP parser has refused a malformed length already; the read below is the bound.
            }
        }
        if (body == null) {
            return new byte[0];
        }
        try (InputStream in = body.open()) {
            byte[] b = in.readNBytes(maxBytes == Integer.MAX_VALUE ? maxBytes : maxBytes + 1);
            if (b.length > maxBytes) {
                throw new BodyTooLargeException(maxBytes);
            }
            return b;
        }
    }

    /** {@link #body(int)} as UTF-8 text. */
    public String bodyText(int maxBytes) throws IOException {
        return new String(body(maxBytes), StandardCharsets.UTF_8);
    }

    /** Never prints the query or headers (they carry credentials). */
    @Override
    public String toString() {
        return "HttpCall[" + method + " " + path + ", from " + remoteAddress + "]";
    }
}
