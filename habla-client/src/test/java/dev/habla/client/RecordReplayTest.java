package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.Cassette;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Record a resilient session against the emulator ({@link ClientConfig.Builder#record}) — text, a tool call, speech,
 * a goAway handover — and replay the cassette ({@link LiveEmulator.Builder#replay}): the same client code sees the same
 * conversation; a client that deviates is closed with a reason naming the cassette line; the cassette holds no key.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordReplayTest {
    /** Looks like a real Google API key, so the redaction is tested on the real shape. */
    // A made-up key in the real format, joined at run time so that no key-shaped literal is committed.
    static final String KEY = "AIza" + "SyD3m0Fak3K3yF0rT3st1ngOnly0123456789";
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    LiveEmulator emulator;
    LiveClient client;

    @AfterEach
    void closeAll() {
        if (client != null) {
            client.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    /** What the user of the session does; {@code original} = against the real emulator (inject the goAway). */
    private RecordingListener conversation(boolean original) throws Exception {
        RecordingListener rec = new RecordingListener();
        ResiliencePolicy policy = ResiliencePolicy.create(p -> p.proactiveHandoverAfter(null).jitter(0)
                .initialBackoff(Duration.ofMillis(10)).maxReconnectAttempts(1));
        try (ResilientSession s = client.connectResilient(ResilienceTestBase.textWithTool("get_time"), rec, policy)) {
            s.sendText("hello");
            rec.await(LiveEvent.TurnComplete.class, WAIT);

            s.sendText("call get_time {}");
            FunctionCall call = rec.await(LiveEvent.ToolCallRequested.class, WAIT).calls().getFirst();
            s.sendToolResponse(List.of(FunctionResponse.of(call.id(), "get_time",
                    new ObjectMapper().readTree("{\"time\":\"12:00\"}"))));
            rec.await(LiveEvent.TurnComplete.class, WAIT);

            // One second of tone, then silence: the server's VAD (on audio time) ends the utterance.
            for (int i = 0; i < 20; i++) {
                s.sendAudio(pcm(100, i < 10), 16_000);
            }
            rec.await(LiveEvent.TurnComplete.class, WAIT);

            if (original) {
                emulator.inject(new Fault.GoAway(Duration.ofSeconds(30)));
            }
            rec.await(LiveEvent.HandoverCompleted.class, WAIT);
            s.sendText("after the handover");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
        }
        rec.awaitClosed(WAIT);
        return rec;
    }

    private static byte[] pcm(int ms, boolean tone) {
        byte[] b = new byte[16 * ms * 2];
        for (int i = 0; i < b.length / 2; i++) {
            short v = tone ? (short) (8000 * Math.sin(2 * Math.PI * 440 * i / 16_000.0)) : 0;
            b[2 * i] = (byte) v;
            b[2 * i + 1] = (byte) (v >> 8);
        }
        return b;
    }

    private Path record() throws Exception {
        Path cassette = dir.resolve("session.jsonl");
        emulator = LiveEmulator.create(b -> b.apiKey(KEY));
        client = LiveClient.create(c -> c.apiKey(KEY).baseUrl(emulator.baseUrl()).record(cassette));
        RecordingListener rec = conversation(true);
        lastRecording = rec;
        assertThat(rec.text()).contains("Tool get_time returned").contains("I heard 1.00 seconds of audio");
        client.close();
        emulator.close();
        client = null;
        emulator = null;
        return cassette;
    }

    private void replayer(Path cassette) {
        emulator = LiveEmulator.create(b -> b.replay(cassette));
        client = LiveClient.create(c -> c.apiKey("another-key-entirely").baseUrl(emulator.baseUrl()));
    }

    @Test
    void aReplayedSessionLooksTheSameToTheClient() throws Exception {
        Path cassette = record();
        RecordingListener original = lastRecording;
        replayer(cassette);
        RecordingListener replayed = conversation(false);
        assertThat(emulator.replayMismatches()).isEmpty();
        assertThat(replayed.text()).isEqualTo(original.text());
        assertThat(replayed.all(LiveEvent.TurnComplete.class)).hasSameSizeAs(original.all(LiveEvent.TurnComplete.class));
        assertThat(replayed.all(LiveEvent.HandoverCompleted.class)).hasSize(1);
    }

    @Test
    void theCassetteIsDocumentedJsonlWithNoKey() throws Exception {
        Path cassette = record();
        String text = Files.readString(cassette, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain(KEY).doesNotContain("AIza").contains("\"x-goog-api-key\":\"" + Cassette.REDACTED + "\"");
        List<String> lines = Files.readAllLines(cassette, StandardCharsets.UTF_8);
        assertThat(lines.getFirst()).startsWith("{\"habla-cassette\":1,\"audio\":\"keep\"");
        Cassette.Recording r = Cassette.parse(lines);
        assertThat(r.connections()).as("a handover opens a second connection").isEqualTo(2);
        assertThat(r.entries()).anySatisfy(e -> assertThat(e).isInstanceOf(Cassette.Close.class));
        assertThat(text).contains("\"goAway\"").contains("\"toolCall\"").contains("\"audio/pcm;rate=16000\"");
    }

    @Test
    void differentTextIsAMismatchNamingTheLine() throws Exception {
        Path cassette = record();
        replayer(cassette);
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(ResilienceTestBase.textWithTool("get_time"), rec,
                ResiliencePolicy.create(p -> p.maxReconnectAttempts(1)))) {
            s.sendText("goodbye");
            LiveEvent.Closed closed = rec.awaitClosed(WAIT);
            assertThat(closed.code()).isEqualTo(1007);
            assertThat(closed.reason()).startsWith("replay line ").contains("expected \"hello\", got \"goodbye\"");
        }
        assertThat(emulator.replayMismatches().getFirst())
                .matches("Replay mismatch at cassette line \\d+ \\(connection 1\\): .*text: expected \"hello\", got \"goodbye\"");
        int line = Integer.parseInt(emulator.replayMismatches().getFirst().replaceAll("^.*line (\\d+) .*$", "$1"));
        assertThat(Files.readAllLines(cassette).get(line - 1)).contains("\"send\"").contains("hello");
    }

    @Test
    void aMissingToolResponseIsAMismatch() throws Exception {
        Path cassette = record();
        replayer(cassette);
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(ResilienceTestBase.textWithTool("get_time"), rec,
                ResiliencePolicy.create(p -> p.maxReconnectAttempts(1)))) {
            s.sendText("hello");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            s.sendText("call get_time {}");
            rec.await(LiveEvent.ToolCallRequested.class, WAIT);
            s.sendText("never mind");
            LiveEvent.Closed closed = rec.awaitClosed(WAIT);
            assertThat(closed.code()).isEqualTo(1007);
        }
        assertThat(emulator.replayMismatches().getFirst()).contains("expected a toolResponse frame, got clientContent");
    }

    @Test
    void aCassetteThatCannotBeWrittenFailsTheClientAtOnce() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LiveClient.create(c -> c.apiKey(KEY).record(dir)))
                .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("cannot write the cassette " + dir);
    }

    @Test
    void notACassetteIsAClearError() throws Exception {
        Path bogus = Files.writeString(dir.resolve("x.jsonl"), "{\"hello\":1}\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LiveEmulator.create(b -> b.replay(bogus)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cassette line 1: no header");
    }

    private RecordingListener lastRecording;

    /**
     * The committed fixture: recorded from the emulator by {@link #record()} (text, tool call, speech, goAway
     * handover). Refresh it with {@code -Dhabla.refreshCassettes=true} (see habla-emulator/README.md, "Record and
     * replay"); {@link #regeneratingTheFixtureGivesAnEquivalentCassette()} fails when the emulator's answers drift.
     */
    static final Path FIXTURE = Path.of("src/test/resources/cassettes/text-tool-speech-handover.jsonl");

    @Test
    void theCommittedFixtureReplays() throws Exception {
        replayer(FIXTURE);
        RecordingListener replayed = conversation(false);
        assertThat(emulator.replayMismatches()).isEmpty();
        assertThat(replayed.text()).isEqualTo("You said: helloTool get_time returned {\"time\":\"12:00\"}"
                + "I heard 1.00 seconds of audio.You said: after the handover");
    }

    @Test
    void theFixtureReplaysAtTheRecordedPace() throws Exception {
        emulator = LiveEmulator.create(b -> b.replay(FIXTURE, LiveEmulator.Pace.RECORDED));
        client = LiveClient.create(c -> c.apiKey("another-key-entirely").baseUrl(emulator.baseUrl()));
        RecordingListener replayed = conversation(false);
        assertThat(emulator.replayMismatches()).isEmpty();
        assertThat(replayed.text()).endsWith("You said: after the handover");
    }

    @Test
    void regeneratingTheFixtureGivesAnEquivalentCassette() throws Exception {
        Path fresh = record();
        if (Boolean.getBoolean("habla.refreshCassettes")) {
            Files.copy(fresh, FIXTURE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(comparable(fresh)).isEqualTo(comparable(FIXTURE));
    }

    /**
     * A cassette without what differs between two recordings of the same session: times, the port, the date, handles;
     * per connection, its client lines in order and its server lines in order (how the two directions, and two
     * connections, interleave depends on thread timing: a handle update races the client's next message). Audio data
     * as its hash, so a failure prints readably.
     */
    private static java.util.Map<String, List<String>> comparable(Path cassette) throws Exception {
        Cassette.Recording r = Cassette.parse(Files.readAllLines(cassette, StandardCharsets.UTF_8));
        java.util.Map<String, List<String>> out = new java.util.TreeMap<>();
        for (Cassette.Entry e : r.entries()) {
            String line = switch (e) {
                case Cassette.Open o -> "open " + o.url().replaceAll("127\\.0\\.0\\.1:\\d+", "HOST");
                case Cassette.Frame f -> f.json().replaceAll("\"(newHandle|handle)\":\"[^\"]*\"", "\"$1\":\"H\"")
                        .transform(RecordReplayTest::hashData);
                case Cassette.Close c -> "close " + c.by() + " " + c.code() + " " + c.reason();
                case Cassette.Broken b -> "broken";
            };
            String side = e instanceof Cassette.Frame f && f.from() == Cassette.Side.SERVER ? "server" : "client";
            out.computeIfAbsent(e.connection() + " " + side, k -> new java.util.ArrayList<>()).add(line);
        }
        return out;
    }

    private static String hashData(String json) {
        return java.util.regex.Pattern.compile("\"data\":\"([^\"]{40,})\"").matcher(json)
                .replaceAll(m -> "\"data\":\"#" + Integer.toHexString(m.group(1).hashCode()) + "\"");
    }

    @Test
    void faultsLayerOnAReplay() throws Exception {
        replayer(FIXTURE);
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client.connectResilient(ResilienceTestBase.textWithTool("get_time"), rec,
                ResiliencePolicy.create(p -> p.proactiveHandoverAfter(null).maxReconnectAttempts(1)))) {
            s.sendText("hello");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            // A goAway the recording does not have, long before its own: the client hands over to connection 2, and
            // the rest of the conversation is answered there (the recorded goAway of connection 1 is moot).
            emulator.inject(new Fault.GoAway(Duration.ofSeconds(7)));
            assertThat(rec.await(LiveEvent.HandoverStarted.class, WAIT).timeLeft()).isEqualTo(Duration.ofSeconds(7));
            assertThat(rec.await(LiveEvent.HandoverCompleted.class, WAIT).connection()).isEqualTo(2);
            s.sendText("call get_time {}");
            FunctionCall call = rec.await(LiveEvent.ToolCallRequested.class, WAIT).calls().getFirst();
            s.sendToolResponse(List.of(FunctionResponse.of(call.id(), "get_time",
                    new ObjectMapper().readTree("{\"time\":\"12:00\"}"))));
            rec.await(LiveEvent.TurnComplete.class, WAIT);
        }
        assertThat(rec.text()).isEqualTo("You said: helloTool get_time returned {\"time\":\"12:00\"}");
        assertThat(emulator.replayMismatches()).isEmpty();
    }
}
