package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.UsageMetadata;
import dev.habla.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AudioOutputTest {
    static final Duration QUIET = Duration.ofMillis(150);
    @RegisterExtension
    final EmulatorExtension emulator = EmulatorExtension.create(x -> x.fakeClock());

    static int audioChunks(List<ServerFrame> frames) {
        int n = 0;
        for (ServerFrame f : frames) {
            ServerMessage.ServerContent sc = Fixtures.content(f);
            if (sc != null && sc.modelTurn() != null) {
                for (Part p : sc.modelTurn().parts()) {
                    if (p.inlineData() != null) {
                        assertThat(p.inlineData().mimeType()).isEqualTo("audio/pcm;rate=24000");
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /** Reads frames until {@code chunks} audio chunks arrived. */
    static List<ServerFrame> readChunks(RawClient c, int chunks) throws InterruptedException {
        List<ServerFrame> out = new ArrayList<>();
        while (audioChunks(out) < chunks) {
            out.add(c.next());
        }
        return out;
    }

    @Test
    void audioReplyLengthTranscriptionAndTurnHeldOpenForPlayback(LiveEmulator emu, FakeClock clock) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio().transcribed())) {
            c.send(ClientMessage.ClientContent.userText("hello"));
            String reply = "You said: hello"; // 15 chars → 1.05 s → 25 200 samples → 14 chunks of 80 ms
            List<ServerFrame> frames = readChunks(c, 12);
            assertThat(c.pollEvent(QUIET)).as("first burst only until the clock moves").isNull();
            clock.advance(Duration.ofMillis(250));
            frames.addAll(c.until(f -> Fixtures.content(f) != null && Fixtures.content(f).generationComplete()));
            assertThat(audioChunks(frames)).isEqualTo(14);
            byte[] pcm = Fixtures.audio(frames);
            assertThat(pcm).hasSize(reply.length() * 1680 * 2);
            assertThat(Fixtures.outputTranscript(frames)).isEqualTo(reply);
            assertThat(frames.stream().noneMatch(RawClient::isTurnComplete)).isTrue();

            // turnComplete only when 1.05 s of playback has passed since the first chunk.
            clock.advance(Duration.ofMillis(1049 - 250));
            assertThat(c.pollEvent(QUIET)).isNull();
            clock.advance(Duration.ofMillis(1));
            ServerFrame done = c.next();
            assertThat(RawClient.isTurnComplete(done)).isTrue();
            assertThat(done.usageMetadata().responseTokensDetails())
                    .extracting(UsageMetadata.ModalityTokenCount::modality).containsExactly(UsageMetadata.Modality.AUDIO);
        }
    }

    @Test
    void audioIsSpeechLikeAndDeterministic(LiveEmulator emu, FakeClock clock) throws Exception {
        byte[] first;
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio())) {
            c.send(ClientMessage.ClientContent.userText("a b"));
            List<ServerFrame> frames = readChunks(c, 12);
            clock.advance(Duration.ofSeconds(2));
            frames.addAll(c.untilTurnComplete());
            first = Fixtures.audio(frames);
        }
        try (RawClient c = RawClient.setUp(emu, Fixtures.audio())) {
            c.send(ClientMessage.ClientContent.userText("a b"));
            List<ServerFrame> frames = readChunks(c, 12);
            clock.advance(Duration.ofSeconds(2));
            frames.addAll(c.untilTurnComplete());
            assertThat(Fixtures.audio(frames)).isEqualTo(first);
        }
        // "You said: a b": the gap between "said:" and "a" (char 9) is silent, the words are not.
        short[] s = new short[first.length / 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) ((first[2 * i] & 0xFF) | (first[2 * i + 1] << 8));
        }
        assertThat(rms(s, 9 * 1680, 10 * 1680)).isZero();
        assertThat(rms(s, 4 * 1680, 9 * 1680)).isGreaterThan(500);
        // Amplitude varies within a word at the syllable rate: not a steady tone.
        double a = rms(s, 4 * 1680, 4 * 1680 + 1200);
        double b = rms(s, 4 * 1680 + 2400, 4 * 1680 + 3600);
        assertThat(Math.abs(a - b) / Math.max(a, b)).isGreaterThan(0.2);
    }

    static double rms(short[] s, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) s[i] * s[i];
        }
        return Math.sqrt(sum / (to - from));
    }

    @Test
    void defaultModalityOfNativeAudioIsAudio(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.setup(Fixtures.NATIVE, null))) {
            c.send(ClientMessage.ClientContent.userText("x"));
            assertThat(audioChunks(readChunks(c, 1))).isEqualTo(1);
        }
    }
}
