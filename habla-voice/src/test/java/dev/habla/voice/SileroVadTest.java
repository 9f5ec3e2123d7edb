package dev.habla.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Silero v5 on real speech from espeak-ng (made at test time) and on non-speech generated in Java. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SileroVadTest {

    static final int RATE = 16_000;
    static final String SENTENCE = "Hello world, this is a test of voice activity detection.";

    @TempDir
    static Path dir;
    static SileroVad vad;
    static short[] speech;

    @BeforeAll
    static void setUp() throws Exception {
        vad = SileroVad.create();
        speech = TestSignals.espeak(dir, SENTENCE, "en-us", 50, RATE);
    }

    @AfterAll
    static void tearDown() {
        vad.close();
    }

    static float[] probabilities(short[] pcm) {
        vad.reset();
        List<short[]> frames = TestSignals.frames(pcm, 512);
        float[] p = new float[frames.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = vad.speechProbability(frames.get(i));
        }
        return p;
    }

    static int above(float[] p, double threshold) {
        int n = 0;
        for (float v : p) {
            n += v > threshold ? 1 : 0;
        }
        return n;
    }

    static float max(float[] p) {
        float m = 0;
        for (float v : p) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** First and last sample louder than -40 dBFS: where espeak's speech really is. */
    static int[] activeSpan(short[] s) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < s.length; i++) {
            if (Math.abs(s[i]) > 328) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        return new int[] {first, last};
    }

    @Test
    void loadsFromAThreadWithASmallStackInAFreshJvm() throws Exception {
        // The first model load in a JVM recursed deep enough in onnxruntime to overflow a 512 KB thread stack and
        // kill the JVM (SIGSEGV, no Java error); habla talk's main thread (1 MB) was a few KB from it. Only the first
        // load does it, so a child JVM runs it (VadLoadMain: load and run from a 256 KB thread).
        ProcessBuilder pb = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                VadLoadMain.class.getName())).redirectErrorStream(true);
        Process p = pb.start();
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(50, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("silence p=");
    }

    @Test
    void classifiesSpeechAndNonSpeechFrames() {
        float[] sp = probabilities(speech);
        float[] noise = probabilities(TestSignals.whiteNoise(1, 3 * RATE, 0.3 * 32768 / Math.sqrt(3)));
        float[] tone = probabilities(TestSignals.sine(RATE, 440, 3, 0.5 * 32768));
        float[] silence = probabilities(new short[3 * RATE]);
        float[] quietNoise = probabilities(TestSignals.whiteNoise(2, 3 * RATE, 100));
        System.out.printf(Locale.ROOT, "Silero v5 frames > 0.5: speech %d/%d (max %.3f), white noise %d/%d (max %.3f), "
                        + "440 Hz tone %d/%d (max %.3f), silence %d/%d (max %.3f), -50 dBFS noise %d/%d (max %.3f)%n",
                above(sp, 0.5), sp.length, max(sp), above(noise, 0.5), noise.length, max(noise), above(tone, 0.5),
                tone.length, max(tone), above(silence, 0.5), silence.length, max(silence), above(quietNoise, 0.5),
                quietNoise.length, max(quietNoise));
        assertThat(above(sp, 0.5)).as("speech frames").isGreaterThan(sp.length * 7 / 10);
        assertThat(max(sp)).isGreaterThan(0.99f);
        assertThat(above(noise, 0.5)).as("white noise frames").isZero();
        assertThat(above(tone, 0.5)).as("440 Hz tone frames").isZero();
        assertThat(above(silence, 0.5)).as("silent frames").isZero();
        assertThat(above(quietNoise, 0.5)).as("quiet noise frames").isZero();
    }

    @Test
    void segmenterFindsOneUtteranceAtTheRightPlace() {
        short[] padded = TestSignals.concat(new short[RATE], speech, new short[RATE]);
        int[] span = activeSpan(speech);
        long onset = RATE + span[0];
        long offset = RATE + span[1];
        vad.reset();
        VadSegmenter segmenter = new VadSegmenter();
        List<VadEvent> events = new ArrayList<>();
        // Feed odd-sized chunks, as a microphone would deliver them.
        for (int at = 0; at < padded.length; at += 1000) {
            short[] chunk = java.util.Arrays.copyOfRange(padded, at, Math.min(padded.length, at + 1000));
            events.addAll(segmenter.process(vad, chunk));
        }
        segmenter.finish().ifPresent(events::add);
        System.out.println("Silero + VadSegmenter on '" + SENTENCE + "' (speech at " + onset * 1000 / RATE + "-"
                + offset * 1000 / RATE + " ms): " + events);
        assertThat(events).hasSize(2);
        VadEvent.SpeechStarted start = (VadEvent.SpeechStarted) events.get(0);
        VadEvent.SpeechStopped stop = (VadEvent.SpeechStopped) events.get(1);
        assertThat(start.startSample()).isBetween(onset - RATE / 10, onset + RATE / 5);
        assertThat(start.detectedSample() - start.startSample()).isBetween(128L * RATE / 1000, 200L * RATE / 1000);
        // The pre-roll reaches back half a second before the start and ends where streaming resumes.
        assertThat(start.preRoll().length).isEqualTo((int) (start.detectedSample() - start.startSample() + RATE / 2));
        int preRollAt = (int) (start.detectedSample() - start.preRoll().length);
        assertThat(start.preRoll()).isEqualTo(java.util.Arrays.copyOfRange(padded, preRollAt,
                (int) start.detectedSample()));
        assertThat(stop.endSample()).isBetween(offset - RATE / 5, offset + RATE / 3);
        assertThat(stop.detectedSample() - stop.endSample()).isBetween(500L * RATE / 1000, 532L * RATE / 1000);
        assertThat(stop.startSample()).isEqualTo(start.startSample());
    }

    @Test
    void separateSentencesAreSeparateUtterances() throws Exception {
        short[] second = TestSignals.espeak(dir, "Stop. What about tomorrow?", "en-gb+m3", 30, RATE);
        short[] audio = TestSignals.concat(new short[RATE / 2], speech, new short[RATE * 6 / 5], second,
                new short[RATE]);
        vad.reset();
        VadSegmenter segmenter = new VadSegmenter();
        List<VadEvent> events = segmenter.process(vad, audio);
        assertThat(events).hasSize(4);
        assertThat(events.get(0)).isInstanceOf(VadEvent.SpeechStarted.class);
        assertThat(events.get(1)).isInstanceOf(VadEvent.SpeechStopped.class);
        assertThat(events.get(2)).isInstanceOf(VadEvent.SpeechStarted.class);
        assertThat(events.get(3)).isInstanceOf(VadEvent.SpeechStopped.class);
    }

    @Test
    void ourResamplerFeedsSileroAsWellAsSox() throws Exception {
        short[] at22k = TestSignals.espeak(dir, SENTENCE, "en-us", 50, 22_050);
        Resampler r = Resampler.create(22_050, RATE);
        short[] ours = TestSignals.concat(r.process(at22k), r.flush());
        int viaSox = above(probabilities(speech), 0.5);
        int viaUs = above(probabilities(ours), 0.5);
        assertThat(viaUs).isBetween(viaSox - 4, viaSox + 4);
    }

    @Test
    void stateIsCarriedAndResetRestoresIt() {
        List<short[]> frames = TestSignals.frames(speech, 512);
        float[] first = probabilities(speech);
        float[] again = probabilities(speech);
        assertThat(again).containsExactly(first);
        // Without reset the recurrent state carries over from the previous run, so results differ somewhere.
        float[] carried = new float[frames.size()];
        for (int i = 0; i < carried.length; i++) {
            carried[i] = vad.speechProbability(frames.get(i));
        }
        assertThat(carried).isNotEqualTo(first);
    }

    @Test
    void rejectsWrongFramesAndUseAfterClose() {
        assertThatThrownBy(() -> vad.speechProbability(new short[480]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512");
        SileroVad other = SileroVad.create();
        assertThat(other.toString()).contains("v5");
        other.close();
        other.close();
        assertThatThrownBy(() -> other.speechProbability(new short[512])).isInstanceOf(IllegalStateException.class);
    }
}
