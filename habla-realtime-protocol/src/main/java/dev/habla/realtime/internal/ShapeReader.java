package dev.habla.realtime.internal;

import static dev.habla.realtime.internal.Read.asObject;
import static dev.habla.realtime.internal.Read.bool;
import static dev.habla.realtime.internal.Read.dbl;
import static dev.habla.realtime.internal.Read.integer;
import static dev.habla.realtime.internal.Read.lng;
import static dev.habla.realtime.internal.Read.obj;
import static dev.habla.realtime.internal.Read.path;
import static dev.habla.realtime.internal.Read.present;
import static dev.habla.realtime.internal.Read.str;
import static dev.habla.realtime.internal.Read.strings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.realtime.AudioConfig;
import dev.habla.realtime.AudioFormat;
import dev.habla.realtime.ContentPart;
import dev.habla.realtime.ErrorDetail;
import dev.habla.realtime.Item;
import dev.habla.realtime.NoiseReduction;
import dev.habla.realtime.RateLimit;
import dev.habla.realtime.Response;
import dev.habla.realtime.Session;
import dev.habla.realtime.Tool;
import dev.habla.realtime.Transcription;
import dev.habla.realtime.TurnDetection;
import dev.habla.realtime.Usage;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** JSON objects to the shared shapes (session, item, content, response...). Stateless; any thread. */
final class ShapeReader {
    private static final Set<String> SESSION_FIELDS = Set.of("type", "id", "object", "model", "instructions",
            "output_modalities", "audio", "tools", "tool_choice", "max_output_tokens", "tracing", "expires_at");
    private static final Set<String> RESPONSE_FIELDS = Set.of("id", "object", "status", "status_details", "output",
            "conversation_id", "output_modalities", "max_output_tokens", "usage", "metadata", "instructions",
            "conversation");

    private ShapeReader() {}

    static Session session(ObjectNode n, String path) {
        ObjectNode audio = obj(n, "audio", path);
        JsonNode tracing = n.get("tracing"); // JSON null is meaningful here: tracing off
        return new Session(str(n, "type", path), str(n, "id", path), str(n, "model", path),
                str(n, "instructions", path), strings(n, "output_modalities", path),
                audio == null ? null : audio(audio, path(path, "audio")),
                Read.list(n, "tools", path, (e, p) -> tool(asObject(e, p), p)),
                present(n, "tool_choice"), present(n, "max_output_tokens"), tracing, lng(n, "expires_at", path),
                extra(n, SESSION_FIELDS));
    }

    private static AudioConfig audio(ObjectNode n, String path) {
        ObjectNode in = obj(n, "input", path);
        ObjectNode out = obj(n, "output", path);
        AudioConfig.Input input = null;
        if (in != null) {
            String p = path(path, "input");
            input = new AudioConfig.Input(format(obj(in, "format", p), path(p, "format")),
                    in.has("noise_reduction") ? noise(obj(in, "noise_reduction", p), path(p, "noise_reduction")) : null,
                    in.has("transcription") ? transcription(obj(in, "transcription", p), path(p, "transcription")) : null,
                    in.has("turn_detection") ? turnDetection(obj(in, "turn_detection", p), path(p, "turn_detection")) : null);
        }
        AudioConfig.Output output = null;
        if (out != null) {
            String p = path(path, "output");
            output = new AudioConfig.Output(format(obj(out, "format", p), path(p, "format")), voice(out, p),
                    dbl(out, "speed", p));
        }
        return new AudioConfig(input, output);
    }

    /** A voice is a name or {@code {"id": ...}} (custom voices); the id is kept as the name. */
    private static String voice(ObjectNode out, String path) {
        JsonNode v = present(out, "voice");
        if (v != null && v.isObject()) {
            return str((ObjectNode) v, "id", path(path, "voice"));
        }
        return str(out, "voice", path);
    }

    static AudioFormat format(ObjectNode n, String path) {
        if (n == null) {
            return null;
        }
        return new AudioFormat(str(n, "type", path), integer(n, "rate", path));
    }

    private static NoiseReduction noise(ObjectNode n, String path) {
        return n == null ? NoiseReduction.NONE : new NoiseReduction(str(n, "type", path));
    }

    private static Transcription transcription(ObjectNode n, String path) {
        return n == null
                ? Transcription.NONE
                : new Transcription(str(n, "model", path), str(n, "language", path), str(n, "prompt", path));
    }

    private static TurnDetection turnDetection(ObjectNode n, String path) {
        if (n == null) {
            return TurnDetection.NONE;
        }
        String type = str(n, "type", path);
        if (type == null) {
            throw Read.missing(path(path, "type"));
        }
        return new TurnDetection(type, dbl(n, "threshold", path), integer(n, "prefix_padding_ms", path),
                integer(n, "silence_duration_ms", path), integer(n, "idle_timeout_ms", path),
                bool(n, "create_response", path), bool(n, "interrupt_response", path), str(n, "eagerness", path));
    }

    static Tool tool(ObjectNode n, String path) {
        return new Tool(str(n, "type", path), str(n, "name", path), str(n, "description", path),
                present(n, "parameters"), n);
    }

    static Item item(ObjectNode n, String path) {
        String type = str(n, "type", path);
        String id = str(n, "id", path);
        String status = str(n, "status", path);
        if (type == null) {
            throw Read.missing(path(path, "type"));
        }
        return switch (type) {
            case "message" -> new Item.Message(id, status, str(n, "role", path),
                    Read.list(n, "content", path, (e, p) -> content(asObject(e, p), p)));
            case "function_call" -> new Item.FunctionCall(id, status, str(n, "call_id", path), str(n, "name", path),
                    str(n, "arguments", path));
            case "function_call_output" -> new Item.FunctionCallOutput(id, status, str(n, "call_id", path),
                    str(n, "output", path));
            default -> new Item.Other(id, status, type, n);
        };
    }

    static ContentPart content(ObjectNode n, String path) {
        return new ContentPart(str(n, "type", path), str(n, "text", path), str(n, "audio", path),
                str(n, "transcript", path), str(n, "image_url", path), str(n, "detail", path), str(n, "id", path));
    }

    static Response response(ObjectNode n, String path) {
        ObjectNode details = obj(n, "status_details", path);
        ObjectNode usage = obj(n, "usage", path);
        Response.StatusDetails sd = null;
        if (details != null) {
            String p = path(path, "status_details");
            ObjectNode err = obj(details, "error", p);
            sd = new Response.StatusDetails(str(details, "type", p), str(details, "reason", p),
                    err == null ? null : error(err, path(p, "error")));
        }
        return new Response(str(n, "id", path), str(n, "status", path), sd,
                Read.list(n, "output", path, (e, p) -> item(asObject(e, p), p)), str(n, "conversation_id", path),
                strings(n, "output_modalities", path), present(n, "max_output_tokens"),
                usage == null ? null : usage(usage, path(path, "usage")), present(n, "metadata"),
                str(n, "instructions", path), str(n, "conversation", path), extra(n, RESPONSE_FIELDS));
    }

    static Usage usage(ObjectNode n, String path) {
        return new Usage(lng(n, "total_tokens", path, 0), lng(n, "input_tokens", path, 0),
                lng(n, "output_tokens", path, 0), present(n, "input_token_details"), present(n, "output_token_details"));
    }

    static ErrorDetail error(ObjectNode n, String path) {
        return new ErrorDetail(str(n, "type", path), str(n, "code", path), str(n, "message", path),
                str(n, "param", path), str(n, "event_id", path));
    }

    static RateLimit rateLimit(ObjectNode n, String path) {
        Double reset = dbl(n, "reset_seconds", path);
        return new RateLimit(str(n, "name", path), lng(n, "limit", path, 0), lng(n, "remaining", path, 0),
                reset == null ? 0 : reset);
    }

    private static Map<String, JsonNode> extra(ObjectNode n, Set<String> known) {
        Map<String, JsonNode> extra = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!known.contains(e.getKey())) {
                if (extra == null) {
                    extra = new LinkedHashMap<>();
                }
                extra.put(e.getKey(), e.getValue());
            }
        }
        return extra;
    }
}
