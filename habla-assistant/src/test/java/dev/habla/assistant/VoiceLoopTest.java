package dev.habla.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.audio.AudioFormat;
import dev.habla.client.LiveClient;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionState;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.voice.Pcm16;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The loop end to end against the emulator: speech in, speech out, text in the same session, close order. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VoiceLoopTest {

    static final String MODEL = "gemini-2.5-flash-native-audio-latest";
    static final Duration WAIT = Duration.ofSeconds(15);

    LiveEmulator emu;
    LiveClient client;

    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x
            .client(emu -> LiveClient.create(c -> c.apiKey("test").baseUrl(java.net.URI.create(emu.baseUrl())))));

    @BeforeEach
    void bind() {
        emu = live.emulator();
        client = live.client(LiveClient.class);
    }

    static SessionConfig session() {
        return SessionConfig.create(s -> s.model(MODEL).voice("Kore"));
    }

    /** Expected play time of an emulator reply: 70 ms per character. */
    static Duration replyDuration(String text) {
        return Duration.ofMillis(70L * text.length());
    }

    @Test
    void userSpeechIsAnsweredWithSpeechThatPlaysInFullAndIsTranscribedOnBothSides() throws Exception {
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        DeviceModelSink speaker = new DeviceModelSink();
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(session()).microphone(mic).speaker(speaker)
                .vadMode(VadMode.ASSIST).observer(events))) {
            long t0 = System.nanoTime();
            mic.push(Speech.concat(Speech.hello(), Speech.silence(800)));
            mic.end();
            AssistantEvent.TurnEnded ended = events.await(AssistantEvent.TurnEnded.class, WAIT);
            Transcript.Entry answer = ended.entry();
            assertThat(answer.generated()).matches("I heard 3\\.\\d\\d seconds of audio\\.");
            assertThat(answer.interrupted()).isFalse();
            assertThat(answer.heard()).isEqualTo(answer.generated());
            assertThat(answer.generatedAudio()).isEqualTo(replyDuration(answer.generated()));
            assertThat(loop.awaitConversationIdle(Duration.ofMillis(100), WAIT)).isTrue();
            // Everything the server sent was played, as audible speech of the right length.
            short[] played = speaker.played();
            assertThat(played.length).isEqualTo(24 * (int) answer.generatedAudio().toMillis());
            assertThat(Pcm16.dbfs(played)).isGreaterThan(-30);
            List<Transcript.Entry> entries = loop.transcript().entries();
            assertThat(entries).extracting(Transcript.Entry::role)
                    .containsExactly(Transcript.Role.USER, Transcript.Role.ASSISTANT);
            assertThat(entries.getFirst().generated()).matches("\\[speech 3\\.\\d\\ds\\]");
            assertThat(events.all(AssistantEvent.UserSpeechStarted.class)).hasSize(1);
            assertThat(loop.metrics().localBargeIns()).isZero();
            assertThat(loop.metrics().serverBargeIns()).isZero();
            assertThat(System.nanoTime() - t0).isGreaterThan(answer.generatedAudio().toNanos());
        }
    }

    @Test
    void typedTextAndSpeechShareOneSession() throws Exception {
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        // Headphones: the question is asked while the answer's tail may still play; no echo gate in the way.
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(session()).microphone(mic)
                .speaker(new DeviceModelSink()).duplex(DuplexMode.HEADPHONES).observer(events))) {
            loop.sendText("hello there");
            AssistantEvent.TurnEnded first = events.await(AssistantEvent.TurnEnded.class, WAIT);
            assertThat(first.entry().generated()).isEqualTo("You said: hello there");
            mic.push(Speech.concat(Speech.question(), Speech.silence(800)));
            AssistantEvent.TurnEnded second = events.await(AssistantEvent.TurnEnded.class, WAIT);
            assertThat(second.entry().generated()).matches("I heard 0\\.8\\d seconds of audio\\.");
            assertThat(second.entry().epoch()).isGreaterThan(first.entry().epoch());
            assertThat(loop.transcript().entries()).extracting(Transcript.Entry::typed)
                    .containsExactly(true, false, false, false);
            assertThat(emu.sessions()).hasSize(1);
        }
    }

    @Test
    void closeStopsTheMicrophoneFirstThenTheSessionThenTheSpeaker() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        VoiceLoop[] self = new VoiceLoop[1];
        PushSource mic = new PushSource() {
            @Override
            public void close() {
                order.add("mic (session " + self[0].session().state() + ")");
                super.close();
            }
        };
        DeviceModelSink speaker = new DeviceModelSink() {
            @Override
            public void close() {
                order.add("speaker (session " + self[0].session().state() + ")");
                super.close();
            }
        };
        VoiceLoop loop = VoiceLoop.start(client, c -> c.session(session()).microphone(mic).speaker(speaker));
        self[0] = loop;
        loop.close();
        loop.close();   // idempotent
        assertThat(order).containsExactly("mic (session " + SessionState.OPEN + ")",
                "speaker (session " + SessionState.CLOSED + ")");
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("habla-" + loop.id() + "-"));
    }

    @Test
    void aDeviceAtAnotherRateIsConvertedBothWays() throws Exception {
        // A 48 kHz stereo "microphone" and a 48 kHz stereo "speaker": the loop resamples in and out.
        Recorder events = new Recorder();
        AudioFormat stereo48 = new AudioFormat(48_000, 2);
        short[] speech = Speech.concat(Speech.question(), Speech.silence(800));
        dev.habla.voice.Resampler up = dev.habla.voice.Resampler.create(16_000, 48_000);
        short[] mono48 = Speech.concat(up.process(speech), up.flush());
        short[] interleaved = new short[mono48.length * 2];
        for (int i = 0; i < mono48.length; i++) {
            interleaved[2 * i] = mono48[i];
            interleaved[2 * i + 1] = mono48[i];
        }
        var source = dev.habla.audio.WavSource.of(stereo48, Pcm16.toBytes(interleaved),
                dev.habla.audio.WavSource.Pacing.FAST, Duration.ofMillis(20), Duration.ZERO);
        dev.habla.audio.NullSink out = new dev.habla.audio.NullSink(stereo48);
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(session()).microphone(source).speaker(out)
                .pacedSpeaker(false).observer(events))) {
            AssistantEvent.TurnEnded ended = events.await(AssistantEvent.TurnEnded.class, WAIT);
            assertThat(ended.entry().generated()).matches("I heard 0\\.8\\d seconds of audio\\.");
            assertThat(loop.awaitConversationIdle(Duration.ofMillis(50), WAIT)).isTrue();
            // 24 kHz mono → 48 kHz stereo: four times the bytes, give or take the resampler's tail.
            long expected = 4L * ended.entry().generatedAudio().toMillis() * 48;
            assertThat(out.bytesWritten()).isBetween(expected - 4 * 400, expected + 4 * 400);
        }
    }
}
