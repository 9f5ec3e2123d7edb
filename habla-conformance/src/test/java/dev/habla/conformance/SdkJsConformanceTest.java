package dev.habla.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.conformance.Oracles.NodeRun;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official JS SDK {@code @google/genai} 3.3.0 (npm, pinned in js/package-lock.json) completes real scenarios
 * against the emulator: Node scripts in {@code habla-conformance/js/}, launched with a timeout, print a JSON result
 * that is asserted here. Every client frame the SDK sent is also checked by the proto and by Habla's strict decoder.
 */
@Timeout(120)
class SdkJsConformanceTest {
    @RegisterExtension
    static EmulatorExtension live = EmulatorExtension.create(x -> x.perClass().emulator(b -> b.apiKey("conformance-key")));
    static LiveEmulator emu;

    @BeforeAll
    static void bind() {
        emu = live.emulator();
    }

    @AfterAll
    static void report() {
        System.out.println("SDK client frames that passed both oracles so far: " + SdkFrames.CHECKED.get());
    }

    @BeforeEach
    void forgetEarlierFrames() throws InterruptedException {
        SdkFrames.drain(emu, Duration.ZERO);
    }

    static JsonNode ok(NodeRun run) {
        assertThat(run.result().path("ok").asBoolean()).as("scenario failed: %s", run).isTrue();
        return run.result();
    }

    /** The SDK's frames of this scenario: all pass both oracles, the first is its setup. */
    static List<ReceivedMessage> sdkFrames() throws InterruptedException {
        List<ReceivedMessage> frames = SdkFrames.drain(emu, Duration.ofSeconds(2));
        assertThat(frames).isNotEmpty();
        SdkFrames.check(frames);
        return frames;
    }

    @ParameterizedTest(name = "apiVersion {0}")
    @ValueSource(strings = {"default", "v1beta"})
    void textTurn(String version) throws Exception {
        NodeRun run = version.equals("default")
                ? Oracles.runNode("text.mjs", 40, emu.baseUrl())
                : Oracles.runNode("text.mjs", 40, emu.baseUrl(), version);
        JsonNode r = ok(run);
        assertThat(r.path("text").asText()).isEqualTo("You said: Hello from the JS SDK");
        assertThat(r.path("turnComplete").asInt()).isEqualTo(1);
        assertThat(r.path("generationComplete").asInt()).isEqualTo(1);
        assertThat(r.path("usage").path("totalTokenCount").asInt()).isPositive();
        List<ReceivedMessage> frames = sdkFrames();
        assertThat(frames.getFirst().rawJson()).startsWith("{\"setup\":{\"model\":\"models/gemini-2.0-flash-live-001\"");
        // 3.3.0's default apiVersion is v1 (2.x used v1beta); the emulator routes by the URL's version.
        String expected = version.equals("default") ? "v1" : "v1beta";
        assertThat(emu.session(frames.getFirst().sessionId()).orElseThrow().apiVersion()).isEqualTo(expected);
    }

    @Test
    void audioRoundTripWithTranscriptions() throws Exception {
        JsonNode r = ok(Oracles.runNode("audio.mjs", 60, emu.baseUrl()));
        assertThat(r.path("audioChunks").asInt()).isGreaterThan(5);
        assertThat(r.path("mimeTypes").get(0).asText()).isEqualTo("audio/pcm;rate=24000");
        // 70 ms of 24 kHz PCM16 per character of the reply
        assertThat(r.path("outputTranscription").asText()).isEqualTo("I heard 1.50 seconds of audio.");
        assertThat(r.path("audioBytes").asInt()).isEqualTo("I heard 1.50 seconds of audio.".length() * 1680 * 2);
        assertThat(r.path("inputTranscription").asText()).isEqualTo("[speech 1.50s]");
        assertThat(r.path("turnComplete").asInt()).isEqualTo(1);
        List<ReceivedMessage> frames = sdkFrames();
        assertThat(frames).filteredOn(f -> f.rawJson().contains("\"audio\"")).hasSize(25);
        byte[] received = emu.session(frames.getFirst().sessionId()).orElseThrow().receivedAudio();
        assertThat(received).hasSize(r.path("sentBytes").asInt());
    }

    @Test
    void toolCallRoundTrip() throws Exception {
        JsonNode r = ok(Oracles.runNode("tool.mjs", 40, emu.baseUrl()));
        assertThat(r.path("call").path("name").asText()).isEqualTo("get_time");
        assertThat(r.path("call").path("args").path("tz").asText()).isEqualTo("UTC");
        assertThat(r.path("reply").asText()).isEqualTo("Tool get_time returned {\"time\":\"12:00\"}");
        assertThat(r.path("turnComplete").asInt()).isEqualTo(1);
        List<ReceivedMessage> frames = sdkFrames();
        String id = r.path("call").path("id").asText();
        assertThat(frames).anyMatch(f -> f.rawJson().startsWith("{\"toolResponse\"") && f.rawJson().contains("\"id\":\"" + id + "\""));
    }

    @Test
    void resumptionWithAHandle() throws Exception {
        JsonNode r = ok(Oracles.runNode("resume.mjs", 40, emu.baseUrl()));
        assertThat(r.path("handle").asText()).isNotBlank();
        assertThat(r.path("history").asText()).isEqualTo("History: 1. first turn from js");
        List<ReceivedMessage> frames = sdkFrames();
        assertThat(frames).anyMatch(f -> f.rawJson().contains("\"sessionResumption\":{\"handle\":\"" + r.path("handle").asText() + "\"}"));
        // two connections, one logical session
        List<String> connections = frames.stream().map(ReceivedMessage::sessionId).distinct().toList();
        assertThat(connections).hasSize(2);
        assertThat(connections.stream().map(id -> emu.session(id).orElseThrow().logicalSessionId()).distinct()).hasSize(1);
    }

    @Test
    void gemini31RealtimeTextIsAnsweredAndClientContentIsRefused() throws Exception {
        JsonNode r = ok(Oracles.runNode("gemini31.mjs", 60, emu.baseUrl()));
        String reply = "You said: hello from js on 3.1";
        assertThat(r.path("transcript").asText()).isEqualTo(reply);
        assertThat(r.path("turnComplete").asInt()).isEqualTo(1);
        // several parts per event on 3.1: every audio event also carries its transcript chunk here
        assertThat(r.path("audioWithTranscript").asInt()).isPositive();
        // clientContent mid-session: the SDK sees close 1007 with the service's reason
        assertThat(r.path("midSessionClose").path("code").asInt()).isEqualTo(1007);
        assertThat(r.path("midSessionClose").path("reason").asText()).isEqualTo("Request contains an invalid argument.");
        List<ReceivedMessage> frames = sdkFrames();
        assertThat(frames.getFirst().rawJson()).contains("\"thinkingLevel\":\"HIGH\"");
        assertThat(frames).anyMatch(f -> f.rawJson().startsWith("{\"realtimeInput\":{\"text\":\"hello from js on 3.1\""));
        // @google/genai 3.3.0 types LiveConnectConfig.historyConfig but its setup converter drops it, so seeding
        // history with clientContent on 3.1 through this SDK ends in 1007 too (the emulator saw no historyConfig).
        assertThat(frames).filteredOn(f -> f.rawJson().startsWith("{\"setup\"")).hasSize(2)
                .noneMatch(f -> f.rawJson().contains("historyConfig"));
        assertThat(r.path("seedClose").path("code").asInt()).isEqualTo(1007);
    }

    @Test
    void voiceActivityPassesThroughTheJsSdk() throws Exception {
        JsonNode r = ok(Oracles.runNode("voice-activity.mjs", 60, emu.baseUrl()));
        JsonNode va = r.path("voiceActivity");
        assertThat(va).as("result: %s", r).hasSize(2);
        // the wire field is `type` (the JS SDK does not rename it in Gemini API mode); offsets in the input stream
        assertThat(va.get(0).path("type").asText()).isEqualTo("ACTIVITY_START");
        assertThat(va.get(0).path("audioOffset").asText()).isEqualTo("0s");
        assertThat(va.get(1).path("type").asText()).isEqualTo("ACTIVITY_END");
        assertThat(va.get(1).path("audioOffset").asText()).isEqualTo("1.500s");
        assertThat(r.path("order").toString()).isEqualTo("[\"setupComplete\",\"voiceActivity\",\"voiceActivity\",\"serverContent\"]");
        sdkFrames();
    }

    @Test
    void unknownModelIsAClearError() throws Exception {
        JsonNode r = ok(Oracles.runNode("unknown-model.mjs", 40, emu.baseUrl()));
        String rejected = r.path("rejected").asText("");
        JsonNode close = r.path("close");
        // connect() rejects with "... (code 1008): models/X is not found ..." and/or onclose has code 1008
        boolean viaReject = rejected.contains("1008") && rejected.contains("models/gemini-0.0-no-such-model is not found for API version v1");
        boolean viaClose = close.path("code").asInt() == 1008 && close.path("reason").asText().contains("is not found");
        assertThat(viaReject || viaClose).as("result: %s", r).isTrue();
        SdkFrames.check(SdkFrames.drain(emu, Duration.ofSeconds(1)));
    }
}
