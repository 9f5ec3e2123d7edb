package dev.habla.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.conformance.Corpus.Mutant;
import dev.habla.conformance.ProtoOracle.Verdict;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.Strictness;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Differential test: for the frames the official SDKs send and thousands of mutants of them (misspelled keys at every
 * depth, the other spelling of every key, removed keys, two dozen probe values in every position, frame-level damage),
 * Habla's strict decoder and the strict v1beta proto parser agree on accept/reject.
 *
 * <p>Habla never accepts what the proto rejects. It rejects what the proto accepts only in these named cases, each
 * matched narrowly and counted:
 * <ol>
 *   <li>a mutation inside an allow-listed newer-than-proto field ({@link ProtoOracle#NEWER_THAN_PROTO}: stripped, so
 *       the proto cannot judge it);</li>
 *   <li>no top-level message ({@code {}}): the proto accepts an empty message, Habla enforces the Live API's "exactly
 *       one top-level key";</li>
 *   <li>{@link #GSON_COERCION}: protobuf-java's JsonFormat reads a string or bytes field with Gson's
 *       {@code getAsString()}, so {@code 7}, {@code true} or {@code ["x"]} become "7", "true", "x". The proto3 JSON
 *       mapping wants a JSON string there, and Google's front end answers "Invalid value at '…' (TYPE_STRING)";</li>
 *   <li>{@link #TRAILING_DATA}: JsonFormat.merge reads the first JSON value and ignores what follows; a WebSocket
 *       message is one JSON object;</li>
 *   <li>{@link #UNKNOWN_ENUM_NUMBER}: proto3 enums are open, so the proto keeps an undefined number; a Habla record has
 *       no constant for it (and could not encode it again), so strict decoding rejects it (lenient keeps it).</li>
 * </ol>
 */
@Timeout(120)
class DifferentialDecoderTest {

    static final String GSON_COERCION = "non-string JSON value in a string/bytes field (Gson getAsString coercion)";
    static final String TRAILING_DATA = "data after the JSON object (JsonFormat ignores it)";
    static final String UNKNOWN_ENUM_NUMBER = "enum number the proto does not define (open proto3 enum)";

    /** What both parsers said about one frame. */
    record Outcome(boolean habla, String hablaError, Verdict proto) {}

    static Outcome client(String json) {
        return judge(json, true);
    }

    static Outcome judge(String json, boolean client) {
        boolean ok;
        String error = null;
        try {
            if (client) {
                LiveCodec.decodeClient(json, Strictness.STRICT);
            } else {
                LiveCodec.decodeServer(json, Strictness.STRICT);
            }
            ok = true;
        } catch (ProtocolException e) {
            ok = false;
            error = e.getMessage();
        } catch (RuntimeException e) {
            throw new AssertionError("Habla's decoder crashed (not a ProtocolException) on " + json, e);
        }
        return new Outcome(ok, error, client ? ProtoOracle.client(json) : ProtoOracle.server(json));
    }

    @Test
    void theSdkFramesAreAcceptedByBoth() {
        for (String f : Corpus.CLIENT) {
            Outcome o = judge(f, true);
            assertThat(o.habla()).as("Habla: %s -> %s", f, o.hablaError()).isTrue();
            assertThat(o.proto().accepted()).as("proto: %s -> %s", f, o.proto().error()).isTrue();
        }
        for (String f : Corpus.SERVER) {
            Outcome o = judge(f, false);
            assertThat(o.habla()).as("Habla: %s -> %s", f, o.hablaError()).isTrue();
            assertThat(o.proto().accepted()).as("proto: %s -> %s", f, o.proto().error()).isTrue();
        }
    }

    @Test
    void clientMutantsGetTheSameVerdict() {
        compare(Corpus.CLIENT, true);
    }

    @Test
    void serverMutantsGetTheSameVerdict() {
        compare(Corpus.SERVER, false);
    }

    private static void compare(List<String> corpus, boolean client) {
        int total = 0;
        int bothAccept = 0;
        int bothReject = 0;
        int extension = 0;
        int noMessage = 0;
        Map<String, String> disagreements = new TreeMap<>();
        Map<String, Integer> exceptions = new TreeMap<>();
        for (String frame : corpus) {
            for (Mutant m : Corpus.mutants(frame)) {
                total++;
                Outcome o = judge(m.json(), client);
                if (o.habla() == o.proto().accepted()) {
                    if (o.habla()) {
                        bothAccept++;
                    } else {
                        bothReject++;
                    }
                    continue;
                }
                if (insideStripped(m, o.proto())) {
                    extension++;
                    continue;
                }
                if (!o.habla() && o.proto().accepted() && noTopLevelMessage(m.json())) {
                    noMessage++;
                    continue;
                }
                String named = o.habla() ? null : namedException(m, o.hablaError());
                if (named != null) {
                    exceptions.merge(named, 1, Integer::sum);
                    continue;
                }
                String key = m.kind() + " at " + m.path().replaceAll("\\[\\d+]", "[]");
                disagreements.putIfAbsent(key, m.json() + "\n    Habla " + (o.habla() ? "accepts" : "rejects: " + o.hablaError())
                        + "\n    proto " + (o.proto().accepted() ? "accepts" : "rejects: " + o.proto().error()));
            }
        }
        System.out.printf("%s frames: %d SDK frames, %d mutants: %d both accept, %d both reject, %d inside allow-listed extensions,"
                        + " %d without a top-level message (Habla stricter), Habla stricter by name %s, %d disagreements%n",
                client ? "client" : "server", corpus.size(), total, bothAccept, bothReject, extension, noMessage, exceptions,
                disagreements.size());
        assertThat(total).isGreaterThan(client ? 5000 : 1000);
        StringBuilder b = new StringBuilder();
        disagreements.forEach((k, v) -> b.append("\n").append(k).append(": ").append(v));
        assertThat(disagreements).as("Habla and the proto disagree:%s", b).isEmpty();
        // each named case is real (it occurs), so none of them is a stale excuse
        assertThat(exceptions).containsKeys(GSON_COERCION, TRAILING_DATA, UNKNOWN_ENUM_NUMBER);
    }

    /** Which named "Habla stricter than protobuf-java" case a Habla-rejects/proto-accepts mutant is, or null. */
    static String namedException(Mutant m, String hablaError) {
        if (m.kind().equals("trailing data")) {
            return TRAILING_DATA;
        }
        if (!m.kind().startsWith("value ")) {
            return null;
        }
        JsonNode probe = ProtoOracle.tree(m.kind().substring("value ".length()));
        boolean notAString = probe.isNumber() || probe.isBoolean() || probe.isArray() && probe.size() == 1 && probe.get(0).isTextual();
        if (notAString && (hablaError.startsWith("Expected a string but got") || hablaError.startsWith("Expected a base64 string"))) {
            return GSON_COERCION;
        }
        String text = probe.isTextual() ? probe.asText() : probe.toString();
        if (hablaError.startsWith("Invalid enum value") && (probe.isNumber() || probe.isTextual()) && isIntegral(text)) {
            return UNKNOWN_ENUM_NUMBER;
        }
        return null;
    }

    private static boolean isIntegral(String s) {
        try {
            new java.math.BigDecimal(s).intValueExact();
            return true;
        } catch (NumberFormatException | ArithmeticException e) {
            return false;
        }
    }

    /** The mutation touched an allow-listed path that the oracle stripped before parsing. */
    private static boolean insideStripped(Mutant m, Verdict v) {
        if (v.stripped().isEmpty()) {
            return false;
        }
        StringBuilder camel = new StringBuilder();
        for (String seg : m.path().replaceAll("\\[\\d+]", "").split("\\.")) {
            camel.append(camel.isEmpty() ? "" : ".").append(ProtoOracle.camel(seg));
        }
        String p = camel.toString();
        for (String s : v.stripped()) {
            String base = s.contains("=") ? s.substring(0, s.indexOf('=')) : s;
            if (p.equals(base) || p.startsWith(base + ".") || base.startsWith(p + ".") || m.path().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static boolean noTopLevelMessage(String json) {
        JsonNode n;
        try {
            n = ProtoOracle.JSON.readTree(json);
        } catch (Exception e) {
            return false;
        }
        if (n == null || !n.isObject()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isNull()) {
                return false;
            }
        }
        return true;
    }
}
