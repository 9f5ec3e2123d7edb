package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VadTest {
    static final Duration QUIET = Duration.ofMillis(200);
    @RegisterExtension
    final EmulatorExtension emulator = EmulatorExtension.create(x -> x.fakeClock());

    /** The first session once it has consumed {@code bytes} of audio, polling until {@code timeout}. */
    EmulatorSession awaitReceivedAudio(LiveEmulator emu, int bytes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        EmulatorSession s = emu.sessions().getFirst();
        while (s.receivedAudio().length < bytes && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            s = emu.sessions().getFirst();
        }
        return s;
    }

    /** Streams PCM in 100 ms messages. */
    static void stream(RawClient c, byte[] pcm, int rate) {
        int step = rate / 10 * 2;
        for (int off = 0; off < pcm.length; off += step) {
            c.send(ClientMessage.RealtimeInput.ofAudio(java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + step)), rate));
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] quietTone(int ms, int rate, int amplitude) {
        int n = rate * ms / 1000;
        byte[] b = new byte[n * 2];
        for (int i = 0; i < n; i++) {
            int s = (int) Math.round(amplitude * Math.sin(2 * Math.PI * 200 * i / rate));
            b[2 * i] = (byte) s;
            b[2 * i + 1] = (byte) (s >> 8);
        }
        return b;
    }

    @Test
    void utteranceGetsTranscriptionAndReply(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().transcribed())) {
            byte[] pcm = concat(Fixtures.silence(300, 16000), Fixtures.tone(1240, 16000), Fixtures.silence(600, 16000));
            stream(c, pcm, 16000);
            ServerFrame tr = c.next();
            assertThat(Fixtures.content(tr).inputTranscription()).isEqualTo(new dev.habla.protocol.Transcription("[speech 1.24s]", true));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I heard 1.24 seconds of audio.");
            // The reply is due as soon as the VAD commits the end of speech, which can be before the emulator has
            // processed the trailing silence frames: wait (bounded) until the whole stream has been consumed.
            EmulatorSession s = awaitReceivedAudio(emu, pcm.length, Duration.ofSeconds(10));
            assertThat(s.receivedAudio()).isEqualTo(pcm);
            assertThat(s.history()).containsExactly("[speech 1.24s]");
        }
    }

    @Test
    void rateParameterIsHonouredAndBarePcmIs16k(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            stream(c, concat(Fixtures.tone(800, 24000), Fixtures.silence(600, 24000)), 24000);
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I heard 0.80 seconds of audio.");
            // Deprecated mediaChunks with bare audio/pcm, snake_case, URL-safe base64 like the Python SDK.
            byte[] pcm = concat(Fixtures.tone(500, 16000), Fixtures.silence(600, 16000));
            c.sendText("{\"realtime_input\":{\"media_chunks\":[{\"mime_type\":\"audio/pcm\",\"data\":\""
                    + Base64.getUrlEncoder().encodeToString(pcm) + "\"}]}}");
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I heard 0.50 seconds of audio.");
        }
    }

    @Test
    void audioStreamEndFlushesTheUtterance(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            stream(c, Fixtures.tone(700, 16000), 16000);
            assertThat(c.pollEvent(QUIET)).as("still speaking").isNull();
            c.send(ClientMessage.RealtimeInput.ofAudioStreamEnd());
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I heard 0.70 seconds of audio.");
        }
    }

    @Test
    void startSensitivityDecidesWhetherQuietSpeechCounts(LiveEmulator emu) throws Exception {
        byte[] quiet = concat(quietTone(600, 16000, 200), Fixtures.silence(600, 16000)); // about -44 dBFS
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().vad("START_SENSITIVITY_LOW", null, 20, 500))) {
            stream(c, quiet, 16000);
            c.send(ClientMessage.RealtimeInput.ofAudioStreamEnd());
            assertThat(c.pollEvent(QUIET)).as("LOW start sensitivity ignores it").isNull();
        }
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().vad("START_SENSITIVITY_HIGH", null, 20, 500))) {
            stream(c, quiet, 16000);
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I heard 0.60 seconds of audio.");
        }
    }

    @Test
    void prefixPaddingFiltersBlips(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().vad(null, null, 100, 300))) {
            stream(c, concat(Fixtures.tone(50, 16000), Fixtures.silence(500, 16000)), 16000);
            assertThat(c.pollEvent(QUIET)).as("50 ms < 100 ms prefix padding").isNull();
            stream(c, concat(Fixtures.tone(150, 16000), Fixtures.silence(500, 16000)), 16000);
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I heard 0.15 seconds of audio.");
        }
    }

    @Test
    void silenceDurationDecidesWhereUtterancesSplit(LiveEmulator emu) throws Exception {
        byte[] pcm = concat(Fixtures.tone(400, 16000), Fixtures.silence(300, 16000), Fixtures.tone(400, 16000), Fixtures.silence(800, 16000));
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().vad(null, null, 20, 500))) {
            stream(c, pcm, 16000);
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I heard 1.10 seconds of audio.");
        }
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().vad(null, "END_SENSITIVITY_HIGH", 20, 200))) {
            stream(c, pcm, 16000);
            List<ServerFrame> frames = c.untilTurnComplete();
            frames.addAll(c.untilTurnComplete());
            assertThat(Fixtures.text(frames)).isEqualTo("I heard 0.40 seconds of audio.I heard 0.40 seconds of audio.");
        }
    }

    @Test
    void manualActivityDelimitsTheTurn(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().manualActivity().transcribed())) {
            c.send(ClientMessage.RealtimeInput.ofActivityStart());
            stream(c, concat(Fixtures.silence(200, 16000), Fixtures.tone(600, 16000)), 16000);
            c.send(ClientMessage.RealtimeInput.ofAudioStreamEnd()); // ignored in manual mode
            assertThat(c.pollEvent(QUIET)).isNull();
            c.send(ClientMessage.RealtimeInput.ofActivityEnd());
            List<ServerFrame> frames = c.untilTurnComplete();
            assertThat(Fixtures.content(frames.getFirst()).inputTranscription().text()).isEqualTo("[speech 0.80s]");
            assertThat(Fixtures.text(frames)).isEqualTo("I heard 0.80 seconds of audio.");
        }
    }

    @Test
    void activitySignalsWithAutomaticDetectionClose1007(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.RealtimeInput.ofActivityStart());
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(1007, "Request contains an invalid argument."));
        }
    }

    @Test
    void videoFramesAreAcceptedAndIgnored(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.RealtimeInput.ofVideo("image/jpeg", Fixtures.jpeg()));
            c.send(ClientMessage.ClientContent.userText("ok"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: ok");
            assertThat(emu.takeClientMessage(Duration.ofSeconds(1)).message()).isInstanceOf(ClientMessage.Setup.class);
            assertThat(emu.takeClientMessage(Duration.ofSeconds(1)).message()).isInstanceOf(ClientMessage.RealtimeInput.class);
        }
        assertThat(ServerMessage.class).isNotNull();
    }
}
