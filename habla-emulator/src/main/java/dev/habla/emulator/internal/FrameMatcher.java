package dev.habla.emulator.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.Strictness;
import java.util.Iterator;
import java.util.TreeSet;

/**
 * Compares what a client sent with what a cassette recorded, with the replay's tolerances (habla-emulator/README.md,
 * "Record and replay"): both sides are re-encoded canonically by {@link LiveCodec} first (so camelCase/snake_case,
 * key order and base64 alphabets do not matter); then the bytes of audio and video blobs (only their mime types are
 * compared), every {@code id} field (function-response ids) and {@code setup.sessionResumption.handle} are not compared.
 * Stateless, thread-safe.
 */
final class FrameMatcher {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FrameMatcher() {}

    /** True for a realtime-input frame that carries only media (audio, video, media chunks): matched loosely. */
    static boolean isMedia(ClientMessage m) {
        return m.plain() instanceof ClientMessage.RealtimeInput r
                && (r.audio() != null || r.video() != null || (r.mediaChunks() != null && !r.mediaChunks().isEmpty()))
                && r.text() == null && r.audioStreamEnd() == null && r.activityStart() == null && r.activityEnd() == null;
    }

    /** The frame's wire name, for mismatch reasons. */
    static String kind(ClientMessage m) {
        return switch (m) {
            case ClientMessage.Setup s -> "setup";
            case ClientMessage.ClientContent c -> "clientContent";
            case ClientMessage.RealtimeInput r -> "realtimeInput";
            case ClientMessage.ToolResponse t -> "toolResponse";
            case ClientMessage.ContextUpdate u -> "contextUpdate";
            case ClientMessage.Raw r -> r.wireKey();
        };
    }

    /** The recorded frame as a message, or null if it is not a client message this codec reads. */
    static ClientMessage decode(String recordedJson) {
        try {
            return LiveCodec.decodeClient(recordedJson, Strictness.LENIENT).message();
        } catch (ProtocolException e) {
            return null;
        }
    }

    /** Null if {@code actual} matches {@code recorded}; else the first difference, as "path: expected X, got Y". */
    static String difference(ClientMessage recorded, ClientMessage actual) {
        JsonNode want = tree(LiveCodec.encode(recorded));
        JsonNode got = tree(LiveCodec.encode(actual));
        String wantKind = want.fieldNames().hasNext() ? want.fieldNames().next() : "empty";
        String gotKind = got.fieldNames().hasNext() ? got.fieldNames().next() : "empty";
        if (!wantKind.equals(gotKind)) {
            return "expected a " + wantKind + " frame, got " + gotKind + " " + show(got.get(gotKind));
        }
        return diff("", want, got);
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // the codec's own output is JSON
        }
    }

    private static String diff(String path, JsonNode want, JsonNode got) {
        if (ignored(path)) {
            return null;
        }
        if (want == null || got == null || want.getNodeType() != got.getNodeType()) {
            return path(path) + ": expected " + show(want) + ", got " + show(got);
        }
        if (want.isObject()) {
            boolean media = want.path("mimeType").asText("").matches("(audio|video|image)/.*");
            TreeSet<String> names = new TreeSet<>();
            want.fieldNames().forEachRemaining(names::add);
            got.fieldNames().forEachRemaining(names::add);
            // Ordered by the recorded frame's keys first, so the first difference is the first a reader sees.
            for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                names.remove(k);
                String d = media && k.equals("data") ? null : diff(child(path, k), want.get(k), got.get(k));
                if (d != null) {
                    return d;
                }
            }
            for (String k : names) {
                String d = diff(child(path, k), null, got.get(k));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (want.isArray()) {
            for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
                String d = diff(path + "[" + i + "]", want.get(i), got.get(i));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return want.equals(got) ? null : path(path) + ": expected " + show(want) + ", got " + show(got);
    }

    private static boolean ignored(String path) {
        return path.endsWith(".id") || path.equals("setup.sessionResumption.handle");
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String path(String path) {
        return path.isEmpty() ? "frame" : path;
    }

    private static String show(JsonNode n) {
        if (n == null) {
            return "nothing";
        }
        String s = n.isContainerNode() ? n.toString() : n.toString();
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }
}
