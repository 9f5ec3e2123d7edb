package dev.habla.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveClient;
import dev.habla.client.Provider;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedRealtimeEvent;
import dev.habla.realtime.ClientEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The voice loop on OpenAI Realtime (the emulator's {@code /v1/realtime}), unchanged: the microphone goes up at 24 kHz
 * and is heard for as long as it was spoken; talking over an answer that plays cuts it, and the service is told
 * where ({@code conversation.item.truncate} at the position the speaker actually reached, from the loop's playback
 * reports), so its history holds what the user heard.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenAiLoopTest {
    LiveEmulator emu;
    LiveClient client;

    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x.client(emu -> LiveClient.create(c -> c
            .apiKey("sk-test").baseUrl(java.net.URI.create(emu.baseUrl())).provider(Provider.OPENAI))));

    @BeforeEach
    void bind() {
        emu = live.emulator();
        client = live.client(LiveClient.class);
    }

    static SessionConfig session() {
        return SessionConfig.create(s -> s.model("gpt-realtime").voice("marin"));
    }

    @Test
    void speechIsSentAt24kHzAndAnswered() throws Exception {
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(session()).microphone(mic)
                .speaker(new DeviceModelSink()).vadMode(VadMode.ASSIST).observer(events))) {
            assertThat(loop.session().capabilities().inputSampleRate()).isEqualTo(24_000);
            mic.push(Speech.concat(Speech.hello(), Speech.silence(800)));
            mic.end();
            AssistantEvent.TurnEnded ended = events.await(AssistantEvent.TurnEnded.class, VoiceLoopTest.WAIT);
            // The emulator measures the utterance on the audio it got: at 24 kHz it keeps its length (3.18 s of speech,
            // as on Gemini at 16 kHz); 16 kHz audio read as 24 kHz would last two thirds of it.
            assertThat(ended.entry().generated()).matches("I heard 3\\.\\d\\d seconds of audio\\.");
        }
    }

    @Test
    void talkingOverAnAnswerCutsItAndTruncatesItWhereThePlayerStopped() throws Exception {
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        DeviceModelSink speaker = new DeviceModelSink();
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(session()).microphone(mic).speaker(speaker)
                .vadMode(VadMode.OFF).duplex(DuplexMode.HEADPHONES).observer(events))) {
            mic.push(Speech.concat(Speech.stop(), Speech.silence(700)));
            assertThat(speaker.awaitPlaying(0, Duration.ofMillis(300), VoiceLoopTest.WAIT)).isPositive();
            mic.push(Speech.concat(BargeInTest.interruption(), Speech.silence(700)));
            AssistantEvent.BargeIn cut = events.await(AssistantEvent.BargeIn.class, VoiceLoopTest.WAIT);
            ClientEvent.ConversationItemTruncate truncate = null;
            long deadline = System.nanoTime() + VoiceLoopTest.WAIT.toNanos();
            while (truncate == null && System.nanoTime() < deadline) {
                ReceivedRealtimeEvent e = emu.takeRealtimeEvent(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (e != null && e.event() instanceof ClientEvent.ConversationItemTruncate t) {
                    truncate = t;
                }
            }
            assertThat(truncate).as("conversation.item.truncate sent").isNotNull();
            // What the service was told is what the loop says was heard: the speaker's final report, or (if that one
            // came after the next server frame) its last report before the cut, one device write earlier at most.
            assertThat(truncate.audioEndMs()).isPositive().isCloseTo(cut.heard().toMillis(),
                    org.assertj.core.api.Assertions.within(150L));
            long truncatedAt = truncate.audioEndMs();
            List<dev.habla.assistant.Transcript.Entry> entries = loop.transcript().assistantEntries();
            assertThat(entries).anySatisfy(entry -> {
                assertThat(entry.interrupted()).isTrue();
                assertThat(entry.heardAudio()).isLessThan(entry.generatedAudio());
                assertThat(Duration.ofMillis(truncatedAt)).isLessThan(entry.generatedAudio());
            });
        }
    }
}
