package dev.habla.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.ai.generativelanguage.v1beta.BidiGenerateContentClientMessage;
import com.google.ai.generativelanguage.v1beta.BidiGenerateContentServerMessage;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The v1beta proto (npm {@code @google-ai/generativelanguage@4.1.0}, compiled by protoc 4.36.2) as a wire oracle:
 * {@link JsonFormat#parser()} without {@code ignoringUnknownFields()}, i.e. the strict proto3 JSON parser the service
 * runs. Stateless and thread-safe.
 */
final class ProtoOracle {
    private ProtoOracle() {}

    /**
     * THE allow-list: every wire path that Habla (and the 2026 SDKs) may put on the wire but the public v1beta proto
     * does not know. Paths are camelCase, array indices dropped ({@code setup.tools.functionDeclarations}); snake_case
     * keys on the wire match their camelCase path. An entry {@code path=VALUE} allows one enum value the proto lacks.
     * {@link #strip} removes exactly these from a copy of a frame before the strict proto parse, and the tests assert
     * that nothing else needed removing. {@code ProtoSchemaConformanceTest} proves each entry is really missing from
     * the proto, and the corpus tests prove each entry is exercised.
     */
    static final Set<String> NEWER_THAN_PROTO = Set.of(
            // client -> server
            "contextUpdate",
            "setup.proactivity",
            "setup.historyConfig",
            "setup.generationConfig.enableAffectiveDialog",
            "setup.generationConfig.thinkingConfig.thinkingLevel",
            "setup.sessionResumption.transparent",
            "setup.inputAudioTranscription.languageCodes",
            "setup.outputAudioTranscription.languageCodes",
            "setup.realtimeInputConfig.turnCoverage=TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO",
            // server -> client
            "setupComplete.sessionId",
            "serverContent.turnCompleteReason",
            "serverContent.inputTranscription.finished",
            "serverContent.outputTranscription.finished",
            "sessionResumptionUpdate.lastConsumedClientMessageIndex",
            "voiceActivity",
            "voiceActivityDetectionSignal");

    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonFormat.Parser STRICT = JsonFormat.parser();
    static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    /**
     * What the proto said about a frame.
     *
     * @param accepted whether the strict parse of the stripped copy succeeded
     * @param error    the parser's message when rejected
     * @param stripped the allow-listed paths that were removed first (entries of {@link #NEWER_THAN_PROTO})
     * @param message  the parsed proto when accepted
     * @param parsed   the JSON text the proto parser was given (the frame minus the stripped paths)
     */
    record Verdict(boolean accepted, String error, Set<String> stripped, Message message, String parsed) {}

    static Verdict client(String json) {
        return parse(json, BidiGenerateContentClientMessage.newBuilder());
    }

    static Verdict client(byte[] json) {
        return client(new String(json, StandardCharsets.UTF_8));
    }

    static Verdict server(String json) {
        return parse(json, BidiGenerateContentServerMessage.newBuilder());
    }

    static Verdict server(byte[] json) {
        return server(new String(json, StandardCharsets.UTF_8));
    }

    /** The strict parse without any stripping (for proving that an allow-list entry is really needed). */
    static Verdict clientUnstripped(String json) {
        return parseRaw(json, BidiGenerateContentClientMessage.newBuilder(), Set.of());
    }

    static Verdict serverUnstripped(String json) {
        return parseRaw(json, BidiGenerateContentServerMessage.newBuilder(), Set.of());
    }

    private static Verdict parse(String json, Message.Builder builder) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (IOException e) {
            return parseRaw(json, builder, Set.of()); // not JSON: let the proto parser say so
        }
        Set<String> stripped = new TreeSet<>();
        JsonNode copy = tree.deepCopy();
        strip(copy, "", stripped);
        return parseRaw(copy.toString(), builder, stripped);
    }

    private static Verdict parseRaw(String json, Message.Builder builder, Set<String> stripped) {
        try {
            STRICT.merge(json, builder);
            return new Verdict(true, null, stripped, builder.build(), json);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return new Verdict(false, String.valueOf(e.getMessage()), stripped, null, json);
        }
    }

    /** Removes the allow-listed paths from {@code node} (in place) and records which ones were present. */
    static void strip(JsonNode node, String path, Set<String> stripped) {
        if (node instanceof ArrayNode array) {
            for (JsonNode element : array) {
                strip(element, path, stripped);
            }
            return;
        }
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = path.isEmpty() ? camel(e.getKey()) : path + "." + camel(e.getKey());
            if (NEWER_THAN_PROTO.contains(p)) {
                stripped.add(p);
                it.remove();
            } else if (e.getValue().isTextual() && NEWER_THAN_PROTO.contains(p + "=" + e.getValue().asText())) {
                stripped.add(p + "=" + e.getValue().asText());
                it.remove();
            } else {
                strip(e.getValue(), p, stripped);
            }
        }
    }

    /**
     * Removes what the proto printer would not print back: fields without presence that hold their default (enum
     * number 0, "", 0, false) and empty repeated fields. Habla decodes an absent field as null where the proto has a
     * default, so this gives the record the proto's re-printing must decode to. {@code node} is changed in place.
     */
    static JsonNode dropProtoDefaults(JsonNode node, Descriptor d) {
        if (!(node instanceof ObjectNode object)) {
            return node;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            FieldDescriptor fd = d.getFields().stream()
                    .filter(f -> f.getJsonName().equals(e.getKey()) || f.getName().equals(e.getKey())).findFirst().orElse(null);
            JsonNode v = e.getValue();
            if (fd == null) {
                continue;
            }
            if (fd.isRepeated() && !fd.isMapField()) {
                if (v.isArray() && v.isEmpty()) {
                    it.remove();
                } else if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    v.forEach(x -> dropProtoDefaults(x, fd.getMessageType()));
                }
                continue;
            }
            if (fd.isMapField()) {
                FieldDescriptor value = fd.getMessageType().findFieldByName("value");
                if (value.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    v.forEach(x -> dropProtoDefaults(x, value.getMessageType()));
                }
                continue;
            }
            if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (!fd.getMessageType().getFullName().startsWith("google.protobuf.")) {
                    dropProtoDefaults(v, fd.getMessageType());
                }
                continue;
            }
            if (!fd.hasPresence() && isDefault(fd, v)) {
                it.remove();
            }
        }
        return node;
    }

    private static boolean isDefault(FieldDescriptor fd, JsonNode v) {
        return switch (fd.getJavaType()) {
            case ENUM -> v.isTextual() ? fd.getEnumType().findValueByName(v.asText()) != null
                    && fd.getEnumType().findValueByName(v.asText()).getNumber() == 0 : v.asInt(-1) == 0;
            case STRING, BYTE_STRING -> v.isTextual() && v.asText().isEmpty();
            case BOOLEAN -> v.isBoolean() && !v.asBoolean() || v.isTextual() && v.asText().equals("false");
            case INT, LONG, FLOAT, DOUBLE -> (v.isNumber() || v.isTextual()) && v.asDouble(1) == 0.0;
            case MESSAGE -> false;
        };
    }

    /** proto3 JSON name of a field given in either spelling ({@code realtime_input} → {@code realtimeInput}). */
    static String camel(String name) {
        StringBuilder b = new StringBuilder(name.length());
        boolean up = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    /** The proto's own canonical JSON of an accepted frame. */
    static String print(Message m) {
        try {
            return PRINTER.print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
