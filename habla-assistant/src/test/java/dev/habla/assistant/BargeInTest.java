package dev.habla.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.assistant.AssistantEvent.BargeIn;
import dev.habla.assistant.AssistantEvent.Trigger;
import dev.habla.client.LiveClient;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.ServerMessage.ServerContent;
import dev.habla.protocol.Transcription;
import dev.habla.time.Scheduler;
import dev.habla.voice.Pcm16;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Barge-in through the real pipeline: emulator → session → playback buffer → speaker pump → a sink that models a
 * device and timestamps everything. The user speaks while the reply plays; the measure is from the arrival of the
 * server's {@code interrupted} (or the local speech onset) to the last audible sample the device played.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BargeInTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    /** The goal from the issue: silent within 20 ms of the {@code interrupted} frame's arrival, at p95. */
    static final double GOAL_MS = 20;
    static final int SERVER_TRIALS = 50;
    static final int ASSIST_TRIALS = 15;

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

    /** "wait," : the first 400 ms of stop-16k.wav, then enough silence for the server VAD to end the utterance. */
    static short[] interruption() {
        return Speech.head(Speech.stop(), 400);
    }

    @Test
    void serverInterruptedSilencesTheSpeakerWithinTwentyMilliseconds() throws Exception {
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        DeviceModelSink speaker = new DeviceModelSink();
        Random random = new Random(42);
        List<Long> toDeviceSilence = new ArrayList<>();
        List<Long> toFlush = new ArrayList<>();
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).microphone(mic)
                .speaker(speaker).vadMode(VadMode.OFF).duplex(DuplexMode.HEADPHONES).observer(events))) {
            mic.push(Speech.concat(Speech.stop(), Speech.silence(700)));
            long since = 0;
            for (int trial = 0; trial < SERVER_TRIALS; trial++) {
                // Let the reply play for a random while, then talk over it.
                Duration into = Duration.ofMillis(30 + random.nextInt(150));
                long playing = speaker.awaitPlaying(since, into, WAIT);
                assertThat(playing).as("trial %d: the reply plays", trial).isPositive();
                long before = System.nanoTime();
                mic.push(Speech.concat(interruption(), Speech.silence(700)));
                BargeIn b = events.await(BargeIn.class, e -> e.arrivalNanos() > before, WAIT);
                assertThat(b.trigger()).isEqualTo(Trigger.SERVER_INTERRUPTED);
                long flush = speaker.flushAtOrAfter(b.arrivalNanos());
                assertThat(flush).isPositive();
                long lastAudible = speaker.lastAudibleEndBefore(speaker.nextStartAfter(flush));
                toDeviceSilence.add(Math.max(0, lastAudible - b.arrivalNanos()));
                toFlush.add(b.silencedNanos() - b.arrivalNanos());
                since = b.silencedNanos();
                assertThat(b.discarded()).as("trial %d: audio was cut", trial).isPositive();
            }
            VoiceMetrics.Snapshot m = loop.metrics();
            Report.line("barge-in (server interrupted, %d trials): arrival -> last audible sample at the device model: %s",
                    SERVER_TRIALS, Report.stats(toDeviceSilence));
            Report.line("barge-in (server interrupted): arrival -> buffer+sink flushed: %s; loop metric: %s",
                    Report.stats(toFlush), m.interruptToSilence());
            assertThat(m.serverBargeIns()).isGreaterThanOrEqualTo(SERVER_TRIALS);
            assertThat(Report.percentileMs(toDeviceSilence, 0.95)).isLessThanOrEqualTo(GOAL_MS);
            // Every cut turn is in the transcript as interrupted, with a heard part shorter than what was generated.
            List<Transcript.Entry> cut = loop.transcript().assistantEntries().stream()
                    .filter(Transcript.Entry::interrupted).toList();
            assertThat(cut).hasSizeGreaterThanOrEqualTo(SERVER_TRIALS);
            assertThat(cut).allSatisfy(e -> {
                assertThat(e.heardAudio()).isLessThan(e.generatedAudio());
                assertThat(e.generated()).startsWith(e.heard());
            });
        }
    }

    @Test
    void withoutSinkFlushTheSpeakerStillStopsWithinOneDeviceBuffer() throws Exception {
        // A device that ignores flush() keeps playing what it was given: the pump's lead (one device buffer) bounds
        // it. A fresh loop per trial: with such a device the next answer would queue behind the unflushed audio.
        Duration deviceBuffer = VoiceLoopConfig.DEFAULT_DEVICE_BUFFER;
        List<Long> latencies = new ArrayList<>();
        List<Long> afterSilenced = new ArrayList<>();
        for (int trial = 0; trial < 5; trial++) {
            Recorder events = new Recorder();
            PushSource mic = new PushSource();
            DeviceModelSink speaker = new DeviceModelSink(Scheduler.system(), false);
            try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).microphone(mic)
                    .speaker(speaker).vadMode(VadMode.OFF).duplex(DuplexMode.HEADPHONES).observer(events))) {
                mic.push(Speech.concat(Speech.stop(), Speech.silence(700)));
                assertThat(speaker.awaitPlaying(0, Duration.ofMillis(100 + 50 * trial), WAIT)).isPositive();
                mic.push(Speech.concat(interruption(), Speech.silence(700)));
                BargeIn b = events.await(BargeIn.class, WAIT);
                long lastAudible = speaker.lastAudibleEndBefore(speaker.nextStartAfter(b.silencedNanos()));
                latencies.add(Math.max(0, lastAudible - b.arrivalNanos()));
                afterSilenced.add(Math.max(0, lastAudible - b.silencedNanos()));
            }
        }
        Report.line("barge-in with a device that ignores flush (device buffer %d ms): arrival -> last audible: %s; "
                + "silenced -> last audible: %s", deviceBuffer.toMillis(), Report.stats(latencies),
                Report.stats(afterSilenced));
        // What the device still plays once the loop has silenced (no audio of the cut turn is written after that) is
        // bounded by the pump's lead: one device buffer plus the 20 ms piece written last, and a little slack for
        // the pump being descheduled between reading the clock and writing. Arrival -> silenced is the server test's
        // measure; here it would only add how long this thread waited for a CPU on a loaded machine.
        assertThat(Report.percentileMs(afterSilenced, 1.0))
                .isLessThanOrEqualTo(deviceBuffer.toMillis() + SpeakerPump.PIECE.toMillis() + 10.0);
    }

    @Test
    void localVadAssistSilencesBeforeTheServerDoes() throws Exception {
        // The emulator's VAD commits after 20 ms of speech, faster than any real server; give it 250 ms (real servers take longer) so
        // that the local path is what is measured (and the server's interrupted still comes, later).
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        DeviceModelSink speaker = new DeviceModelSink();
        Random random = new Random(7);
        short[] speech = interruption();
        int firstLoud = firstLoudSample(speech);
        List<Long> onsetToDevice = new ArrayList<>();
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).microphone(mic)
                .speaker(speaker).vadMode(VadMode.ASSIST).duplex(DuplexMode.HEADPHONES)
                .serverVad(ServerVad.create(v -> v.prefixPaddingMs(250))).observer(events))) {
            mic.push(Speech.concat(Speech.stop(), Speech.silence(700)));
            long since = 0;
            mic.takeMaxLateness();
            for (int trial = 0; trial < ASSIST_TRIALS; trial++) {
                assertThat(speaker.awaitPlaying(since, Duration.ofMillis(40 + random.nextInt(120)), WAIT)).isPositive();
                long before = System.nanoTime();
                long start = mic.pushPaced(speech);
                mic.push(Speech.silence(700));
                long trueOnset = start + firstLoud * 1_000_000_000L / Speech.RATE;
                BargeIn b = events.await(BargeIn.class, e -> e.arrivalNanos() > before, WAIT);
                assertThat(b.trigger()).as("trial %d", trial).isEqualTo(Trigger.LOCAL_VAD);
                long lastAudible = speaker.lastAudibleEndBefore(speaker.nextStartAfter(b.silencedNanos()));
                onsetToDevice.add(Math.max(0, lastAudible - trueOnset));
                since = b.silencedNanos();
                // The server's interrupted follows and finds the speaker already silent.
                events.await(BargeIn.class, e -> e.trigger() == Trigger.SERVER_INTERRUPTED && e.arrivalNanos() > before, WAIT);
            }
            VoiceMetrics.Snapshot m = loop.metrics();
            double lateMs = mic.takeMaxLateness() / 1e6;
            Report.line("assist (local VAD, %d trials): speech onset (VAD estimate) -> silence: %s", ASSIST_TRIALS,
                    m.localOnsetToSilence());
            Report.line("assist: the mic thread took a chunk at most %.1f ms after it was captured", lateMs);
            Report.line("assist: confirming frame captured -> silence: %s", m.localDetectToSilence());
            Report.line("assist: true speech onset -> last audible sample at the device model: %s",
                    Report.stats(onsetToDevice));
            assertThat(m.localBargeIns()).isEqualTo(ASSIST_TRIALS);
            // minSpeech (128 ms) + one frame (32 ms) + the frame in progress, and a little scheduling; plus how late the
            // mic thread came for a chunk (on a loaded machine it waits for a CPU: detect -> silence reached 67 ms).
            assertThat(Report.percentileMs(onsetToDevice, 0.95)).isLessThan(260 + lateMs);
            // The confirming frame ends inside a 20 ms capture chunk, which is delivered when it ends.
            assertThat(m.localDetectToSilence().p95().toNanos() / 1e6).isLessThan(60 + lateMs);
        }
    }

    @Test
    void lateChunksOfAnInterruptedTurnAreDroppedAndTheTranscriptKeepsWhatWasHeard() throws Exception {
        String[] words = {"One", " two", " three", " four", " five", " six"};
        emu.enqueue(Script.create(script -> {
            script.expect(ClientMessage.Setup.class).send(new ServerMessage.SetupComplete(null))
                    .expect("realtime text", m -> m instanceof ClientMessage.RealtimeInput);
            for (String w : words) {   // 6 words × 200 ms, sent at once (faster than real time, as the service does)
                script.send(ServerContent.outputTranscription(new Transcription(w, false))).send(audio(200, 0.3));
            }
            script.pause(Duration.ofMillis(600))
                    .send(ServerContent.interruptedSignal())
                    .send(audio(200, 0.5)).send(audio(200, 0.5))           // late chunks of the cut turn
                    .send(ServerContent.turnCompleted())
                    .send(ServerContent.outputTranscription(new Transcription("Next.", false)))
                    .send(audio(300, 0.3)).send(ServerContent.turnCompleted());
        }));
        Recorder events = new Recorder();
        DeviceModelSink speaker = new DeviceModelSink();
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).speaker(speaker)
                .observer(events))) {
            loop.sendText("count to six");
            BargeIn b = events.await(BargeIn.class, WAIT);
            Transcript.Entry cut = events.await(AssistantEvent.TurnEnded.class, WAIT).entry();
            Transcript.Entry next = events.await(AssistantEvent.TurnEnded.class, WAIT).entry();
            assertThat(speaker.awaitPlaying(b.silencedNanos(), Duration.ofMillis(250), WAIT)).isPositive();

            assertThat(cut.interrupted()).isTrue();
            assertThat(cut.generated()).isEqualTo("One two three four five six");
            // 600 ms after the burst, minus the 120 ms pre-buffer, about 480 ms had played: "One two" and part of
            // "three" (its audio had started), never "five".
            assertThat(cut.heard()).startsWith("One two").doesNotContain("five");
            assertThat(cut.heardAudio()).isBetween(Duration.ofMillis(250), Duration.ofMillis(650));
            assertThat(cut.generatedAudio()).isEqualTo(Duration.ofMillis(1600));   // the late chunks were generated too
            assertThat(next.interrupted()).isFalse();
            assertThat(next.epoch()).isGreaterThan(cut.epoch());
            // The late chunks never reached the speaker; the next turn played in full.
            assertThat(loop.metrics().staleBytesDropped()).isEqualTo(2 * 9600);
            assertThat(maxAbs(speaker.played())).isLessThan((int) (0.5 * 32767) - 100);
            assertThat(loop.transcript().render()).contains("[interrupted; not heard:");
        }
    }

    @Test
    void aPhantomInterruptedCutsTheReplyAndTheConversationCarriesOn() throws Exception {
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        DeviceModelSink speaker = new DeviceModelSink();
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).microphone(mic)
                .speaker(speaker).duplex(DuplexMode.HEADPHONES).observer(events))) {
            mic.push(Speech.concat(Speech.stop(), Speech.silence(700)));
            assertThat(speaker.awaitPlaying(0, Duration.ofMillis(100), WAIT)).isPositive();
            emu.inject(new Fault.PhantomInterrupted());
            assertThat(events.await(BargeIn.class, WAIT).trigger()).isEqualTo(Trigger.SERVER_INTERRUPTED);
            assertThat(events.await(AssistantEvent.TurnEnded.class, WAIT).entry().interrupted()).isTrue();
            mic.push(Speech.concat(Speech.question(), Speech.silence(700)));
            mic.end();
            Transcript.Entry after = events.await(AssistantEvent.TurnEnded.class, WAIT).entry();
            assertThat(after.interrupted()).isFalse();
            assertThat(loop.awaitConversationIdle(Duration.ofMillis(50), WAIT)).isTrue();
            assertThat(after.heard()).isEqualTo(after.generated()).startsWith("I heard 0.8");
        }
    }

    private static ServerMessage audio(int ms, double amplitude) {
        short[] s = new short[24 * ms];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * 220 * i / 24_000.0));
        }
        return ServerContent.modelTurn(new Content(List.of(Part.ofInlineData("audio/pcm;rate=24000", Pcm16.toBytes(s))),
                "model"));
    }

    static int maxAbs(short[] s) {
        int m = 0;
        for (short v : s) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static int firstLoudSample(short[] s) {
        for (int i = 0; i < s.length; i++) {
            if (Math.abs(s[i]) > 300) {
                return i;
            }
        }
        return 0;
    }
}
