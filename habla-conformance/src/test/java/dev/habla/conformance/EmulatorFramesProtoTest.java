package dev.habla.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.conformance.ProtoOracle.Verdict;
import dev.habla.testing.FakeClock;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.Strictness;
import dev.habla.testing.RawWs;
import dev.habla.testing.RawWs.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every frame the emulator sends in real sessions (text, audio with server VAD and transcriptions, tool calls,
 * barge-in with tool-call cancellation, resumption, goAway, faults), captured by a raw JDK WebSocket client as the exact
 * bytes on the wire, is a binary frame that the strict v1beta proto parser accepts once only allow-listed paths are
 * stripped (and Habla's own strict decoder accepts as is).
 */
@Timeout(60)
class EmulatorFramesProtoTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String HALF = "models/gemini-2.0-flash-live-001";
    static final String NATIVE = "models/gemini-2.5-flash-native-audio-preview-12-2025";
    static final String G31 = "models/gemini-3.1-flash-live-preview";
    static final List<String> ALL_FRAMES = new ArrayList<>();
    static final Set<String> STRIPPED = new TreeSet<>();

    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x.fakeClock().emulator(b -> b.apiKey("conformance-key")));
    FakeClock clock;
    LiveEmulator emu;
    final List<RawWs> sockets = new ArrayList<>();

    @BeforeEach
    void bind() {
        clock = live.clock();
        emu = live.emulator();
    }

    /** Runs before the extension closes the emulator. */
    @AfterEach
    void closeSockets() {
        sockets.forEach(RawWs::close);
    }

    @AfterAll
    static void report() {
        System.out.println("emulator frames proto-checked: " + ALL_FRAMES.size() + ", allow-listed paths used: " + STRIPPED);
    }

    RawWs open(String version) throws Exception {
        RawWs ws = RawWs.connect(emu.wsUrl(version), "conformance-key");
        sockets.add(ws);
        return ws;
    }

    static Predicate<String> has(String needle) {
        return json -> json.contains(needle);
    }

    static String setup(String model, String modality, String extra) {
        return "{\"setup\":{\"model\":\"" + model + "\",\"generationConfig\":{\"responseModalities\":[\"" + modality + "\"]}"
                + (extra.isEmpty() ? "" : "," + extra) + "}}";
    }

    static final String TOOLS = "\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_time\",\"description\":\"time\","
            + "\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"tz\":{\"type\":\"STRING\"}}}},"
            + "{\"name\":\"slow_job\",\"behavior\":\"NON_BLOCKING\"}]}]";

    static String text(String s) {
        return "{\"clientContent\":{\"turns\":[{\"role\":\"user\",\"parts\":[{\"text\":" + ProtoOracle.JSON.valueToTree(s) + "}]}],"
                + "\"turnComplete\":true}}";
    }

    /** Proto-checks (and Habla-checks) frames; returns them for scenario assertions. */
    static List<Frame> check(List<Frame> frames) {
        List<String> failures = new ArrayList<>();
        for (Frame f : frames) {
            if (!f.binary()) {
                failures.add("text frame (the service sends binary): " + f.json());
            }
            Verdict v = ProtoOracle.server(f.json());
            if (!v.accepted()) {
                failures.add("proto rejected " + f.json() + " -> " + v.error());
            }
            try {
                LiveCodec.decodeServer(f.json(), Strictness.STRICT);
            } catch (RuntimeException e) {
                failures.add("Habla strict rejected " + f.json() + " -> " + e.getMessage());
            }
            synchronized (ALL_FRAMES) {
                ALL_FRAMES.add(f.json());
                STRIPPED.addAll(v.stripped());
            }
        }
        assertThat(failures).isEmpty();
        return frames;
    }

    /** Advances the fake clock in 250 ms steps until a frame matching {@code until} arrives. */
    List<Frame> advanceUntil(RawWs ws, Predicate<String> until) throws InterruptedException {
        List<Frame> out = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            RawWs.Event e;
            while ((e = ws.poll(Duration.ofMillis(i == 0 ? 200 : 5))) != null) {
                if (!(e instanceof Frame f)) {
                    throw new AssertionError("connection ended: " + e + " after " + out);
                }
                out.add(f);
                if (until.test(f.json())) {
                    return out;
                }
            }
            clock.advance(Duration.ofMillis(250));
        }
        StringBuilder all = new StringBuilder();
        for (Frame f : ws.allFrames()) {
            all.append("\n  ").append(f.json().replaceAll("\"data\":\"[^\"]*\"", "\"data\":\"…\""));
        }
        throw new AssertionError("never got the frame; whole session:" + all);
    }

    static String joined(List<Frame> frames, String field) {
        StringBuilder b = new StringBuilder();
        for (Frame f : frames) {
            JsonNode n = ProtoOracle.tree(f.json()).path("serverContent");
            for (JsonNode p : n.path("modelTurn").path("parts")) {
                if (field.equals("text") && p.has("text")) {
                    b.append(p.get("text").asText());
                }
            }
            if (!field.equals("text") && n.has(field)) {
                b.append(n.get(field).path("text").asText());
            }
        }
        return b.toString();
    }

    @Test
    void textTurnOnEveryApiVersion() throws Exception {
        for (String version : List.of("v1", "v1beta", "v1alpha")) {
            RawWs ws = open(version);
            ws.send(setup(HALF, "TEXT", ""));
            check(ws.framesUntil(has("setupComplete"), WAIT));
            ws.send(text("hello there, conformance"));
            List<Frame> turn = check(ws.framesUntil(has("turnComplete"), WAIT));
            assertThat(joined(turn, "text")).isEqualTo("You said: hello there, conformance");
            assertThat(turn).anyMatch(f -> f.json().contains("generationComplete"));
            assertThat(turn.getLast().json()).contains("usageMetadata");
        }
    }

    @Test
    void toolCallRoundTripAndNonBlockingCall() throws Exception {
        RawWs ws = open("v1beta");
        ws.send(setup(HALF, "TEXT", TOOLS + ",\"sessionResumption\":{}"));
        check(ws.framesUntil(has("sessionResumptionUpdate"), WAIT));
        ws.send(text("call get_time {\"tz\":\"UTC\"}"));
        List<Frame> call = check(ws.framesUntil(has("toolCall"), WAIT));
        String id = ProtoOracle.tree(call.getLast().json()).at("/toolCall/functionCalls/0/id").asText();
        ws.send("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + id + "\",\"name\":\"get_time\",\"response\":{\"time\":\"12:00\"}}]}}");
        List<Frame> reply = check(ws.framesUntil(has("turnComplete"), WAIT));
        assertThat(joined(reply, "text")).isEqualTo("Tool get_time returned {\"time\":\"12:00\"}");
        check(ws.framesUntil(has("sessionResumptionUpdate"), WAIT));
        // parallel calls in one toolCall, answered together
        ws.send(text("call get_time {} ; call get_time {\"tz\":\"CET\"}"));
        List<Frame> calls = check(ws.framesUntil(has("toolCall"), WAIT));
        JsonNode fcs = ProtoOracle.tree(calls.getLast().json()).at("/toolCall/functionCalls");
        assertThat(fcs).hasSize(2);
        ws.send("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + fcs.get(0).get("id").asText() + "\",\"name\":\"get_time\","
                + "\"response\":{\"a\":1}},{\"id\":\"" + fcs.get(1).get("id").asText() + "\",\"name\":\"get_time\",\"response\":{\"b\":2}}]}}");
        check(ws.framesUntil(has("turnComplete"), WAIT));
        // NON_BLOCKING: the call, a holding reply and turnComplete; the later response starts a new turn
        ws.send(text("call slow_job {}"));
        List<Frame> async = check(ws.framesUntil(has("turnComplete"), WAIT));
        String asyncId = async.stream().filter(f -> f.json().contains("toolCall")).map(f -> ProtoOracle.tree(f.json())
                .at("/toolCall/functionCalls/0/id").asText()).findFirst().orElseThrow();
        ws.send("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + asyncId + "\",\"name\":\"slow_job\",\"response\":{\"done\":true},"
                + "\"scheduling\":\"WHEN_IDLE\"}]}}");
        check(ws.framesUntil(has("turnComplete"), WAIT));
        // an undeclared function and unparsable arguments are answered in text
        ws.send(text("call nope {}"));
        check(ws.framesUntil(has("turnComplete"), WAIT));
    }

    @Test
    void audioWithServerVadTranscriptionsAndBargeIn() throws Exception {
        RawWs ws = open("v1beta");
        ws.send(setup(NATIVE, "AUDIO", "\"inputAudioTranscription\":{},\"outputAudioTranscription\":{},\"sessionResumption\":{},"
                + TOOLS));
        check(ws.framesUntil(has("sessionResumptionUpdate"), WAIT));
        sendAudio(ws, Pcm.speech(1500, 16000));
        sendAudio(ws, Pcm.silence(1000, 16000));
        List<Frame> turn = check(advanceUntil(ws, has("turnComplete")));
        assertThat(turn).anyMatch(f -> f.json().contains("inputTranscription"));
        assertThat(turn).anyMatch(f -> f.json().contains("audio/pcm;rate=24000"));
        assertThat(joined(turn, "outputTranscription")).contains("I heard 1.50 seconds of audio.");
        check(advanceUntil(ws, has("sessionResumptionUpdate")));
        // barge-in: a new text turn while the audio reply is still "playing" (clock not advanced) interrupts it
        ws.send(text("please tell me a rather long story about the sea"));
        check(ws.framesUntil(has("inlineData"), WAIT));
        ws.send("{\"realtimeInput\":{\"text\":\"stop\"}}");
        List<Frame> cut = check(ws.framesUntil(has("interrupted"), WAIT));
        assertThat(cut.getLast().json()).contains("\"interrupted\":true");
        check(advanceUntil(ws, has("turnComplete")));
        check(advanceUntil(ws, has("turnComplete"))); // the answer to "stop"
        // a pending blocking tool call is cancelled by barge-in
        ws.send(text("call get_time {}"));
        check(advanceUntil(ws, has("toolCall")));
        sendAudio(ws, Pcm.speech(600, 16000));
        sendAudio(ws, Pcm.silence(800, 16000));
        List<Frame> cancelled = check(advanceUntil(ws, has("toolCallCancellation")));
        assertThat(cancelled.getLast().json()).contains("toolCallCancellation");
        check(advanceUntil(ws, has("turnComplete")));
        // audioStreamEnd ends an utterance early; legacy mediaChunks audio is heard too
        ws.send("{\"realtimeInput\":{\"mediaChunks\":[{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\""
                + Base64.getEncoder().encodeToString(Pcm.speech(700, 16000)) + "\"}]}}");
        ws.send("{\"realtime_input\":{\"audio_stream_end\":true}}");
        check(advanceUntil(ws, has("[speech 0.70s]")));
        check(advanceUntil(ws, has("turnComplete")));
    }

    @Test
    void manualActivityDetection() throws Exception {
        RawWs ws = open("v1beta");
        ws.send(setup(NATIVE, "AUDIO", "\"realtimeInputConfig\":{\"automaticActivityDetection\":{\"disabled\":true}},"
                + "\"inputAudioTranscription\":{}"));
        check(ws.framesUntil(has("setupComplete"), WAIT));
        ws.send("{\"realtimeInput\":{\"activityStart\":{}}}");
        sendAudio(ws, Pcm.speech(400, 16000));
        ws.send("{\"realtimeInput\":{\"activityEnd\":{}}}");
        check(advanceUntil(ws, has("turnComplete")));
    }

    @Test
    void resumptionAcrossConnectionsAndGoAway() throws Exception {
        RawWs first = open("v1beta");
        first.send(setup(HALF, "TEXT", "\"sessionResumption\":{}"));
        check(first.framesUntil(has("sessionResumptionUpdate"), WAIT));
        first.send(text("first turn"));
        List<Frame> turn = check(first.framesUntil(has("newHandle"), WAIT));
        String handle = ProtoOracle.tree(turn.getLast().json()).at("/sessionResumptionUpdate/newHandle").asText();
        // goAway via the fault, then the close when its time is up
        emu.inject(new Fault.GoAway(Duration.ofSeconds(2)));
        check(first.framesUntil(has("goAway"), WAIT));
        clock.advance(Duration.ofSeconds(2));
        assertThat(first.awaitClose(WAIT).code()).isEqualTo(1000);

        RawWs second = open("v1beta");
        second.send(setup(HALF, "TEXT", "\"sessionResumption\":{\"handle\":\"" + handle + "\"}"));
        check(second.framesUntil(has("sessionResumptionUpdate"), WAIT));
        second.send(text("history"));
        List<Frame> history = check(second.framesUntil(has("turnComplete"), WAIT));
        assertThat(joined(history, "text")).isEqualTo("History: 1. first turn");
        // the connection lifetime goAway of the emulator itself
        second.send(text("now wait"));
        check(second.framesUntil(has("turnComplete"), WAIT));
        clock.advance(Duration.ofMinutes(10).minusSeconds(5));
        check(second.framesUntil(has("goAway"), WAIT));
    }

    /**
     * The frames of the newer behaviours: Gemini 3.1 (initial history, realtime text, audio + transcript in one event),
     * voiceActivity from the VAD, a sliding window that drops turns, the 1007 for clientContent mid-session and the
     * 1000 at the session limit. voiceActivity is newer than the v1beta proto: the allow-list strips the whole
     * message, so for it the proto only proves that nothing else is in the frame; Habla strict decodes all of it.
     */
    @Test
    void gemini31VoiceActivityCompressionAndSessionLimit() throws Exception {
        RawWs ws = open("v1beta");
        ws.send(setup(G31, "AUDIO", "\"inputAudioTranscription\":{},\"outputAudioTranscription\":{},\"sessionResumption\":{},"
                + "\"historyConfig\":{\"initialHistoryInClientContent\":true},"
                + "\"contextWindowCompression\":{\"triggerTokens\":\"60\",\"slidingWindow\":{\"targetTokens\":\"30\"}}"));
        check(ws.framesUntil(has("sessionResumptionUpdate"), WAIT));
        ws.send("{\"clientContent\":{\"turns\":[{\"role\":\"user\",\"parts\":[{\"text\":\"my name is Ada\"}]},"
                + "{\"role\":\"model\",\"parts\":[{\"text\":\"hello Ada\"}]}],\"turnComplete\":true}}");
        ws.send("{\"realtimeInput\":{\"text\":\"history\"}}");
        List<Frame> history = check(advanceUntil(ws, has("turnComplete")));
        assertThat(joined(history, "outputTranscription")).isEqualTo("History: 1. my name is Ada");
        assertThat(history).anyMatch(f -> f.json().contains("inlineData") && f.json().contains("outputTranscription"));
        check(advanceUntil(ws, has("\"resumable\":true")));
        // speech: voiceActivity start and end, transcription, the reply; the window (60 tokens) drops old turns
        sendAudio(ws, Pcm.speech(1500, 16000));
        sendAudio(ws, Pcm.silence(1000, 16000));
        List<Frame> spoken = check(advanceUntil(ws, has("turnComplete")));
        List<Frame> activity = spoken.stream().filter(f -> f.json().contains("\"voiceActivity\"")).toList();
        assertThat(activity).hasSize(2);
        for (Frame f : activity) {
            assertThat(ProtoOracle.server(f.json()).stripped()).containsExactly("voiceActivity");
        }
        assertThat(activity.get(0).json()).contains("\"type\":\"ACTIVITY_START\"");
        check(advanceUntil(ws, has("\"resumable\":true")));
        ws.send("{\"realtimeInput\":{\"text\":\"history\"}}");
        List<Frame> after = check(advanceUntil(ws, has("turnComplete")));
        assertThat(joined(after, "outputTranscription")).isEqualTo("History: 1. [speech 1.50s]");
        check(advanceUntil(ws, has("\"resumable\":true")));
        // clientContent after the history phase
        ws.send(text("too late"));
        assertThat(ws.awaitClose(WAIT)).isEqualTo(new RawWs.Closed(1007, "Request contains an invalid argument."));

        // without compression an audio session ends after 15 minutes of session time: close 1000, empty reason
        RawWs audio = open("v1beta");
        audio.send(setup(NATIVE, "AUDIO", ""));
        check(audio.framesUntil(has("setupComplete"), WAIT));
        sendAudio(audio, Pcm.silence(200, 16000));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (emu.sessions().getLast().receivedAudio().length < 6400 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        clock.advance(Duration.ofMinutes(15));
        assertThat(audio.awaitClose(WAIT)).isEqualTo(new RawWs.Closed(1000, ""));
    }

    @Test
    void faultsThatSendFrames() throws Exception {
        RawWs ws = open("v1beta");
        ws.send(setup(NATIVE, "AUDIO", "\"outputAudioTranscription\":{}"));
        check(ws.framesUntil(has("setupComplete"), WAIT));
        ws.send(text("a reply to cut"));
        check(ws.framesUntil(has("inlineData"), WAIT));
        emu.inject(new Fault.PrematureTurnComplete());
        check(ws.framesUntil(has("turnComplete"), WAIT));
        emu.inject(new Fault.PhantomInterrupted());
        check(ws.framesUntil(has("interrupted"), WAIT));
        check(advanceUntil(ws, has("turnComplete")));
        emu.inject(new Fault.BurstyAudio(3, Duration.ofMillis(100)));
        ws.send(text("bursty"));
        check(advanceUntil(ws, has("turnComplete")));
    }

    static void sendAudio(RawWs ws, byte[] pcm) {
        int chunk = 3200; // 100 ms at 16 kHz
        for (int off = 0; off < pcm.length; off += chunk) {
            int len = Math.min(chunk, pcm.length - off);
            byte[] part = java.util.Arrays.copyOfRange(pcm, off, off + len);
            ws.send("{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\""
                    + Base64.getEncoder().encodeToString(part) + "\"}}}");
        }
    }
}
