package dev.habla.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.assistant.AssistantEvent.BargeIn;
import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSource;
import dev.habla.audio.DeviceSpeaker;
import dev.habla.audio.JavaSoundMicrophone;
import dev.habla.audio.PcmChunk;
import dev.habla.client.LiveClient;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real device path on a machine without a sound card: PulseAudio null sinks ({@code scripts/pulse-test-env.sh}).
 * Speech made with espeak-ng is played into the virtual microphone with {@code paplay --device=vmic}; the loop
 * captures it with Java Sound (default source {@code vmic.monitor}), talks to the emulator, and plays the answer on
 * Java Sound's default output ({@code vsink}), which {@code pacat --record --device=vsink.monitor} records.
 *
 * <p>Without the daemon these tests fail when {@code CI=true} and are skipped (with a loud message) otherwise.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DevicePathTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final int BARGE_IN_TRIALS = 5;
    /** How far ahead of the device the speech test's playback runs (see there). */
    static final Duration PLAYBACK_AHEAD = Duration.ofMillis(400);

    @TempDir
    static Path dir;
    static Path hello;
    static Path interruption;

    LiveEmulator emu;
    LiveClient client;

    @BeforeAll
    static void devices() throws IOException {
        PulseDevices.require();
        hello = PulseDevices.espeak(dir, "hello", "hello, can you hear me");
        interruption = PulseDevices.espeak(dir, "wait", "wait, please stop");
    }

    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x
            .client(emu -> LiveClient.create(c -> c.apiKey("test").baseUrl(java.net.URI.create(emu.baseUrl())))));

    @BeforeEach
    void bind() {
        emu = live.emulator();
        client = live.client(LiveClient.class);
    }

    /** Counts down once the microphone delivers its first chunk (PulseAudio takes a while to start capturing). */
    static AudioSource watched(AudioSource source, CountDownLatch live) {
        return new AudioSource() {
            @Override
            public AudioFormat format() {
                return source.format();
            }

            @Override
            public PcmChunk read() throws IOException, InterruptedException {
                PcmChunk c = source.read();
                live.countDown();
                return c;
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }

    @Test
    void speechIntoTheVirtualMicIsAnsweredOnTheVirtualSpeaker() throws Exception {
        Recorder events = new Recorder();
        CountDownLatch live = new CountDownLatch(1);
        JavaSoundMicrophone mic = JavaSoundMicrophone.open();
        // Playback a few hundred ms ahead (pump and line buffer): this test is about the path and the whole answer,
        // not latency; with the defaults (60 + 100 ms) a loaded machine that stalls the playback threads or the
        // PulseAudio daemon for longer underruns, and the gaps stretch the answer on vsink.monitor.
        DeviceSpeaker speaker = DeviceSpeaker.open(null, AudioFormat.PCM_24K_MONO, PLAYBACK_AHEAD,
                DeviceSpeaker.DEFAULT_MAX_QUEUED);
        try (PulseDevices.Recording recording = new PulseDevices.Recording();
             VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session())
                     .microphone(watched(mic, live)).speaker(speaker).deviceBuffer(PLAYBACK_AHEAD).observer(events))) {
            assertThat(live.await(10, TimeUnit.SECONDS)).as("the microphone delivers audio").isTrue();
            int before = recording.length();
            PulseDevices.playIntoMic(hello);
            Transcript.Entry answer = events.await(AssistantEvent.TurnEnded.class, WAIT).entry();
            // All of the answer has gone through the device (the loop wrote it; PulseAudio played it), and the
            // recorder has what the monitor captured until then: 600 ms more after that point.
            assertThat(loop.awaitPlaybackIdle(WAIT)).isTrue();
            assertThat(speaker.drain(WAIT)).as("the device played the answer").isTrue();
            assertThat(recording.awaitLength(recording.length() + 600 * 24, WAIT)).isTrue();
            int[] span = recording.awaitUtterance(before, Duration.ofMillis(600), WAIT);
            assertThat(span).as("the answer is heard on vsink.monitor").isNotNull();
            // Silence the device inserted when PulseAudio or the playback threads were starved (underruns: runs of
            // silence longer than the synthetic voice's 70 ms pauses between words) is not part of the answer.
            int gaps = recording.silentRuns(span[0], span[1] + 1, 100 * 24);
            double capturedMs = (span[1] - span[0] + 1 - gaps) / 24.0;
            double expectedMs = answer.generatedAudio().toMillis();
            short[] captured = recording.samples();
            double level = PulseDevices.dbfs(captured, span[0], span[1] + 1);
            Report.line("device path (PulseAudio null sinks): mic %s as %s, speaker %s as %s; user said %s; answer "
                    + "\"%s\": %.0f ms generated, %.0f ms audible on vsink.monitor at %.1f dBFS (%.0f ms of underrun gaps "
                    + "left out)", mic.deviceName(), mic.format(), speaker.deviceName(), speaker.format(),
                    loop.transcript().entries().getFirst().generated(), answer.generated(), expectedMs, capturedMs, level,
                    gaps / 24.0);
            assertThat(answer.generated()).matches("I heard \\d\\.\\d\\d seconds of audio\\.");
            assertThat(level).as("not silence").isGreaterThan(-35);
            // The synthetic voice starts and ends on a word, so the audible span is the answer's length.
            assertThat(capturedMs).isBetween(0.85 * expectedMs, expectedMs + 100);
        }
    }

    @Test
    void bargeInSilencesThePulseAudioSink() throws Exception {
        Recorder events = new Recorder();
        CountDownLatch live = new CountDownLatch(1);
        Random random = new Random(3);
        List<Long> toSilence = new ArrayList<>();
        List<Long> afterFlush = new ArrayList<>();
        List<Long> toInterrupted = new ArrayList<>();
        List<String> signed = new ArrayList<>();
        JavaSoundMicrophone mic = JavaSoundMicrophone.open();
        DeviceSpeaker speaker = DeviceSpeaker.open();
        try (PulseDevices.Recording recording = new PulseDevices.Recording();
             VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session())
                     .microphone(watched(mic, live)).speaker(speaker).vadMode(VadMode.OFF)
                     .duplex(DuplexMode.HEADPHONES).observer(events))) {
            assertThat(live.await(10, TimeUnit.SECONDS)).isTrue();
            int from = recording.length();
            PulseDevices.playIntoMic(hello);
            for (int trial = 0; trial < BARGE_IN_TRIALS; trial++) {
                int first = recording.awaitAudible(from, Duration.ofMillis(150 + random.nextInt(250)), WAIT);
                assertThat(first).as("trial %d: the answer plays", trial).isNotNegative();
                long before = System.nanoTime();
                Process p = PulseDevices.startPlayingIntoMic(interruption);
                BargeIn b = events.await(BargeIn.class, e -> e.arrivalNanos() > before, WAIT);
                // The last audible sample of the cut answer, dated by when its block reached the recorder.
                int[] rest = recording.awaitUtterance(first, Duration.ofMillis(300), WAIT);
                int last = recording.lastAudible(first, rest == null ? recording.length() : rest[1] + 1);
                long lastHeard = recording.arrivalOf(last);
                toSilence.add(Math.max(0, lastHeard - b.arrivalNanos()));
                afterFlush.add(Math.max(0, lastHeard - b.silencedNanos()));
                toInterrupted.add(b.arrivalNanos() - before);
                signed.add(String.format(java.util.Locale.ROOT, "%+.1f (flush returned after %.1f)",
                        (lastHeard - b.arrivalNanos()) / 1e6, (b.silencedNanos() - b.arrivalNanos()) / 1e6));
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
                // The next trial cuts the answer to this interruption: the next audible audio after the cut one. (Not
                // what was recorded by the time paplay exited: on a loaded machine that can be well into the next
                // answer, whose turn the server then ends before the next interruption reaches it.)
                from = rest == null ? recording.length() : rest[1] + 1;
            }
        }
        Report.line("barge-in at the PulseAudio sink (%d trials): interrupted arrival -> last audible sample of the cut "
                + "answer arriving from vsink.monitor (includes the monitor's ~20 ms capture latency and 20 ms blocks; "
                + "negative = the cut fell in a pause between words): %s; per trial %s ms", BARGE_IN_TRIALS,
                Report.stats(toSilence), signed);
        Report.line("barge-in at the PulseAudio devices: paplay of \"wait, please stop\" into vmic starts -> interrupted arrives "
                + "(Pulse capture, uplink, emulator VAD): %s",
                Report.stats(toInterrupted));
        Report.line("barge-in at the PulseAudio sink: the loop's flush of the device returned -> last audible sample: %s",
                Report.stats(afterFlush));
        // A cut can fall in a pause between words (then the last audible sample came before the interrupt).
        // Typically the sink is silent within 100 ms of the interrupt. Not in every trial on a loaded machine: the
        // loop flushes at once, but SourceDataLine.flush() goes through ALSA to the PulseAudio daemon and took up to
        // 430 ms when both were short of CPU, the audio playing on meanwhile (and pacat and the recorder's thread
        // deliver blocks late). So: the median trial within 100 ms of the interrupt, and every trial within 250 ms
        // of the flush returning (a flush that did not silence the sink would leave the rest of the answer playing).
        assertThat(Report.percentileMs(toSilence, 0.5)).isLessThan(100);
        assertThat(Report.percentileMs(afterFlush, 1.0)).isLessThan(250);
    }
}
