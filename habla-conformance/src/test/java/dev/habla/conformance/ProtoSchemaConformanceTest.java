package dev.habla.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.ai.generativelanguage.v1beta.BidiGenerateContentClientMessage;
import com.google.ai.generativelanguage.v1beta.BidiGenerateContentServerMessage;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Extension;
import dev.habla.protocol.Int64;
import dev.habla.protocol.OneOf;
import dev.habla.protocol.ProtoName;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Struct;
import dev.habla.protocol.Timestamp;
import dev.habla.protocol.UsageMetadata;
import dev.habla.protocol.WireName;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Habla's wire records against the v1beta proto descriptors, field by field: every component that is not marked
 * {@link Extension} exists in the proto under the same JSON name, with a compatible type, cardinality, oneof group and
 * (for primitives) presence; every {@link Extension} is really absent from the proto and allow-listed; every Habla
 * enum has the proto's names at the proto's numbers (the strict decoder maps integer enum values by ordinal).
 */
@Timeout(60)
class ProtoSchemaConformanceTest {
    private static final String PKG = "google.ai.generativelanguage.v1beta.";

    /** Facts found by walking both schemas once; each test asserts one kind. */
    static final List<String> typeMismatches = new ArrayList<>();
    static final List<String> missingInProto = new ArrayList<>();
    static final List<String> staleExtensions = new ArrayList<>();
    static final Set<String> extensionPaths = new TreeSet<>();
    static final List<String> enumMismatches = new ArrayList<>();
    static final Set<String> enumExtensions = new TreeSet<>();
    static final List<String> protoNameMismatches = new ArrayList<>();
    static final Set<String> notInHabla = new TreeSet<>();
    static int fieldsCompared;
    static int enumsCompared;

    @BeforeAll
    static void walk() {
        Set<String> seen = new HashSet<>();
        Descriptor client = BidiGenerateContentClientMessage.getDescriptor();
        Descriptor server = BidiGenerateContentServerMessage.getDescriptor();
        for (Class<?> c : ClientMessage.class.getPermittedSubclasses()) {
            if (!c.isRecord()) {
                continue; // ClientMessage.Raw: a decoded message with its text, not a wire type of its own
            }
            String key = wireKey(c, ClientMessage.class);
            FieldDescriptor fd = client.getFields().stream().filter(f -> f.getJsonName().equals(key)).findFirst().orElse(null);
            if (fd == null) {
                extensionPaths.add(key);
                continue;
            }
            compare(c, fd.getMessageType(), key, seen);
        }
        for (Class<?> c : ServerMessage.class.getPermittedSubclasses()) {
            if (!c.isRecord()) {
                continue; // nested enums
            }
            String key = wireKey(c, ServerMessage.class);
            FieldDescriptor fd = server.getFields().stream().filter(f -> f.getJsonName().equals(key)).findFirst().orElse(null);
            if (fd == null) {
                extensionPaths.add(key);
                continue;
            }
            compare(c, fd.getMessageType(), key, seen);
        }
        compare(UsageMetadata.class, server.findFieldByName("usage_metadata").getMessageType(), "usageMetadata", seen);
    }

    private static String wireKey(Class<?> type, Class<?> sealed) {
        // ClientMessage/ServerMessage#wireKey are instance methods; the record's simple name gives the same key.
        String n = type.getSimpleName();
        return Character.toLowerCase(n.charAt(0)) + n.substring(1);
    }

    private static void compare(Class<?> record, Descriptor d, String path, Set<String> seen) {
        ProtoName pn = record.getAnnotation(ProtoName.class);
        String expected = pn == null ? null : pn.value().startsWith("google.") ? pn.value() : PKG + pn.value();
        // Habla reuses Blob where the proto has an identically shaped FunctionResponseBlob (fields are compared below).
        boolean alias = expected != null && expected.equals(PKG + "Blob") && d.getFullName().equals(PKG + "FunctionResponseBlob");
        if (!d.getFullName().equals(expected) && !alias) {
            protoNameMismatches.add(path + ": @ProtoName " + expected + " but the proto has " + d.getFullName());
        }
        // Each (record, message) pair once: recursive schemas (Schema.items) and shared types (Content).
        boolean first = seen.add(record.getName() + "|" + d.getFullName());
        Map<String, FieldDescriptor> protoFields = new LinkedHashMap<>();
        d.getFields().forEach(f -> protoFields.put(f.getJsonName(), f));
        for (RecordComponent c : record.getRecordComponents()) {
            WireName wn = c.getAnnotation(WireName.class);
            String name = wn != null ? wn.value() : c.getName();
            String p = path + "." + name;
            FieldDescriptor fd = protoFields.remove(name);
            if (c.isAnnotationPresent(Extension.class)) {
                if (fd != null) {
                    staleExtensions.add(p + " is marked @Extension but the proto has " + fd.getFullName());
                } else {
                    extensionPaths.add(p);
                }
                continue;
            }
            if (fd == null) {
                missingInProto.add(p + " (" + c.getGenericType().getTypeName() + ") is not in " + d.getFullName());
                continue;
            }
            // Habla's decoders also accept the proto field name: it must be the proto's (json_name options differ).
            String protoName = wn != null && !wn.proto().isEmpty() ? wn.proto() : camelToSnake(name);
            if (!protoName.equals(fd.getName())) {
                typeMismatches.add(p + ": Habla's proto-name spelling is " + protoName + " but the proto field is " + fd.getName());
            }
            if (!first) {
                continue;
            }
            fieldsCompared++;
            compareField(c, fd, p, seen);
        }
        if (first) {
            protoFields.values().forEach(f -> notInHabla.add(d.getFullName() + "." + f.getName()));
        }
    }

    /** The rule Habla's WireSchema uses for the snake_case alias. */
    static String camelToSnake(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                b.append('_').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    private static void compareField(RecordComponent c, FieldDescriptor fd, String p, Set<String> seen) {
        Type t = c.getGenericType();
        // oneof membership (proto3 `optional` makes a synthetic oneof: that is presence, not a group)
        OneOf oo = c.getAnnotation(OneOf.class);
        OneofDescriptor real = fd.getRealContainingOneof();
        String protoGroup = real == null ? null : real.getName();
        String hablaGroup = oo == null ? null : oo.value();
        if (!java.util.Objects.equals(protoGroup, hablaGroup)) {
            typeMismatches.add(p + ": oneof " + hablaGroup + " vs proto " + protoGroup);
        }
        if (fd.isMapField()) {
            if (!(t instanceof ParameterizedType pt) || pt.getRawType() != Map.class) {
                typeMismatches.add(p + ": proto map, Habla " + t.getTypeName());
                return;
            }
            FieldDescriptor value = fd.getMessageType().findFieldByName("value");
            compareScalar(c, (Class<?>) pt.getActualTypeArguments()[1], value, p, seen);
            return;
        }
        if (fd.isRepeated()) {
            if (!(t instanceof ParameterizedType pt) || pt.getRawType() != List.class) {
                typeMismatches.add(p + ": proto repeated, Habla " + t.getTypeName());
                return;
            }
            compareScalar(c, (Class<?>) pt.getActualTypeArguments()[0], fd, p, seen);
            return;
        }
        if (t instanceof ParameterizedType) {
            typeMismatches.add(p + ": proto singular " + fd.getType() + ", Habla " + t.getTypeName());
            return;
        }
        Class<?> raw = (Class<?>) t;
        // A Java primitive cannot say "set to the default": only right for proto3 fields without presence.
        if (raw.isPrimitive() && fd.hasPresence()) {
            typeMismatches.add(p + ": Habla primitive " + raw + " but the proto field has presence (optional/message)");
        }
        compareScalar(c, raw, fd, p, seen);
    }

    private static void compareScalar(RecordComponent c, Class<?> raw, FieldDescriptor fd, String p, Set<String> seen) {
        String ok = switch (fd.getJavaType()) {
            case STRING -> raw == String.class ? null : "string";
            case BOOLEAN -> raw == boolean.class || raw == Boolean.class ? null : "bool";
            case INT -> raw == int.class || raw == Integer.class ? null : "int32";
            case LONG -> (raw == long.class || raw == Long.class) && c.isAnnotationPresent(Int64.class) ? null : "@Int64 long";
            case FLOAT, DOUBLE -> raw == double.class || raw == Double.class ? null : "float/double";
            case BYTE_STRING -> raw == byte[].class ? null : "bytes";
            case ENUM -> raw.isEnum() ? compareEnum(raw, fd.getEnumType(), p) : "enum";
            case MESSAGE -> {
                String full = fd.getMessageType().getFullName();
                if (full.equals("google.protobuf.Timestamp")) {
                    yield raw == String.class && c.isAnnotationPresent(Timestamp.class) ? null : "@Timestamp String";
                }
                if (full.equals("google.protobuf.Duration")) {
                    yield raw == Duration.class ? null : "Duration";
                }
                if (full.equals("google.protobuf.Struct")) {
                    yield JsonNode.class.isAssignableFrom(raw) && c.isAnnotationPresent(Struct.class) ? null : "@Struct JsonNode";
                }
                if (full.equals("google.protobuf.Value")) {
                    yield JsonNode.class.isAssignableFrom(raw) && !c.isAnnotationPresent(Struct.class) ? null : "JsonNode (Value)";
                }
                if (!raw.isRecord()) {
                    yield "record for " + full;
                }
                compare(raw, fd.getMessageType(), p, seen);
                yield null;
            }
        };
        if (ok != null) {
            typeMismatches.add(p + ": proto " + fd.getType() + " wants " + ok + ", Habla has " + raw.getName());
        }
    }

    private static String compareEnum(Class<?> raw, EnumDescriptor e, String p) {
        enumsCompared++;
        Object[] constants = raw.getEnumConstants();
        for (int i = 0; i < constants.length; i++) {
            String name = ((Enum<?>) constants[i]).name();
            if (name.equals("UNRECOGNIZED")) {
                if (i != constants.length - 1) {
                    enumMismatches.add(p + ": UNRECOGNIZED is not last in " + raw.getName());
                }
                continue;
            }
            EnumValueDescriptor v = e.findValueByNumber(i);
            if (v == null) {
                enumExtensions.add(p + "=" + name);
            } else if (!v.getName().equals(name)) {
                enumMismatches.add(p + ": " + raw.getSimpleName() + " ordinal " + i + " is " + name + ", proto number " + i
                        + " is " + v.getName());
            }
        }
        for (EnumValueDescriptor v : e.getValues()) {
            if (v.getNumber() >= constants.length - 1 || !((Enum<?>) constants[v.getNumber()]).name().equals(v.getName())) {
                enumMismatches.add(p + ": proto " + e.getFullName() + "." + v.getName() + " = " + v.getNumber()
                        + " has no Habla constant at that ordinal");
            }
        }
        return null;
    }

    @Test
    void everyNonExtensionFieldIsInTheProtoWithACompatibleType() {
        System.out.println("compared " + fieldsCompared + " fields and " + enumsCompared + " enum fields; proto fields Habla omits: "
                + notInHabla);
        assertThat(fieldsCompared).isGreaterThan(150);
        assertThat(missingInProto).as("Habla fields the proto lacks that are not marked @Extension").isEmpty();
        assertThat(typeMismatches).as("type, cardinality, oneof or presence disagreements").isEmpty();
        assertThat(protoNameMismatches).as("@ProtoName (used in error messages) vs the proto's message").isEmpty();
    }

    @Test
    void enumsHaveTheProtoNamesAtTheProtoNumbers() {
        assertThat(enumMismatches).isEmpty();
    }

    @Test
    void extensionsAreExactlyTheAllowList() {
        Set<String> expected = new TreeSet<>(extensionPaths);
        expected.addAll(enumExtensions);
        assertThat(staleExtensions).as("@Extension on fields the proto has").isEmpty();
        // ProtoOracle.NEWER_THAN_PROTO must name every newer-than-proto path Habla can produce, and nothing more.
        assertThat(new TreeSet<>(ProtoOracle.NEWER_THAN_PROTO)).containsExactlyElementsOf(expected);
    }
}
