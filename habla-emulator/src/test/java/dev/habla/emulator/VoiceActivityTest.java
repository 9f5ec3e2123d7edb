package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.ServerMessage.VoiceActivityType;
import dev.habla.protocol.Transcription;
import dev.habla.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code voiceActivity} messages from the automatic activity detection (live-protocol.md §4.8; README). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VoiceActivityTest {
    LiveEmulator emu;

    LiveEmulator emulator(LiveEmulator.VoiceActivityMessages when) {
        emu = LiveEmulator.create(b -> {
            b.clock(new FakeClock());
            if (when != null) {
                b.voiceActivityMessages(when);
            }
        });
        return emu;
    }

    @AfterEach
    void stop() {
        if (emu != null) {
            emu.close();
        }
    }

    /** 300 ms silence, 1.24 s voice, 600 ms silence: speech from 0.30 s to 1.54 s of the input stream. */
    static void speak(RawClient c) {
        VadTest.stream(c, VadTest.concat(Fixtures.silence(300, 16000), Fixtures.tone(1240, 16000), Fixtures.silence(600, 16000)), 16000);
    }

    static ServerMessage.VoiceActivity activity(VoiceActivityType type, long millis) {
        return new ServerMessage.VoiceActivity(type, Duration.ofMillis(millis));
    }

    @Test
    void gemini31SendsStartAndEndWithAudioOffsetsByDefault() throws Exception {
        emulator(null);
        try (RawClient c = RawClient.setUp(emu, Gemini31Test.g31().transcribed())) {
            speak(c);
            assertThat(c.next().message()).isEqualTo(activity(VoiceActivityType.ACTIVITY_START, 300));
            assertThat(c.next().message()).isEqualTo(activity(VoiceActivityType.ACTIVITY_END, 1540));
            assertThat(Fixtures.content(c.next()).inputTranscription()).isEqualTo(new Transcription("[speech 1.24s]", true));
        }
        // On the wire: {"voiceActivity":{"type":"ACTIVITY_START","audioOffset":"0.300s"}} (field `type`).
        String json = new String(dev.habla.protocol.LiveCodec.encode(ServerFrame.of(activity(VoiceActivityType.ACTIVITY_START, 300))),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"voiceActivity\":{\"type\":\"ACTIVITY_START\",\"audioOffset\":\"0.3");
    }

    @Test
    void olderModelsDoNotSendItByDefault() throws Exception {
        emulator(null);
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio().transcribed())) {
            speak(c);
            assertThat(Fixtures.content(c.next()).inputTranscription()).isEqualTo(new Transcription("[speech 1.24s]", true));
        }
    }

    @Test
    void alwaysMakesEveryModelSendItAndItPrecedesTheBargeIn() throws Exception {
        emulator(LiveEmulator.VoiceActivityMessages.ALWAYS);
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.ClientContent.userText("hello"));
            c.untilTurnComplete();
            speak(c);
            assertThat(c.next().message()).isEqualTo(activity(VoiceActivityType.ACTIVITY_START, 300));
            assertThat(c.next().message()).isEqualTo(activity(VoiceActivityType.ACTIVITY_END, 1540));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I heard 1.24 seconds of audio.");
            // audioStreamEnd ends an utterance in progress: the end is reported too. Offsets run on in the stream.
            VadTest.stream(c, Fixtures.tone(500, 16000), 16000);
            c.send(ClientMessage.RealtimeInput.ofAudioStreamEnd());
            List<ServerFrame> frames = c.untilTurnComplete();
            assertThat(frames.get(0).message()).isEqualTo(activity(VoiceActivityType.ACTIVITY_START, 2140));
            assertThat(frames.get(1).message()).isEqualTo(activity(VoiceActivityType.ACTIVITY_END, 2640));
        }
    }

    @Test
    void neverAndManualActivitySendNone() throws Exception {
        emulator(LiveEmulator.VoiceActivityMessages.NEVER);
        try (RawClient c = RawClient.setUp(emu, Gemini31Test.g31().transcribed())) {
            speak(c);
            assertThat(Fixtures.content(c.next()).inputTranscription()).isNotNull();
        }
        emu.close();
        emulator(LiveEmulator.VoiceActivityMessages.ALWAYS);
        try (RawClient c = RawClient.setUp(emu, Gemini31Test.g31().transcribed().manualActivity())) {
            c.send(ClientMessage.RealtimeInput.ofActivityStart());
            VadTest.stream(c, Fixtures.tone(400, 16000), 16000);
            c.send(ClientMessage.RealtimeInput.ofActivityEnd());
            assertThat(Fixtures.content(c.next()).inputTranscription()).isEqualTo(new Transcription("[speech 0.40s]", true));
        }
    }
}
