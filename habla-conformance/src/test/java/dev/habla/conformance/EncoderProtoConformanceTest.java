package dev.habla.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.ai.generativelanguage.v1beta.BidiGenerateContentClientMessage;
import com.google.ai.generativelanguage.v1beta.BidiGenerateContentServerMessage;
import com.google.ai.generativelanguage.v1beta.Content;
import com.google.ai.generativelanguage.v1beta.Tool;
import com.google.protobuf.util.JsonFormat;
import dev.habla.conformance.ProtoOracle.Verdict;
import dev.habla.conformance.Samples.Sample;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Strictness;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Habla's encoder against the v1beta proto: every frame {@link LiveCodec#encode} produces for a broad sample of client
 * messages and server frames is accepted by the strict proto3 JSON parser once (only) the allow-listed newer-than-proto
 * paths are stripped, and the proto's own re-printing of it ({@code JsonFormat.printer()}) decodes strictly to a record
 * equal to Habla's decoding of its own frame (minus the stripped paths and minus proto defaults the printer omits, such
 * as an explicit {@code OUTCOME_UNSPECIFIED}: Habla decodes an absent field as null).
 */
@Timeout(60)
class EncoderProtoConformanceTest {

    @Test
    void everyEncodedClientFrameIsAcceptedByTheProtoAndRoundTrips() throws Exception {
        List<String> failures = new ArrayList<>();
        Set<String> stripped = new TreeSet<>();
        List<Sample<ClientMessage>> samples = Samples.client();
        for (Sample<ClientMessage> s : samples) {
            String json = LiveCodec.encode(s.message());
            Verdict v = ProtoOracle.client(json);
            stripped.addAll(v.stripped());
            if (!v.accepted()) {
                failures.add(s + ": proto rejected " + v.parsed() + " -> " + v.error());
                continue;
            }
            failures.addAll(extensionsAreNeeded(s.name(), json, v, true));
            if (v.stripped().contains(s.message().wireKey())) {
                // contextUpdate is newer than the proto as a whole; its members are proto types, so check those.
                JsonNode update = ProtoOracle.tree(json).get("contextUpdate");
                if (update.has("systemInstruction")) {
                    ProtoOracle.STRICT.merge(update.get("systemInstruction").toString(), Content.newBuilder());
                }
                for (JsonNode tool : update.path("tools").path("tools")) {
                    ProtoOracle.STRICT.merge(tool.toString(), Tool.newBuilder());
                }
                continue;
            }
            String printed = ProtoOracle.print(v.message());
            ClientMessage expected = LiveCodec.decodeClient(ProtoOracle.dropProtoDefaults(ProtoOracle.tree(v.parsed()),
                    BidiGenerateContentClientMessage.getDescriptor()).toString(), Strictness.STRICT).message();
            ClientMessage back = LiveCodec.decodeClient(printed, Strictness.STRICT).message();
            if (!back.equals(expected)) {
                failures.add(s + ": round trip through the proto changed it\n  habla: " + json + "\n  proto: " + printed);
            }
        }
        System.out.println("client frames proto-checked: " + samples.size() + ", allow-listed paths used: " + stripped);
        assertThat(samples).hasSizeGreaterThanOrEqualTo(20);
        assertThat(failures).isEmpty();
    }

    @Test
    void everyEncodedServerFrameIsAcceptedByTheProtoAndRoundTrips() {
        List<String> failures = new ArrayList<>();
        Set<String> stripped = new TreeSet<>();
        List<Sample<ServerFrame>> samples = Samples.server();
        for (Sample<ServerFrame> s : samples) {
            byte[] bytes = LiveCodec.encode(s.message());
            String json = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            Verdict v = ProtoOracle.server(bytes);
            stripped.addAll(v.stripped());
            if (!v.accepted()) {
                failures.add(s + ": proto rejected " + v.parsed() + " -> " + v.error());
                continue;
            }
            failures.addAll(extensionsAreNeeded(s.name(), json, v, false));
            if (s.message().message() != null && v.stripped().contains(s.message().message().wireKey())) {
                continue; // voiceActivity*: unknown to the proto as a whole
            }
            String printed = ProtoOracle.print(v.message());
            ServerFrame expected = LiveCodec.decodeServer(ProtoOracle.dropProtoDefaults(ProtoOracle.tree(v.parsed()),
                    BidiGenerateContentServerMessage.getDescriptor()).toString(), Strictness.STRICT);
            ServerFrame back = LiveCodec.decodeServer(printed, Strictness.STRICT);
            if (!back.equals(expected)) {
                failures.add(s + ": round trip through the proto changed it\n  habla: " + json + "\n  proto: " + printed);
            }
        }
        System.out.println("server frames proto-checked: " + samples.size() + ", allow-listed paths used: " + stripped);
        assertThat(samples).hasSizeGreaterThanOrEqualTo(20);
        assertThat(failures).isEmpty();
    }

    /** Without stripping, the proto must reject the frame naming the first allow-listed field: the entry is needed. */
    private static List<String> extensionsAreNeeded(String name, String json, Verdict v, boolean client) {
        if (v.stripped().isEmpty()) {
            return List.of();
        }
        Verdict raw = client ? ProtoOracle.clientUnstripped(json) : ProtoOracle.serverUnstripped(json);
        if (raw.accepted()) {
            return List.of(name + ": allow-listed " + v.stripped() + " but the proto accepts the frame as is");
        }
        boolean named = v.stripped().stream().anyMatch(p -> {
            String leaf = p.contains("=") ? p.substring(p.indexOf('=') + 1) : p.substring(p.lastIndexOf('.') + 1);
            return raw.error().contains(leaf);
        });
        return named ? List.of() : List.of(name + ": proto rejected it for another reason: " + raw.error());
    }

    @Test
    void theSamplesCoverEveryRecordTypeAndEveryEnumConstantAndTheWholeAllowList() {
        Set<Class<?>> types = new LinkedHashSet<>();
        Set<String> constants = new TreeSet<>();
        Set<String> stripped = new TreeSet<>();
        for (Sample<ClientMessage> s : Samples.client()) {
            Reach.used(s.message(), types, constants);
            stripped.addAll(ProtoOracle.client(LiveCodec.encode(s.message())).stripped());
        }
        for (Sample<ServerFrame> s : Samples.server()) {
            Reach.used(s.message(), types, constants);
            stripped.addAll(ProtoOracle.server(LiveCodec.encode(s.message())).stripped());
        }
        types.remove(ServerFrame.class);
        Set<Class<?>> declared = Reach.declared();
        Set<String> missingTypes = new TreeSet<>();
        declared.stream().filter(c -> !types.contains(c)).forEach(c -> missingTypes.add(c.getName()));
        assertThat(missingTypes).as("record/enum types no sample uses").isEmpty();
        Set<String> missingConstants = new TreeSet<>();
        for (Class<?> c : declared) {
            if (c.isEnum()) {
                for (Object k : c.getEnumConstants()) {
                    String id = c.getSimpleName() + "." + ((Enum<?>) k).name();
                    if (!((Enum<?>) k).name().equals("UNRECOGNIZED") && !constants.contains(id)) {
                        missingConstants.add(id);
                    }
                }
            }
        }
        System.out.println("samples use " + types.size() + " record/enum types, " + constants.size() + " enum constants; the other constants are "
                + "checked by name and number against the proto in ProtoSchemaConformanceTest: " + missingConstants);
        assertThat(new TreeSet<>(ProtoOracle.NEWER_THAN_PROTO)).as("allow-list entries the samples exercise").isEqualTo(stripped);
    }

    @Test
    void integralStructNumbersComeBackFromTheProtoAsDoublesOfEqualValue() throws Exception {
        // google.protobuf.Struct stores every number as a double: {"n":18} is printed back as {"n":18.0}. Same JSON
        // number, different Jackson node; that is why the samples use fractional numbers inside Struct/Value.
        byte[] bytes = LiveCodec.encode(new ServerMessage.ToolCall(List.of(new FunctionCall("fc", "f", Samples.json("{\"n\":18,\"m\":[1,2]}")))));
        Verdict v = ProtoOracle.server(bytes);
        assertThat(v.accepted()).isTrue();
        String printed = JsonFormat.printer().omittingInsignificantWhitespace().print(v.message());
        assertThat(printed).contains("\"n\":18.0");
        FunctionCall back = ((ServerMessage.ToolCall) LiveCodec.decodeServer(printed, Strictness.STRICT).message()).functionCalls().get(0);
        Comparator<JsonNode> numeric = (a, b) -> a.isNumber() && b.isNumber() ? Double.compare(a.asDouble(), b.asDouble())
                : a.equals(b) ? 0 : 1;
        assertThat(back.args().equals(numeric, Samples.json("{\"n\":18,\"m\":[1,2]}"))).isTrue();
    }
}
