package dev.habla.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A recorded Live session: the cassette format (habla-emulator/README.md, "Record and replay"). One JSON object per
 * line (JSONL), so cassettes diff well:
 *
 * <pre>
 * {"habla-cassette":1,"audio":"keep","recorded":"2026-12-06T12:00:00Z"}              header, always line 1
 * {"t":0,"c":1,"open":"ws://127.0.0.1:8080/ws/…BidiGenerateContent?key=REDACTED","headers":{"x-goog-api-key":"REDACTED"}}
 * {"t":3,"c":1,"send":{"setup":{"model":"models/…"}}}                              client → server
 * {"t":9,"c":1,"recv":{"setupComplete":{}}}                                        server → client
 * {"t":4100,"c":1,"close":1000,"reason":"","by":"server"}                         close frame (by client or server)
 * {"t":4100,"c":2,"error":"connection reset"}                                      connection broken without a close
 * </pre>
 *
 * {@code t} is milliseconds since the recording started, {@code c} the connection number (1, 2, … in the order the
 * client opened them: a handover or reconnect opens the next). Frames are embedded as JSON exactly as sent, after
 * redaction: {@code key=}/{@code access_token=} query values, credential headers, and anywhere in a frame a value that
 * looks like a Google API key ({@code AIza…}), an ephemeral token ({@code auth_tokens/…}) or an OAuth token
 * ({@code ya29.…}), a field named like a credential, and the literal secrets the recorder was given. With
 * {@link Audio#PLACEHOLDER} the base64 {@code data} of every {@code audio/*} blob becomes zeros of the same length.
 *
 * <p>No I/O: the recorder (habla-client) writes the lines, the replayer (habla-emulator) reads them. Thread-safe
 * (static methods only).
 */
public final class Cassette {
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;
    /** What redacted values become. */
    public static final String REDACTED = "REDACTED";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SECRET = Pattern.compile(
            "AIza[0-9A-Za-z_\\-]{20,}|auth_tokens/[0-9A-Za-z_.\\-]+|ya29\\.[0-9A-Za-z_.\\-]+");
    private static final Pattern QUERY_SECRET = Pattern.compile("(?i)([?&](?:key|access_token)=)[^&#\\s]*");
    private static final Pattern SECRET_FIELD = Pattern.compile(
            "(?i)(api_?key|key|access_?token|token|authorization|x-goog-api-key|secret|password)");

    private Cassette() {}

    /** How audio payloads are recorded. */
    public enum Audio {
        /** As sent. */
        KEEP,
        /** Replaced by zero bytes of the same decoded length (silence), so sizes and timing stay but no voice. */
        PLACEHOLDER
    }

    /** Who sent a frame or a close. */
    public enum Side { CLIENT, SERVER }

    /** Line 1: format version, audio mode, when it was recorded. */
    public record Header(int version, Audio audio, String recorded) {}

    /** One line after the header; {@code line} is its 1-based line number in the file. */
    public sealed interface Entry {
        int line();
        long atMillis();
        int connection();
    }

    /** The client opened connection {@code connection} to {@code url} (redacted). */
    public record Open(int line, long atMillis, int connection, String url) implements Entry {}

    /** One WebSocket message; {@code json} is the frame's (redacted) JSON text. */
    public record Frame(int line, long atMillis, int connection, Side from, String json) implements Entry {}

    /** A close frame sent by {@code by}. */
    public record Close(int line, long atMillis, int connection, Side by, int code, String reason) implements Entry {}

    /** The connection broke without a close frame (the client saw 1006, a reset, a timeout). */
    public record Broken(int line, long atMillis, int connection, String what) implements Entry {}

    /** A parsed cassette. */
    public record Recording(Header header, List<Entry> entries) {
        public Recording {
            entries = List.copyOf(entries);
        }

        /** The entries of one connection, in order. */
        public List<Entry> connection(int n) {
            return entries.stream().filter(e -> e.connection() == n).toList();
        }

        /** How many connections were opened. */
        public int connections() {
            return (int) entries.stream().filter(e -> e instanceof Open).count();
        }
    }

    // ---- writing ----

    /** The header line. */
    public static String header(Audio audio, Instant recorded) {
        ObjectNode n = JSON.createObjectNode();
        n.put("habla-cassette", VERSION);
        n.put("audio", audio.name().toLowerCase(java.util.Locale.ROOT));
        n.put("recorded", recorded.toString());
        return write(n);
    }

    /** An open line; the URL's credentials and the credential headers' values are redacted, other headers dropped. */
    public static String open(long atMillis, int connection, String url, Map<String, String> headers,
            List<String> secrets) {
        ObjectNode n = prefix(atMillis, connection);
        n.put("open", redactText(QUERY_SECRET.matcher(url).replaceAll("$1" + REDACTED), secrets));
        ObjectNode h = n.putObject("headers");
        new TreeMap<>(headers).forEach((k, v) -> {
            if (SECRET_FIELD.matcher(k).matches()) {
                h.put(k.toLowerCase(java.util.Locale.ROOT), REDACTED);
            }
        });
        return write(n);
    }

    /**
     * A frame line. {@code json} is the frame as sent; if it is not JSON it is kept as a (redacted) string, so the
     * recording still shows what went over the wire.
     */
    public static String frame(long atMillis, int connection, Side from, String json, Audio audio, List<String> secrets) {
        ObjectNode n = prefix(atMillis, connection);
        String key = from == Side.CLIENT ? "send" : "recv";
        try {
            JsonNode tree = JSON.readTree(json);
            n.set(key, scrub(tree, audio, secrets));
        } catch (JsonProcessingException e) {
            n.put(key, redactText(json, secrets));
        }
        return write(n);
    }

    /** A close line. */
    public static String close(long atMillis, int connection, Side by, int code, String reason, List<String> secrets) {
        ObjectNode n = prefix(atMillis, connection);
        n.put("close", code);
        n.put("reason", redactText(reason == null ? "" : reason, secrets));
        n.put("by", by.name().toLowerCase(java.util.Locale.ROOT));
        return write(n);
    }

    /** A broken-connection line. */
    public static String broken(long atMillis, int connection, String what, List<String> secrets) {
        ObjectNode n = prefix(atMillis, connection);
        n.put("error", redactText(what == null ? "" : what, secrets));
        return write(n);
    }

    /** Redacts free text: the literal secrets, credential-looking values and credential query parameters. */
    public static String redactText(String text, List<String> secrets) {
        String t = text;
        for (String s : secrets) {
            if (s != null && s.length() >= 4) {
                t = t.replace(s, REDACTED);
            }
        }
        t = QUERY_SECRET.matcher(t).replaceAll("$1" + REDACTED);
        return SECRET.matcher(t).replaceAll(REDACTED);
    }

    private static JsonNode scrub(JsonNode node, Audio audio, List<String> secrets) {
        if (node.isTextual()) {
            String r = redactText(node.asText(), secrets);
            return r.equals(node.asText()) ? node : TextNode.valueOf(r);
        }
        if (node.isArray()) {
            var a = (com.fasterxml.jackson.databind.node.ArrayNode) node;
            for (int i = 0; i < a.size(); i++) {
                a.set(i, scrub(a.get(i), audio, secrets));
            }
            return a;
        }
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            if (audio == Audio.PLACEHOLDER && o.path("mimeType").asText("").startsWith("audio/") && o.path("data").isTextual()) {
                int bytes = Base64.getDecoder().decode(o.get("data").asText()).length;
                o.put("data", Base64.getEncoder().encodeToString(new byte[bytes]));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getValue().isTextual() && SECRET_FIELD.matcher(f.getKey()).matches()) {
                    f.setValue(TextNode.valueOf(REDACTED));
                } else {
                    f.setValue(scrub(f.getValue(), audio, secrets));
                }
            }
            return o;
        }
        return node;
    }

    private static ObjectNode prefix(long atMillis, int connection) {
        ObjectNode n = JSON.createObjectNode();
        n.put("t", atMillis);
        n.put("c", connection);
        return n;
    }

    private static String write(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree we built always serializes
        }
    }

    // ---- reading ----

    /**
     * Parses a cassette's lines (blank lines skipped).
     *
     * @throws IllegalArgumentException naming the line if the header is missing, the version unknown or a line is
     *     not a cassette entry
     */
    public static Recording parse(List<String> lines) {
        Objects.requireNonNull(lines, "lines");
        Header header = null;
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int line = i + 1;
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw bad(line, "not JSON (" + e.getOriginalMessage() + ")");
            }
            if (!n.isObject()) {
                throw bad(line, "not a JSON object");
            }
            if (header == null) {
                if (!n.has("habla-cassette")) {
                    throw bad(line, "no header: a cassette starts with {\"habla-cassette\":" + VERSION + ",…}");
                }
                int version = n.get("habla-cassette").asInt(-1);
                if (version != VERSION) {
                    throw bad(line, "cassette version " + n.get("habla-cassette") + " is not supported (this Habla reads "
                            + VERSION + ")");
                }
                Audio audio = "placeholder".equals(n.path("audio").asText()) ? Audio.PLACEHOLDER : Audio.KEEP;
                header = new Header(version, audio, n.path("recorded").asText(null));
                continue;
            }
            if (!n.path("t").canConvertToLong() || !n.path("c").canConvertToInt() || n.path("c").asInt() < 1) {
                throw bad(line, "needs \"t\" (milliseconds) and \"c\" (connection number >= 1)");
            }
            long t = n.get("t").asLong();
            int c = n.get("c").asInt();
            if (n.has("open")) {
                entries.add(new Open(line, t, c, n.get("open").asText()));
            } else if (n.has("send") || n.has("recv")) {
                boolean send = n.has("send");
                JsonNode f = send ? n.get("send") : n.get("recv");
                entries.add(new Frame(line, t, c, send ? Side.CLIENT : Side.SERVER, f.isTextual() ? f.asText() : write(f)));
            } else if (n.has("close")) {
                Side by = "client".equals(n.path("by").asText()) ? Side.CLIENT : Side.SERVER;
                entries.add(new Close(line, t, c, by, n.get("close").asInt(), n.path("reason").asText("")));
            } else if (n.has("error")) {
                entries.add(new Broken(line, t, c, n.get("error").asText()));
            } else {
                throw bad(line, "expected one of open, send, recv, close, error");
            }
        }
        if (header == null) {
            throw new IllegalArgumentException("empty cassette: no header line");
        }
        return new Recording(header, entries);
    }

    private static IllegalArgumentException bad(int line, String what) {
        return new IllegalArgumentException("cassette line " + line + ": " + what);
    }
}
