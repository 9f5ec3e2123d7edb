package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.audio.AudioFormat;
import dev.habla.audio.WavData;
import dev.habla.audio.WavReader;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.ServerMessage.ServerContent;
import dev.habla.protocol.Transcription;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.SourceDataLine;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ChatVoiceModeTest {

    @TempDir
    Path work;
    @TempDir
    Path home;
    LiveEmulator emu;

    @RegisterExtension
    final EmulatorExtension live = new EmulatorExtension();

    @BeforeEach
    void bind() {
        emu = live.emulator();
    }

    private CliRun.Result voiceChat(String stdin, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("chat", "--base-url", emu.baseUrl(), "--voice", "kore"));
        args.addAll(List.of(extra));
        return CliRun.run(work, home, Map.of(), stdin, args.toArray(String[]::new));
    }

    private static byte[] pcm(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ServerMessage audio(byte[] pcm) {
        return ServerContent.modelTurn(new Content(List.of(Part.ofInlineData("audio/pcm;rate=24000", pcm)), "model"));
    }

    private static ServerMessage transcript(String text) {
        return ServerContent.outputTranscription(new Transcription(text, false));
    }

    @Test
    void eachAnswerIsSavedAsA24kMonoWavHoldingExactlyThePcmReceived() throws Exception {
        byte[] a1 = pcm(9_600, 1);    // 200 ms
        byte[] a2 = pcm(14_400, 2);   // 300 ms
        byte[] b1 = pcm(48_000, 3);   // 1 s
        emu.enqueue(Script.create(script -> script
                .expect(ClientMessage.Setup.class)
                .send(new ServerMessage.SetupComplete(null))
                .expect(ClientMessage.ClientContent.class)
                .send(transcript("Hello "))
                .send(audio(a1))
                .send(transcript("there."))
                .send(audio(a2))
                .send(ServerContent.generationCompleted())
                .send(ServerContent.turnCompleted())
                .expect(ClientMessage.ClientContent.class)
                .send(transcript("Second answer."))
                .send(audio(b1))
                .send(ServerContent.turnCompleted())));

        CliRun.Result r = voiceChat("hi\nagain\nexit\n", "--no-play");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        Path first = work.resolve("audios/audio_1.wav");
        Path second = work.resolve("audios/audio_2.wav");
        assertCanonical24kMonoHeader(first, a1.length + a2.length);
        assertCanonical24kMonoHeader(second, b1.length);
        assertThat(WavReader.read(first)).isEqualTo(new WavData(AudioFormat.PCM_24K_MONO, concat(a1, a2)));
        assertThat(WavReader.read(second).pcm()).isEqualTo(b1);
        assertThat(r.out()).contains(
                "you> Hello there.\n[saved " + Path.of("audios", "audio_1.wav") + ", 0.5 s]\n\n",
                "you> Second answer.\n[saved " + Path.of("audios", "audio_2.wav") + ", 1.0 s]\n\n");
        assertThat(r.err()).isEmpty();   // --no-play: no device warning

        ReceivedMessage setup = emu.takeClientMessage(Duration.ofSeconds(5));
        assertThat(setup.message()).isInstanceOf(ClientMessage.Setup.class);
        assertThat(setup.rawJson()).contains("\"voiceName\":\"Kore\"", "\"AUDIO\"", "outputAudioTranscription");
    }

    @Test
    void theDefaultEmulatorSpeaksTranscribesAndRemembers() throws Exception {
        CliRun.Result r = voiceChat("hello\nhistory\nexit\n", "--no-play");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("You said: hello", "History: 1. hello", "[saved " + Path.of("audios", "audio_1.wav"),
                "[saved " + Path.of("audios", "audio_2.wav"));
        for (String name : List.of("audio_1.wav", "audio_2.wav")) {
            WavData wav = WavReader.read(work.resolve("audios").resolve(name));
            assertThat(wav.format()).isEqualTo(AudioFormat.PCM_24K_MONO);
            assertThat(wav.pcm().length).isPositive();
            String saved = String.format(Locale.ROOT, "[saved %s, %.1f s]", Path.of("audios", name),
                    wav.duration().toMillis() / 1000.0);
            assertThat(r.out()).contains(saved);
        }
    }

    @Test
    void numberingContinuesAfterTheHighestExistingFileUnlessCleared() throws IOException {
        Path dir = Files.createDirectories(work.resolve("out"));
        for (String name : List.of("audio_1.wav", "audio_2.wav", "audio_7.wav", "notes.txt", "audio_x.wav")) {
            Files.writeString(dir.resolve(name), "old");
        }

        CliRun.Result keep = voiceChat("hello\nexit\n", "--no-play", "--audio-out", "out");
        assertThat(keep.exitCode()).as(keep.toString()).isZero();
        assertThat(keep.out()).contains("[saved " + Path.of("out", "audio_8.wav"));
        assertThat(names(dir)).containsExactlyInAnyOrder(
                "audio_1.wav", "audio_2.wav", "audio_7.wav", "audio_8.wav", "notes.txt", "audio_x.wav");

        CliRun.Result cleared = voiceChat("hello\nexit\n", "--no-play", "--audio-out", "out", "--clear");
        assertThat(cleared.exitCode()).as(cleared.toString()).isZero();
        assertThat(names(dir)).containsExactlyInAnyOrder("audio_1.wav", "notes.txt");
        assertThat(Files.size(dir.resolve("audio_1.wav"))).isGreaterThan(44);
    }

    @Test
    void anInterruptionFromTheServerIsShownAndTheTurnStillEnds() throws Exception {
        emu.enqueue(Script.create(script -> script
                .expect(ClientMessage.Setup.class)
                .send(new ServerMessage.SetupComplete(null))
                .expect(ClientMessage.ClientContent.class)
                .send(transcript("I was say"))
                .send(audio(pcm(4_800, 4)))
                .send(ServerContent.interruptedSignal())
                .send(ServerContent.turnCompleted())));
        CliRun.Result r = voiceChat("hi\nexit\n", "--no-play");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("I was say\n[interrupted by the server]\n");
        assertThat(WavReader.read(work.resolve("audios/audio_1.wav")).pcm()).hasSize(4_800);
    }

    @Test
    void withoutAnAudioDeviceAnswersAreSavedAndOneLineSaysWhy() throws Exception {
        boolean device = AudioSystem.isLineSupported(new DataLine.Info(SourceDataLine.class,
                AudioFormat.PCM_24K_MONO.toJavaSound()));
        Assumptions.assumeFalse(device, "this machine has an audio device");
        CliRun.Result r = voiceChat("hello\nexit\n");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err().lines().toList()).singleElement().asString()
                .startsWith("No audio device: answers are saved but not played (");
        assertThat(work.resolve("audios/audio_1.wav")).exists();
    }

    private static void assertCanonical24kMonoHeader(Path wav, int pcmBytes) throws IOException {
        byte[] bytes = Files.readAllBytes(wav);
        assertThat(bytes).hasSize(44 + pcmBytes);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
        assertThat(b.getInt(4)).isEqualTo(36 + pcmBytes);
        assertThat(new String(bytes, 8, 4, StandardCharsets.US_ASCII)).isEqualTo("WAVE");
        assertThat(b.getShort(20)).as("PCM").isEqualTo((short) 1);
        assertThat(b.getShort(22)).as("channels").isEqualTo((short) 1);
        assertThat(b.getInt(24)).as("sample rate").isEqualTo(24_000);
        assertThat(b.getInt(28)).as("byte rate").isEqualTo(48_000);
        assertThat(b.getShort(34)).as("bits").isEqualTo((short) 16);
        assertThat(new String(bytes, 36, 4, StandardCharsets.US_ASCII)).isEqualTo("data");
        assertThat(b.getInt(40)).as("data length").isEqualTo(pcmBytes);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
