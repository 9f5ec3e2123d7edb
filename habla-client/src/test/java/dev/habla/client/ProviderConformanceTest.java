package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Tool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The same scenarios on both providers, against the one bundled emulator (Gemini Live at {@code /ws/…}, OpenAI Realtime
 * at {@code /v1/realtime}) and its deterministic brain: each test is one scenario, run once per {@link Service}, with
 * the same calls on the same public API and the same assertions on the same {@link LiveEvent}s. Where the providers
 * differ (models, the audio input rate) the difference is read from {@link Capabilities}, never tested by name.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProviderConformanceTest {
    static final String KEY = "test-key";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String LONG = "please tell me everything about the sea, the ships that sail on it, the people who sail "
            + "them, the ports they leave from and come back to, the weather they meet on the way, and the stories "
            + "they tell when they are home again, one by one and slowly";

    /** A provider and the models the emulator offers on it. */
    enum Service {
        GEMINI(Provider.GEMINI, "gemini-2.0-flash-live-001", "gemini-2.5-flash-native-audio-preview-12-2025"),
        OPENAI(Provider.OPENAI, "gpt-realtime", "gpt-realtime");

        final Provider provider;
        final String textModel;
        final String audioModel;

        Service(Provider provider, String textModel, String audioModel) {
            this.provider = provider;
            this.textModel = textModel;
            this.audioModel = audioModel;
        }

        SessionConfig text() {
            return SessionConfig.create(b -> b.model(textModel).responseModality(ResponseModality.TEXT));
        }

        SessionConfig audio() {
            return SessionConfig.create(b -> b.model(audioModel).responseModality(ResponseModality.AUDIO)
                    .outputTranscription(true));
        }
    }

    @RegisterExtension
    final EmulatorExtension extension = EmulatorExtension.create(x -> x.emulator(b -> b.apiKey(KEY)));
    LiveEmulator emulator;

    @BeforeEach
    void bind() {
        emulator = extension.emulator();
    }

    private LiveClient client(Service s) {
        return extension.closeAfterwards(LiveClient.create(c -> c.apiKey(KEY).baseUrl(emulator.baseUrl())
                .provider(s.provider)));
    }

    /** {@code seconds} of a 440 Hz tone (speech to the emulator's energy VAD) at {@code rate}. */
    static byte[] tone(int rate, double seconds) {
        int n = (int) (rate * seconds);
        byte[] pcm = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            short v = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / rate));
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        return pcm;
    }

    /** Streams {@code pcm} in 100 ms chunks at the session's input rate. */
    static void speak(LiveSession s, byte[] pcm, int rate) {
        int chunk = rate / 10 * 2;
        for (int off = 0; off < pcm.length; off += chunk) {
            assertThat(s.sendAudio(java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + chunk)), rate))
                    .isEqualTo(SendResult.QUEUED);
        }
    }

    static String transcript(RecordingListener rec) {
        StringBuilder sb = new StringBuilder();
        rec.all(LiveEvent.OutputTranscription.class).forEach(t -> sb.append(t.text()));
        return sb.toString();
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void textTurnEndsWithUsage(Service service) throws Exception {
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client(service).connect(service.text(), rec)) {
            assertThat(s.capabilities().provider()).isEqualTo(service.provider.name());
            rec.await(LiveEvent.SetupCompleted.class, WAIT);
            assertThat(s.sendText("hello there")).isEqualTo(SendResult.QUEUED);
            rec.await(LiveEvent.GenerationComplete.class, WAIT);
            LiveEvent.TurnComplete done = rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(done.usage()).isNotNull();
            assertThat(done.usage().totalTokenCount()).isPositive();
            assertThat(rec.text()).isEqualTo("You said: hello there");
        }
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error()).isNull();
        rec.assertTerminatedOnce();
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void theConversationRemembersEarlierTurns(Service service) throws Exception {
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client(service).connect(service.text(), rec)) {
            for (String line : List.of("hello there", "the sky is blue")) {
                s.sendText(line);
                rec.await(LiveEvent.TurnComplete.class, WAIT);
            }
            s.sendText("history");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).endsWith("History: 1. hello there | 2. the sky is blue");
        }
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void spokenAnswersAre24kHzPcmWithTheirTranscript(Service service) throws Exception {
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client(service).connect(service.audio(), rec)) {
            assertThat(s.capabilities().outputSampleRate()).isEqualTo(24_000);
            s.sendText("speak to me");
            rec.await(LiveEvent.GenerationComplete.class, WAIT);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
        }
        List<LiveEvent.AudioChunk> audio = rec.all(LiveEvent.AudioChunk.class);
        assertThat(audio).isNotEmpty().allSatisfy(a -> assertThat(a.sampleRate()).isEqualTo(24_000));
        assertThat(audio.stream().mapToLong(a -> a.pcm().length).sum()).isGreaterThan(24_000);
        assertThat(transcript(rec)).isEqualTo("You said: speak to me");
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void spokenInputAtTheProvidersRateIsHeardAndAnswered(Service service) throws Exception {
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client(service).connect(service.audio(), rec)) {
            int rate = s.capabilities().inputSampleRate();
            speak(s, tone(rate, 1.0), rate);
            speak(s, new byte[rate * 2], rate); // a second of silence: the server's VAD ends the turn
            rec.await(LiveEvent.TurnComplete.class, WAIT);
        }
        assertThat(transcript(rec)).isEqualTo("I heard 1.00 seconds of audio.");
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void toolCallRoundTrip(Service service) throws Exception {
        FunctionDeclaration weather = new FunctionDeclaration("get_weather", "Weather for a city", null,
                JsonNodeFactory.instance.objectNode().put("type", "object"), null, null, null);
        SessionConfig config = service.text().with(b -> b.tools(List.of(Tool.ofFunctions(List.of(weather)))));
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client(service).connect(config, rec)) {
            s.sendText("call get_weather {\"city\":\"Paris\"}");
            FunctionCall fc = rec.await(LiveEvent.ToolCallRequested.class, WAIT).calls().getFirst();
            assertThat(fc.name()).isEqualTo("get_weather");
            assertThat(fc.args().get("city").asText()).isEqualTo("Paris");
            assertThat(fc.id()).isNotBlank();
            assertThat(s.sendToolResponse(List.of(FunctionResponse.of(fc.id(), fc.name(),
                    JsonNodeFactory.instance.objectNode().put("output", "sunny, 21 C"))))).isEqualTo(SendResult.QUEUED);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).contains("sunny, 21 C");
        }
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void talkingOverAnAnswerInterruptsIt_andTheConversationGoesOn(Service service) throws Exception {
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = client(service).connect(service.audio(), rec)) {
            int rate = s.capabilities().inputSampleRate();
            // About 20 s of speech at the emulator's 70 ms per character, streamed at about 4x real time (its bursts):
            // it is still being sent seconds after its first chunk, when we talk over it.
            s.sendText(LONG);
            LiveEvent.AudioChunk first = rec.await(LiveEvent.AudioChunk.class, WAIT);
            s.reportPlayback(first.duration()); // a player has started it (OpenAI: the answer is playing)
            speak(s, tone(rate, 0.4), rate);
            speak(s, new byte[rate * 2], rate);
            rec.await(LiveEvent.Interrupted.class, WAIT);
            // The player stopped here: providers that keep the conversation as heard truncate the answer there.
            s.reportPlayback(Duration.ofMillis(200));
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            // The cut answer's transcript: up to its turn end (the next answer's may be arriving already).
            StringBuilder before = new StringBuilder();
            for (LiveEvent e : rec.events()) {
                if (e instanceof LiveEvent.TurnComplete) {
                    break;
                }
                if (e instanceof LiveEvent.OutputTranscription t) {
                    before.append(t.text());
                }
            }
            String cut = before.toString();
            assertThat("You said: " + LONG).startsWith(cut).isNotEqualTo(cut);
            // The spoken turn is answered after the cut one.
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(transcript(rec)).endsWith("I heard 0.40 seconds of audio.");
        }
    }

    @ParameterizedTest
    @EnumSource(Service.class)
    void aDroppedConnectionIsReplacedAndTheConversationContinues(Service service) throws Exception {
        RecordingListener rec = new RecordingListener();
        try (ResilientSession s = client(service).connectResilient(service.text(), rec)) {
            s.sendText("my name is Ada");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            emulator.inject(new Fault.DropConnection());
            rec.await(LiveEvent.Reconnecting.class, WAIT);
            LiveEvent.Reconnected r = rec.await(LiveEvent.Reconnected.class, WAIT);
            // Gemini resumes the server's session with its handle; OpenAI has none and re-seeds a new one.
            assertThat(r.resumed()).isEqualTo(s.capabilities().provider().equals("gemini"));
            s.sendText("history");
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).contains("History: 1. my name is Ada");
        }
        assertThat(rec.awaitClosed(WAIT).error()).isNull();
    }
}
