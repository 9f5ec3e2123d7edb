package dev.habla.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.conformance.Oracles.NodeRun;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedRealtimeEvent;
import dev.habla.realtime.ClientEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official OpenAI SDKs complete real scenarios against the emulator's OpenAI Realtime endpoint (issue 13, "must
 * show" 1): npm {@code openai} 7.55.0 (its realtime WebSocket client and its client-secrets REST call) and
 * {@code @openai/agents-realtime} 0.20.0 ({@code RealtimeSession}), pinned in {@code js-openai/package-lock.json} and
 * installed by {@code prepare-openai-js.sh}. Node scripts in {@code habla-conformance/js-openai/} print a JSON result
 * asserted here; every frame the SDKs sent is also decoded by Habla's codec.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class SdkOpenAiRealtimeConformanceTest {
    static final String OPENAI_VERSION = "7.55.0";
    static final String AGENTS_VERSION = "0.20.0";
    /** The long reply the barge-in scenarios talk over (its speech lasts ~13 s, so it is still running). */
    static final String LONG = "tell me a long story about the sea and the ships and the sailors who crossed it for many years under the stars";

    @RegisterExtension
    static EmulatorExtension live = EmulatorExtension.create(x -> x.perClass().emulator(b -> b.apiKey("sk-conformance")));
    static LiveEmulator emu;

    @BeforeAll
    static void prepare() throws Exception {
        emu = live.emulator();
        Path dir = dir();
        // Its output goes to a file, not to this JVM's stdout: surefire talks to the forked JVM over that stream, and
        // npm's progress written straight to it failed the build ("stream corrupted") on a first install.
        Path log = Oracles.moduleDir().resolve("target/prepare-openai-js.log");
        Process p = new ProcessBuilder("bash", Oracles.moduleDir().resolve("prepare-openai-js.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("prepare-openai-js.sh finished (output in %s)", log).isTrue();
        assertThat(p.exitValue()).as("prepare-openai-js.sh (needs node, npm and the npm registry once): %s",
                Files.readString(log)).isZero();
        assertThat(version(dir, "openai")).isEqualTo(OPENAI_VERSION);
        assertThat(version(dir, "@openai/agents-realtime")).isEqualTo(AGENTS_VERSION);
    }

    static Path dir() {
        return Oracles.moduleDir().resolve("js-openai");
    }

    static String version(Path dir, String pkg) throws Exception {
        return ProtoOracle.tree(Files.readString(dir.resolve("node_modules/" + pkg + "/package.json"))).path("version").asText();
    }

    @BeforeEach
    void forgetEarlierFrames() throws InterruptedException {
        frames(Duration.ZERO);
    }

    /** What the SDKs sent so far: every frame decodes with Habla's codec. */
    static List<ClientEvent> frames(Duration wait) throws InterruptedException {
        List<ClientEvent> out = new ArrayList<>();
        ReceivedRealtimeEvent e;
        while ((e = emu.takeRealtimeEvent(out.isEmpty() ? wait : Duration.ofMillis(100))) != null) {
            out.add(e.event());
        }
        return out;
    }

    static JsonNode ok(NodeRun run) {
        assertThat(run.result().path("ok").asBoolean()).as("scenario failed: %s", run).isTrue();
        return run.result();
    }

    @Test
    void openaiRealtimeWebSocketClient() throws Exception {
        JsonNode r = ok(Oracles.runNodeIn(dir(), "openai-ws.mjs", 120, String.valueOf(emu.port())));
        assertThat(r.path("url").asText()).isEqualTo("wss://127.0.0.1:" + emu.port() + "/v1/realtime?model=gpt-realtime");
        assertThat(r.path("text").asText()).isEqualTo("You said: Hello from the openai SDK");
        assertThat(r.path("textDoneStatus").asText()).isEqualTo("completed");
        assertThat(r.path("call").path("name").asText()).isEqualTo("lookup");
        assertThat(r.path("call").path("arguments").path("q").asText()).isEqualTo("moon");
        assertThat(r.path("call").path("status").asText()).isEqualTo("completed");
        assertThat(r.path("toolReply").asText()).isEqualTo("Tool lookup returned {\"phase\":\"full\"}");
        assertThat(r.path("updatedInstructions").asText()).isEqualTo("Now be verbose.");
        assertThat(r.path("error").path("code").asText()).isEqualTo("invalid_value");
        assertThat(r.path("error").path("param").asText()).isEqualTo("type");
        assertThat(r.path("error").path("eventId").asText()).isEqualTo("bad_1");
        assertThat(r.path("afterError").asText()).isEqualTo("You said: still there?");
        assertThat(r.path("speechStarted").asInt()).isEqualTo(1);
        assertThat(r.path("inputTranscript").asText()).isEqualTo("[speech 1.00s]");
        assertThat(r.path("audioTranscript").asText()).isEqualTo("I heard 1.00 seconds of audio.");
        assertThat(r.path("audioBytes").asInt()).isEqualTo("I heard 1.00 seconds of audio.".length() * 1680 * 2);
        assertThat(r.path("bargeIn").path("status").asText()).isEqualTo("cancelled");
        assertThat(r.path("bargeIn").path("reason").asText()).isEqualTo("turn_detected");
        assertThat(r.path("heard").asText()).isEqualTo("You said:");
        assertThat(r.path("missingEventIds").asInt()).isZero();
        List<ClientEvent> sent = frames(Duration.ofSeconds(2));
        assertThat(sent).hasAtLeastOneElementOfType(ClientEvent.ConversationItemTruncate.class)
                .hasAtLeastOneElementOfType(ClientEvent.InputAudioBufferAppend.class)
                .hasAtLeastOneElementOfType(ClientEvent.Unknown.class);
    }

    @Test
    void openaiClientSecretsAndSubprotocolKey() throws Exception {
        JsonNode r = ok(Oracles.runNodeIn(dir(), "openai-secrets.mjs", 60, String.valueOf(emu.port())));
        assertThat(r.path("valuePrefix").asText()).isEqualTo("ek_");
        assertThat(r.path("sessionObject").asText()).isEqualTo("realtime.session");
        assertThat(r.path("secretInstructions").asText()).isEqualTo("Speak like a pirate.");
        assertThat(r.path("protocol").asText()).isEqualTo("realtime");
        assertThat(r.path("firstType").asText()).isEqualTo("session.created");
        assertThat(r.path("sessionInstructions").asText()).isEqualTo("Speak like a pirate.");
    }

    @Test
    void agentsRealtimeSession() throws Exception {
        JsonNode r = ok(Oracles.runNodeIn(dir(), "agents.mjs", 120, String.valueOf(emu.port())));
        assertThat(r.path("text").asText()).isEqualTo("You said: Hello agents");
        assertThat(r.path("tools").path(0).path("name").asText()).isEqualTo("get_weather");
        assertThat(r.path("toolReply").asText()).isEqualTo("Tool get_weather returned \"sunny in Paris\"");
        assertThat(r.path("updatedInstructions").asText()).isEqualTo("Now be verbose.");
        assertThat(r.path("error").path("code").asText()).isEqualTo("invalid_value");
        assertThat(r.path("afterError").asText()).isEqualTo("You said: still there?");
        assertThat(r.path("textMissingEventIds").asInt()).isZero();
        assertThat(r.path("inputTranscript").asText()).isEqualTo("[speech 1.00s]");
        assertThat(r.path("audioReply").asText()).isEqualTo("I heard 1.00 seconds of audio.");
        assertThat(r.path("audioBytes").asInt()).isEqualTo("I heard 1.00 seconds of audio.".length() * 1680 * 2);
        assertThat(r.path("bargeIn").path("status").asText()).isEqualTo("cancelled");
        assertThat(r.path("bargeIn").path("reason").asText()).isEqualTo("turn_detected");
        // The SDK truncates at what it played (wall clock since the first delta): a prefix of the reply, in words.
        assertThat(r.path("bargeIn").path("truncatedMs").asLong()).isNotNegative();
        assertThat("You said: " + LONG).startsWith(r.path("heard").asText());
        assertThat(r.path("voiceMissingEventIds").asInt()).isZero();
        List<ClientEvent> sent = frames(Duration.ofSeconds(2));
        // The agents SDK sent its own truncate (the barge-in), its response.create ids and the tool's output.
        assertThat(sent).filteredOn(e -> e instanceof ClientEvent.ConversationItemTruncate).isNotEmpty();
        assertThat(sent).filteredOn(e -> e instanceof ClientEvent.ResponseCreate rc && rc.eventId() != null
                && rc.eventId().startsWith("agents_js_response_create_")).isNotEmpty();
        assertThat(sent).filteredOn(e -> e instanceof ClientEvent.ConversationItemCreate c
                && c.item() instanceof dev.habla.realtime.Item.FunctionCallOutput o && o.output().equals("sunny in Paris")).hasSize(1);
    }
}
