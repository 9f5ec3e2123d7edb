package dev.habla.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.habla.conformance.ProtoOracle.Verdict;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ProtocolException;
import dev.habla.protocol.Strictness;
import dev.habla.testing.RawWs;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The negative list of sdk-oracles.md §3 and more like it: misspelled fields at several depths, a bad enum value,
 * two members of one oneof, invalid base64, an unknown top-level key, and zero top-level keys. Each is rejected by
 * Habla's strict decoder naming the field ({@link ProtocolException#path()}), by the v1beta proto (except zero keys:
 * the proto accepts an empty message, Habla enforces the documented "exactly one top-level key"), and by the emulator
 * with close 1007 and a reason that names the field.
 */
@Timeout(60)
class NegativeListTest {
    static final String SETUP = "{\"setup\":{\"model\":\"models/gemini-2.0-flash-live-001\",\"generationConfig\":{\"responseModalities\":[\"TEXT\"]}}}";

    /**
     * @param frame      the bad client frame
     * @param path       what {@link ProtocolException#path()} must be
     * @param field      the field name the emulator's close reason must contain (camelCase or its snake_case)
     * @param afterSetup whether the emulator gets a valid setup first (else the bad frame is the first message)
     */
    record Case(String name, String frame, String path, String field, boolean afterSetup) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("misspelled top-level key", "{\"realtimeInputs\":{\"text\":\"x\"}}", "realtimeInputs", "realtimeInputs", true),
                new Case("misspelled at depth 1", "{\"clientContent\":{\"turns\":[],\"turnCompleet\":true}}",
                        "clientContent.turnCompleet", "turnCompleet", true),
                new Case("misspelled setup field", "{\"setup\":{\"modle\":\"models/x\"}}", "setup.modle", "modle", false),
                new Case("misspelled at depth 3", "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm\",\"dat\":\"AAAA\"}}}",
                        "realtimeInput.audio.dat", "dat", true),
                new Case("misspelled in a list", "{\"toolResponse\":{\"functionResponses\":[{\"id\":\"x\",\"name\":\"f\",\"respons\":{}}]}}",
                        "toolResponse.functionResponses[0].respons", "respons", true),
                new Case("misspelled at depth 5", "{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"speechConfig\":{\"voiceConfig\":"
                        + "{\"prebuiltVoiceConfig\":{\"voice_nam\":\"Puck\"}}}}}}",
                        "setup.generationConfig.speechConfig.voiceConfig.prebuiltVoiceConfig.voice_nam", "voice_nam", false),
                new Case("misspelled in a nested schema", "{\"setup\":{\"model\":\"m\",\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\","
                        + "\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"a\":{\"type\":\"STRING\",\"descripton\":\"x\"}}}}]}]}}",
                        "setup.tools[0].functionDeclarations[0].parameters.properties.a.descripton", "descripton", false),
                new Case("bad enum TXT", "{\"setup\":{\"model\":\"m\",\"generationConfig\":{\"responseModalities\":[\"TXT\"]}}}",
                        "setup.generationConfig.responseModalities[0]", "response_modalities", false),
                new Case("bad nested enum", "{\"setup\":{\"model\":\"m\",\"realtimeInputConfig\":{\"automaticActivityDetection\":"
                        + "{\"startOfSpeechSensitivity\":\"LOUD\"}}}}",
                        // the reason names the path; like the service's it is cut at 123 bytes, inside the leaf name here
                        "setup.realtimeInputConfig.automaticActivityDetection.startOfSpeechSensitivity",
                        "automatic_activity_detection.start_of_speech", false),
                new Case("two top-level oneof members", "{\"setup\":{\"model\":\"m\"},\"clientContent\":{\"turnComplete\":true}}",
                        "clientContent", "client_content", false),
                new Case("two Part.data oneof members", "{\"clientContent\":{\"turns\":[{\"parts\":[{\"text\":\"a\",\"inlineData\":"
                        + "{\"mimeType\":\"image/png\",\"data\":\"AA==\"}}]}]}}",
                        "clientContent.turns[0].parts[0].inlineData", "inline_data", true),
                new Case("invalid base64", "{\"realtimeInput\":{\"audio\":{\"data\":\"AA..\",\"mimeType\":\"audio/pcm\"}}}",
                        "realtimeInput.audio.data", "data", true),
                new Case("unknown top-level key beside a valid one", "{\"toolResponse\":{},\"extra\":{}}", "extra", "extra", true),
                new Case("zero top-level keys", "{}", "", null, true));
    }

    static LiveEmulator emu;

    @RegisterExtension
    static EmulatorExtension live = EmulatorExtension.create(x -> x.perClass()
            .emulator(b -> b.apiKey("k")));

    @BeforeAll
    static void bind() {
        emu = live.emulator();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void habla_rejects_naming_the_field(Case c) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> LiveCodec.decodeClient(c.frame(), Strictness.STRICT));
        assertThat(e).as("Habla strict accepted " + c.frame()).isNotNull();
        assertThat(e.path()).isEqualTo(c.path());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void proto_rejects_the_same_set(Case c) {
        Verdict v = ProtoOracle.client(c.frame());
        assertThat(v.stripped()).isEmpty();
        if (c.frame().equals("{}")) {
            // The proto3 parser accepts an empty message; "exactly one top-level key" is the Live API's own rule
            // (ai.google.dev/api/live), enforced by Habla and the emulator.
            assertThat(v.accepted()).isTrue();
            return;
        }
        assertThat(v.accepted()).as("proto accepted " + c.frame()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void emulator_closes_1007_naming_the_field(Case c) throws Exception {
        try (RawWs ws = RawWs.connect(emu.wsUrl("v1beta"), "k")) {
            if (c.afterSetup()) {
                ws.send(SETUP);
                ws.framesUntil(json -> json.contains("setupComplete"), Duration.ofSeconds(10));
            }
            ws.send(c.frame());
            RawWs.Closed closed = ws.awaitClose(Duration.ofSeconds(10));
            assertThat(closed.code()).isEqualTo(CloseCodes.INVALID_ARGUMENT);
            if (c.field() == null) {
                assertThat(closed.reason()).isEqualTo(CloseCodes.REASON_INVALID_ARGUMENT);
            } else {
                assertThat(closed.reason()).containsAnyOf(c.field(), ProtoSchemaConformanceTest.camelToSnake(c.field()));
            }
        }
    }

    @Test
    void theNegativeListIsBroad() {
        List<Case> all = cases().toList();
        assertThat(all).hasSizeGreaterThanOrEqualTo(14);
        assertThat(all.stream().map(c -> c.path().split("\\.").length).distinct().count()).isGreaterThanOrEqualTo(5);
    }
}
