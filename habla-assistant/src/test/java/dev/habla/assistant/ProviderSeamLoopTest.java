package dev.habla.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.Capabilities;
import dev.habla.client.ClientConfig;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.Provider;
import dev.habla.client.SessionConfig;
import dev.habla.client.internal.ContinuityStrategy;
import dev.habla.client.internal.GeminiProvider;
import dev.habla.client.internal.LiveProvider;
import dev.habla.client.internal.ProviderConnection;
import dev.habla.client.internal.Transport;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.ServerMessage.ServerContent;
import dev.habla.voice.Pcm16;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The voice loop follows the session's provider: the microphone is sent at the provider's input rate (here a provider
 * that takes 24 kHz, as OpenAI Realtime does, over the Gemini wire so the emulator can answer), and the speaker pump
 * reports what it played of each answer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProviderSeamLoopTest {

    /** Gemini's wire, but taking microphone audio at {@link #rate}; records audio rates sent and playback reports. */
    static final class RecordingProvider implements LiveProvider {
        final int rate;
        final List<String> audioMimeTypes = new CopyOnWriteArrayList<>();
        final List<Duration> played = new CopyOnWriteArrayList<>();
        private final GeminiProvider gemini = GeminiProvider.INSTANCE;

        RecordingProvider(int rate) {
            this.rate = rate;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public Capabilities capabilities(ClientConfig client, SessionConfig session) {
            Capabilities g = gemini.capabilities(client, session);
            return new Capabilities(name(), g.model(), g.modelKnown(), g.supportsTextOutput(), g.defaultResponseModality(),
                    g.typedTextAsRealtimeInput(), g.clientContentMidSession(), g.initialHistoryViaHistoryConfig(),
                    g.toolResponseNeedsIds(), rate, g.outputSampleRate(), g.voices());
        }

        @Override
        public void check(ClientConfig client, SessionConfig session) {
            gemini.check(client, session);
        }

        @Override
        public ProviderConnection open(ClientConfig client, SessionConfig session) {
            ProviderConnection g = gemini.open(client, session);
            return new ProviderConnection() {
                @Override
                public Transport.ConnectRequest connectRequest() throws LiveException {
                    return g.connectRequest();
                }

                @Override
                public List<String> openingFrames() {
                    return g.openingFrames();
                }

                @Override
                public List<String> afterSetupFrames() {
                    return g.afterSetupFrames();
                }

                @Override
                public List<String> encode(ClientMessage message) {
                    if (message instanceof ClientMessage.RealtimeInput r && r.audio() != null) {
                        audioMimeTypes.add(r.audio().mimeType());
                    }
                    return g.encode(message);
                }

                @Override
                public List<LiveEvent> decode(Transport.InboundFrame frame) {
                    return g.decode(frame);
                }

                @Override
                public List<String> playback(Duration d) {
                    played.add(d);
                    return g.playback(d);
                }

                @Override
                public LiveException mapClose(int code, String reason) {
                    return g.mapClose(code, reason);
                }

                @Override
                public LiveException mapConnectFailure(Throwable error) {
                    return g.mapConnectFailure(error);
                }
            };
        }

        @Override
        public ContinuityStrategy continuity() {
            return gemini.continuity();
        }

        @Override
        public String redact(String text) {
            return gemini.redact(text);
        }
    }

    LiveEmulator emu;

    @RegisterExtension
    final EmulatorExtension live = new EmulatorExtension();

    @BeforeEach
    void bind() {
        emu = live.emulator();
    }

    private AssistantEvent.TurnEnded speakOnce(RecordingProvider provider, DeviceModelSink speaker) throws Exception {
        try (LiveClient client = LiveClient.create(c -> c.apiKey("test").baseUrl(emu.baseUrl())
                .provider(Provider.custom(provider)))) {
            Recorder events = new Recorder();
            PushSource mic = new PushSource();
            // A plain session (the resilient one forwards reports to its carrying connection the same way).
            try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).microphone(mic)
                    .speaker(speaker).vadMode(VadMode.ASSIST).observer(events).plainSession())) {
                mic.push(Speech.concat(Speech.hello(), Speech.silence(800)));
                mic.end();
                AssistantEvent.TurnEnded ended = events.await(AssistantEvent.TurnEnded.class, VoiceLoopTest.WAIT);
                assertThat(loop.awaitConversationIdle(Duration.ofMillis(100), VoiceLoopTest.WAIT)).isTrue();
                return ended;
            }
        }
    }

    @Test
    void theMicrophoneGoesUpAtTheProvidersRateWithItsDurationKept() throws Exception {
        RecordingProvider at24 = new RecordingProvider(24_000);
        AssistantEvent.TurnEnded ended = speakOnce(at24, new DeviceModelSink());
        assertThat(at24.audioMimeTypes).isNotEmpty().allMatch("audio/pcm;rate=24000"::equals);
        // The emulator measures what it received at the declared rate: the same ~3.x s as at 16 kHz.
        assertThat(ended.entry().generated()).matches("I heard 3\\.\\d\\d seconds of audio\\.");

        RecordingProvider at16 = new RecordingProvider(16_000);
        AssistantEvent.TurnEnded ended16 = speakOnce(at16, new DeviceModelSink());
        assertThat(at16.audioMimeTypes).isNotEmpty().allMatch("audio/pcm;rate=16000"::equals);
        // Resampling keeps the length: the two measurements agree within 20 ms (the resampler's latency held back).
        double s24 = Double.parseDouble(ended.entry().generated().replaceAll("[^0-9.]", "").replaceAll("\\.$", ""));
        double s16 = Double.parseDouble(ended16.entry().generated().replaceAll("[^0-9.]", "").replaceAll("\\.$", ""));
        assertThat(s24).isCloseTo(s16, org.assertj.core.data.Offset.offset(0.02));
    }

    @Test
    void theSpeakerReportsWhatItPlayedOfTheAnswer() throws Exception {
        RecordingProvider provider = new RecordingProvider(16_000);
        DeviceModelSink speaker = new DeviceModelSink();
        AssistantEvent.TurnEnded ended = speakOnce(provider, speaker);
        List<Duration> reports = List.copyOf(provider.played);
        assertThat(reports).isNotEmpty();
        // Cumulative within the answer, and the last one is the whole answer, which played in full.
        for (int i = 1; i < reports.size(); i++) {
            assertThat(reports.get(i)).isGreaterThanOrEqualTo(reports.get(i - 1));
        }
        assertThat(reports.getLast()).isEqualTo(ended.entry().generatedAudio());
        assertThat(speaker.played().length).isEqualTo(24 * (int) reports.getLast().toMillis());
    }

    @Test
    void aBargeInReportsWhatWasHeardLastAndTheNextAnswerStartsAfresh() throws Exception {
        // The scripted turn of BargeInTest: 1.2 s of answer at once, the server's interrupted 600 ms later, then a
        // 300 ms answer.
        emu.enqueue(Script.create(script -> {
            script.expect(ClientMessage.Setup.class).send(new ServerMessage.SetupComplete(null))
                    .expect("realtime text", m -> m instanceof ClientMessage.RealtimeInput);
            for (int i = 0; i < 6; i++) {
                script.send(audio(200));
            }
            script.pause(Duration.ofMillis(600)).send(ServerContent.interruptedSignal())
                    .send(ServerContent.turnCompleted()).send(audio(300)).send(ServerContent.turnCompleted());
        }));
        RecordingProvider provider = new RecordingProvider(16_000);
        try (LiveClient client = LiveClient.create(c -> c.apiKey("test").baseUrl(emu.baseUrl())
                .provider(Provider.custom(provider)))) {
            Recorder events = new Recorder();
            try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session())
                    .speaker(new DeviceModelSink()).observer(events).plainSession())) {
                loop.sendText("count to six");
                AssistantEvent.BargeIn b = events.await(AssistantEvent.BargeIn.class, VoiceLoopTest.WAIT);
                Transcript.Entry cut = events.await(AssistantEvent.TurnEnded.class, VoiceLoopTest.WAIT).entry();
                Transcript.Entry next = events.await(AssistantEvent.TurnEnded.class, VoiceLoopTest.WAIT).entry();
                assertThat(loop.awaitPlaybackIdle(VoiceLoopTest.WAIT)).isTrue();
                List<Duration> reports = List.copyOf(provider.played);
                // Reports rise while the cut answer plays; the barge-in's report (what was heard, less than what was
                // written) is the cut answer's last; the next answer's reports start again from its first piece.
                // Each write adds audio, so the first report not above its predecessor is the barge-in's.
                int cutAt = 1;
                while (cutAt < reports.size() && reports.get(cutAt).compareTo(reports.get(cutAt - 1)) > 0) {
                    cutAt++;
                }
                assertThat(cutAt).as("a barge-in report among %s", reports).isLessThan(reports.size());
                assertThat(reports.get(cutAt)).isEqualTo(b.heard());
                assertThat(b.heard()).isEqualTo(cut.heardAudio()).isBetween(Duration.ofMillis(250), Duration.ofMillis(650));
                assertThat(reports.get(cutAt - 1)).isGreaterThanOrEqualTo(b.heard());
                List<Duration> after = reports.subList(cutAt + 1, reports.size());
                assertThat(after).isNotEmpty();
                assertThat(after.getFirst()).isLessThan(b.heard());
                assertThat(after.getLast()).isEqualTo(next.generatedAudio()).isEqualTo(Duration.ofMillis(300));
            }
        }
    }

    private static ServerMessage audio(int ms) {
        short[] s = new short[24 * ms];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) Math.round(0.3 * 32767 * Math.sin(2 * Math.PI * 220 * i / 24_000.0));
        }
        return ServerContent.modelTurn(new Content(List.of(Part.ofInlineData("audio/pcm;rate=24000", Pcm16.toBytes(s))),
                "model"));
    }
}
