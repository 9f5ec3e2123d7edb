package dev.habla.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.ResilientSession;
import dev.habla.client.SessionMetrics;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.EmulatorSession;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import dev.habla.voice.Pcm16;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The voice loop on a resilient session against the emulator, in real time with a paced microphone: goAway handovers
 * in the middle of a conversation with the microphone never stopping (the audio the emulator received compared byte
 * for byte with what the microphone produced), manual activities that stay whole across handovers, drops (1006,
 * 1011) resumed mid-conversation with the cut turn marked, the stall watchdog armed by the local VAD, and a final
 * failure that ends the loop once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResilientLoopTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    /** Microphone "silence": unique noise at -70 dBFS, so every stretch of the signal is unique (and silent to VADs). */
    static final double FLOOR_DBFS = -70;

    LiveEmulator emu;
    LiveClient client;

    @RegisterExtension
    final EmulatorExtension live = EmulatorExtension.create(x -> x
            .client(emu -> LiveClient.create(c -> c.apiKey("test").baseUrl(java.net.URI.create(emu.baseUrl()))
                    .connectTimeout(Duration.ofSeconds(3)))));

    @BeforeEach
    void bind() {
        emu = live.emulator();
        client = live.client(LiveClient.class);
    }

    /** {@code lead} ms of floor noise, then {@code n} × (the question, {@code pause} ms of floor noise), all noisy. */
    static short[] script(long seed, int n, int leadMs, int pauseMs) {
        List<short[]> parts = new ArrayList<>();
        parts.add(Speech.silence(leadMs));
        for (int i = 0; i < n; i++) {
            parts.add(Speech.question());
            parts.add(Speech.silence(pauseMs));
        }
        return Speech.withFloor(Speech.concat(parts.toArray(short[][]::new)), seed, FLOOR_DBFS);
    }

    /** Client messages the emulator received (all connections, arrival order) until {@code done} holds for them. */
    private List<ReceivedMessage> receivedUntil(Predicate<List<ReceivedMessage>> done) throws InterruptedException {
        return Received.until(emu, done, WAIT);
    }

    private static boolean hasStreamEnd(List<ReceivedMessage> wire) {
        return wire.stream().anyMatch(m -> m.message() instanceof RealtimeInput r && Boolean.TRUE.equals(r.audioStreamEnd()));
    }

    private static boolean handoverDone(AssistantEvent.Connection c) {
        return c.event() instanceof LiveEvent.HandoverCompleted;
    }

    @Test
    void continuousMicAudioCrossesGoAwayHandoversByteForByte() throws Exception {
        int handovers = 4;
        int utterances = handovers + 1;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ResiliencePolicy policy = ResiliencePolicy.create(p -> p.meterRegistry(registry).proactiveHandoverAfter(null));
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        DeviceModelSink speaker = new DeviceModelSink();
        short[] signal = script(7, utterances, 600, 3_800);
        // Headphones (no gate) and no pause of the stream: every microphone frame goes up, exactly once. The server
        // ends an utterance after 1 s of silence, the local VAD after 0.5 s: the local end always comes first.
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).microphone(mic)
                .speaker(speaker).vadMode(VadMode.ASSIST).duplex(DuplexMode.HEADPHONES).streamEndAfterSilence(null)
                .serverVad(ServerVad.create(v -> v.silenceDurationMs(1000))).resilience(policy).observer(events))) {
            assertThat(loop.resilientSession()).isNotNull();
            mic.pushPaced(signal);
            mic.end();
            List<Duration> gaps = new ArrayList<>();
            for (int i = 1; i <= handovers; i++) {
                // The user stopped; the answer is coming: the server announces the end of the connection. The
                // handover waits for the answer to end (a turn boundary with the user quiet), well before the deadline.
                events.awaitCount(AssistantEvent.UserSpeechStopped.class, i, WAIT);
                emu.inject(new Fault.GoAway(Duration.ofSeconds(10)));
                var done = events.awaitCount(AssistantEvent.Connection.class, ResilientLoopTest::handoverDone, i, WAIT);
                gaps.add(((LiveEvent.HandoverCompleted) done.get(i - 1).event()).gap());
            }
            List<AssistantEvent.TurnEnded> turns = events.awaitCount(AssistantEvent.TurnEnded.class, utterances,
                    Duration.ofSeconds(40));
            events.awaitCount(AssistantEvent.InputEnded.class, 1, WAIT);
            assertThat(loop.awaitPlaybackIdle(WAIT)).isTrue();
            List<ReceivedMessage> wire = receivedUntil(ResilientLoopTest::hasStreamEnd);

            byte[] mic16 = Pcm16.toBytes(signal);
            int frames = signal.length / 512;   // a partial last frame never leaves the mic pump
            byte[] expected = Arrays.copyOf(mic16, frames * 512 * 2);
            UplinkCheck check = UplinkCheck.of(expected, wire);
            EmulatorSession last = emu.sessions().getLast();
            byte[] logical = last.receivedAudio();
            long mismatch = Arrays.mismatch(expected, logical);
            long[] g = gaps.stream().mapToLong(Duration::toNanos).sorted().toArray();
            Report.line("voice loop over %d goAway handovers (continuous paced mic, %.1f s): gap p50 %.2f ms, max %.2f ms;"
                    + " uplink %d messages, %d bytes over %d connections; lost %d, duplicated %d, foreign %d bytes;"
                    + " logical session received %d of %d bytes, first mismatch %d", handovers, signal.length / 16_000.0,
                    g[g.length / 2] / 1e6, g[g.length - 1] / 1e6, check.audioMessages(), check.audioBytes(),
                    check.connections(), check.lostBytes() + check.skippedBytes() + (expected.length - check.coveredThrough()),
                    check.duplicatedBytes(), check.mismatchedBytes(), logical.length, expected.length, mismatch);

            assertThat(check.mismatchedBytes()).as("foreign bytes").isZero();
            assertThat(check.duplicatedBytes()).as("duplicated bytes").isZero();
            assertThat(check.lostBytes()).as("lost bytes").isZero();
            assertThat(check.skippedBytes()).as("skipped bytes").isZero();
            assertThat(check.coveredThrough()).as("bytes through").isEqualTo(expected.length);
            assertThat(check.connections()).isEqualTo(handovers + 1);
            assertThat(mismatch).as("logical session audio vs microphone, byte for byte").isEqualTo(-1);
            ResilientSession rs = loop.resilientSession();
            assertThat(rs.handovers()).isEqualTo(handovers);
            assertThat(rs.reconnects()).isZero();

            // Every answer whole, none cut, all of it played once; nothing stale, nothing flushed.
            assertThat(turns).hasSize(utterances);
            long generatedMs = 0;
            for (AssistantEvent.TurnEnded t : turns) {
                Transcript.Entry e = t.entry();
                assertThat(e.generated()).matches("I heard \\d\\.\\d\\d seconds of audio\\.");
                assertThat(e.interrupted()).isFalse();
                assertThat(e.connectionLost()).isFalse();
                assertThat(e.heard()).isEqualTo(e.generated());
                generatedMs += e.generatedAudio().toMillis();
            }
            assertThat(speaker.played().length).isEqualTo(24 * (int) generatedMs);
            VoiceMetrics.Snapshot m = loop.metrics();
            assertThat(m.staleBytesDropped()).isZero();
            assertThat(m.flushedBytes()).isZero();
            assertThat(m.serverBargeIns() + m.localBargeIns()).isZero();
            assertThat(m.connectionLostTurns()).isZero();
            // The local VAD told the session when each turn ended: time to first audio was measured for each.
            assertThat(registry.get(SessionMetrics.FIRST_AUDIO).timer().count()).isEqualTo(utterances);
            assertThat(events.all(AssistantEvent.Connection.class)).extracting(c -> c.event().getClass().getSimpleName())
                    .containsOnly("HandoverStarted", "HandoverCompleted");
        }
    }

    @Test
    void manualActivitiesStayWholeAcrossHandovers() throws Exception {
        int handovers = 3;
        int utterances = handovers + 1;
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        short[] signal = script(11, utterances, 600, 3_200);
        ResiliencePolicy policy = ResiliencePolicy.create(p -> p.proactiveHandoverAfter(null));
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).microphone(mic)
                .speaker(new DeviceModelSink()).vadMode(VadMode.MANUAL).duplex(DuplexMode.HEADPHONES)
                .resilience(policy).observer(events))) {
            mic.pushPaced(signal);
            mic.end();
            for (int i = 1; i <= handovers; i++) {
                // The activity ended; the answer is coming: goAway. The switch must wait for the answer's end.
                events.awaitCount(AssistantEvent.Activity.class, a -> !a.started(), i, WAIT);
                emu.inject(new Fault.GoAway(Duration.ofSeconds(10)));
                events.awaitCount(AssistantEvent.Connection.class, ResilientLoopTest::handoverDone, i, WAIT);
            }
            List<AssistantEvent.TurnEnded> turns = events.awaitCount(AssistantEvent.TurnEnded.class, utterances,
                    Duration.ofSeconds(40));
            events.awaitCount(AssistantEvent.InputEnded.class, 1, WAIT);
            List<ReceivedMessage> wire = receivedUntil(w -> w.stream()
                    .filter(m -> m.message() instanceof RealtimeInput r && r.activityEnd() != null).count() >= utterances);

            byte[] mic16 = Pcm16.toBytes(signal);
            UplinkCheck check = UplinkCheck.of(mic16, wire);
            Report.line("voice loop, manual activities over %d goAway handovers: %d audio messages, %d bytes over %d "
                    + "connections; lost %d, duplicated %d, foreign %d bytes", handovers, check.audioMessages(),
                    check.audioBytes(), check.connections(), check.lostBytes(), check.duplicatedBytes(),
                    check.mismatchedBytes());
            assertThat(check.mismatchedBytes()).isZero();
            assertThat(check.duplicatedBytes()).isZero();
            assertThat(check.lostBytes()).isZero();
            assertThat(check.connections()).isEqualTo(handovers + 1);
            assertThat(wholeActivities(wire)).isEqualTo(utterances);
            // The logical session holds every activity's audio once, in order.
            byte[] sent = wire.stream().filter(UplinkCheck::isAudio)
                    .map(m -> ((RealtimeInput) m.message()).audio().data())
                    .reduce(new byte[0], (a, b) -> { byte[] c = Arrays.copyOf(a, a.length + b.length);
                        System.arraycopy(b, 0, c, a.length, b.length); return c; });
            assertThat(emu.sessions().getLast().receivedAudio()).isEqualTo(sent);
            assertThat(turns).allSatisfy(t -> {
                assertThat(t.entry().generated()).matches("I heard \\d\\.\\d\\d seconds of audio\\.");
                assertThat(t.entry().connectionLost()).isFalse();
            });
            assertThat(loop.resilientSession().handovers()).isEqualTo(handovers);
        }
    }

    /** Checks that each activity (start, its audio, end) went over one connection; returns how many there were. */
    private static int wholeActivities(List<ReceivedMessage> wire) {
        String open = null;
        int activities = 0;
        for (ReceivedMessage m : wire) {
            if (!(m.message() instanceof RealtimeInput r)) {
                continue;
            }
            if (r.activityStart() != null) {
                assertThat(open).as("activities do not nest").isNull();
                open = m.sessionId();
                activities++;
            } else if (r.audio() != null) {
                assertThat(m.sessionId()).as("audio inside its activity's connection").isEqualTo(open);
            } else if (r.activityEnd() != null) {
                assertThat(m.sessionId()).as("activityEnd on its activity's connection").isEqualTo(open);
                open = null;
            }
        }
        return activities;
    }

    @Test
    void pushToTalkActivitiesStayWholeWhenGoAwayComesWhileTheKeyIsHeld() throws Exception {
        int handovers = 3;
        int utterances = handovers + 1;
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        short[] signal = script(19, utterances, 600, 3_600);
        ResiliencePolicy policy = ResiliencePolicy.create(p -> p.proactiveHandoverAfter(null));
        // A 900 ms hangover: the key is released 0.9 s after the speech, so the activity's audio ends with more
        // quiet than a server-VAD handover waits for; the switch must still wait for the activity and its answer.
        var vad = dev.habla.voice.VadConfig.create(v -> v.minSilence(Duration.ofMillis(900)));
        // The "user" presses the key when the local VAD hears speech start and releases it when it hears the end, and
        // the server's goAway comes as the activity opens (its activityStart sent: before that the session is at a
        // boundary and may rightly switch at once). All on the mic thread as the events are emitted, so key and goAway
        // fall on the same frames however late this test thread runs (pressing from here cut up to 0.4 s off an
        // activity on a loaded machine).
        VoiceLoop[] self = new VoiceLoop[1];
        java.util.concurrent.atomic.AtomicInteger goAways = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean goAwayWhileHeld = new java.util.concurrent.atomic.AtomicBoolean(true);
        AssistantObserver user = e -> {
            if (e instanceof AssistantEvent.UserSpeechStarted) {
                self[0].pushToTalk(true);
            } else if (e instanceof AssistantEvent.Activity a && a.started() && goAways.get() < handovers) {
                goAways.incrementAndGet();
                goAwayWhileHeld.compareAndSet(true, self[0].isTalking());
                emu.inject(new Fault.GoAway(Duration.ofSeconds(10)));
            } else if (e instanceof AssistantEvent.UserSpeechStopped) {
                self[0].pushToTalk(false);
            }
            events.onEvent(e);
        };
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).microphone(mic)
                .speaker(new DeviceModelSink()).vadMode(VadMode.PUSH_TO_TALK).vadConfig(vad)
                .duplex(DuplexMode.HEADPHONES).resilience(policy).observer(user))) {
            self[0] = loop;
            mic.pushPaced(signal);
            mic.end();
            for (int i = 1; i <= handovers; i++) {
                events.awaitCount(AssistantEvent.Connection.class, ResilientLoopTest::handoverDone, i, WAIT);
            }
            assertThat(goAwayWhileHeld).as("every goAway came while the key was held").isTrue();
            List<AssistantEvent.TurnEnded> turns = events.awaitCount(AssistantEvent.TurnEnded.class, utterances,
                    Duration.ofSeconds(40));
            List<ReceivedMessage> wire = receivedUntil(w -> w.stream()
                    .filter(m -> m.message() instanceof RealtimeInput r && r.activityEnd() != null).count() >= utterances);
            UplinkCheck check = UplinkCheck.of(Pcm16.toBytes(signal), wire);
            Report.line("voice loop, push-to-talk over %d goAway handovers (goAway while the key is held): %d audio "
                    + "bytes over %d connections; lost %d, duplicated %d, foreign %d", handovers, check.audioBytes(),
                    check.connections(), check.lostBytes(), check.duplicatedBytes(), check.mismatchedBytes());
            assertThat(check.mismatchedBytes()).isZero();
            assertThat(check.duplicatedBytes()).isZero();
            assertThat(check.lostBytes()).isZero();
            assertThat(check.connections()).isEqualTo(handovers + 1);
            assertThat(wholeActivities(wire)).isEqualTo(utterances);
            // Every activity answered as one utterance: pre-roll + speech (about 0.85 s loud) + the 0.9 s hangover.
            assertThat(turns).allSatisfy(t -> {
                assertThat(t.entry().generated()).matches("I heard \\d\\.\\d\\d seconds of audio\\.");
                double heard = Double.parseDouble(t.entry().generated().replaceAll("[^0-9.]", "").replaceAll("\\.$", ""));
                assertThat(heard).isBetween(1.6, 3.5);
            });
            assertThat(loop.resilientSession().handovers()).isEqualTo(handovers);
        }
    }

    @Test
    void dropsAreResumedTheCutTurnIsMarkedAndTheNextUtterancesAnswered() throws Exception {
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        DeviceModelSink speaker = new DeviceModelSink();
        ResiliencePolicy policy = ResiliencePolicy.create(p -> p.proactiveHandoverAfter(null)
                .initialBackoff(Duration.ofMillis(50)).jitter(0));
        short[] all = script(13, 3, 300, 2_500);
        int third = all.length / 3;
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).microphone(mic)
                .speaker(speaker).vadMode(VadMode.ASSIST).duplex(DuplexMode.HEADPHONES).resilience(policy)
                .observer(events))) {
            // 1. A TCP drop (1006) while the answer streams.
            mic.pushPaced(Arrays.copyOfRange(all, 0, third));
            events.await(AssistantEvent.AssistantText.class, WAIT);
            emu.inject(new Fault.DropConnection());
            Transcript.Entry cut = events.await(AssistantEvent.TurnEnded.class, WAIT).entry();
            assertThat(cut.connectionLost()).isTrue();
            assertThat(cut.interrupted()).isFalse();
            assertThat(cut.toString()).endsWith("[cut off: connection lost]");
            LiveEvent.Reconnected back = (LiveEvent.Reconnected) events.await(AssistantEvent.Connection.class,
                    c -> c.event() instanceof LiveEvent.Reconnected, WAIT).event();
            assertThat(back.resumed()).isTrue();
            // What arrived of the cut answer plays out whole: nothing flushed, nothing stale.
            assertThat(loop.awaitPlaybackIdle(WAIT)).isTrue();
            assertThat(speaker.played().length).isEqualTo(24 * (int) cut.generatedAudio().toMillis());
            assertThat(loop.metrics().flushedBytes()).isZero();
            assertThat(loop.metrics().staleBytesDropped()).isZero();

            // 2. The next utterance is answered on the resumed connection.
            mic.pushPaced(Arrays.copyOfRange(all, third, 2 * third));
            Transcript.Entry second = events.await(AssistantEvent.TurnEnded.class, WAIT).entry();
            assertThat(second.generated()).matches("I heard \\d\\.\\d\\d seconds of audio\\.");
            assertThat(second.connectionLost()).isFalse();

            // 3. 1011 "Deadline expired" between turns, then one more utterance.
            emu.inject(new Fault.DeadlineExpired());
            events.await(AssistantEvent.Connection.class, c -> c.event() instanceof LiveEvent.Reconnected, WAIT);
            mic.pushPaced(Arrays.copyOfRange(all, 2 * third, all.length));
            mic.end();
            Transcript.Entry third3 = events.await(AssistantEvent.TurnEnded.class, WAIT).entry();
            assertThat(third3.generated()).matches("I heard \\d\\.\\d\\d seconds of audio\\.");
            events.awaitCount(AssistantEvent.InputEnded.class, 1, WAIT);

            assertThat(loop.resilientSession().reconnects()).isEqualTo(2);
            assertThat(loop.closedEvent()).isNull();
            assertThat(loop.metrics().connectionLostTurns()).isEqualTo(1);
            assertThat(events.all(AssistantEvent.Connection.class)).extracting(c -> c.event().getClass().getSimpleName())
                    .containsSubsequence("Reconnecting", "Reconnected", "Reconnecting", "Reconnected");
            assertThat(loop.transcript().render()).contains("[cut off: connection lost]");
            // The uplink: nothing sent twice, nothing foreign; what a drop swallowed in flight is counted.
            List<ReceivedMessage> wire = receivedUntil(w -> w.stream().filter(m -> m.message() instanceof RealtimeInput r
                    && Boolean.TRUE.equals(r.audioStreamEnd())).count() >= 3);
            UplinkCheck check = UplinkCheck.of(Pcm16.toBytes(all), wire);
            Report.line("voice loop over a 1006 drop mid-answer and a 1011 between turns: %d audio bytes over %d "
                    + "connections; lost in flight %d, duplicated %d, foreign %d", check.audioBytes(), check.connections(),
                    check.lostBytes(), check.duplicatedBytes(), check.mismatchedBytes());
            assertThat(check.duplicatedBytes()).isZero();
            assertThat(check.mismatchedBytes()).isZero();
            assertThat(check.connections()).isEqualTo(3);
        }
    }

    @Test
    void theLocalVadArmsTheNoReplyWatchdogAndStallsAreReported() throws Exception {
        Recorder events = new Recorder();
        PushSource mic = new PushSource();
        ResiliencePolicy policy = ResiliencePolicy.create(p -> p.proactiveHandoverAfter(null)
                .replyTimeout(Duration.ofSeconds(1)));
        // No audioStreamEnd (the stream never pauses): only the local VAD can tell the session the user is done.
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session()).microphone(mic)
                .speaker(new DeviceModelSink()).vadMode(VadMode.ASSIST).duplex(DuplexMode.HEADPHONES)
                .streamEndAfterSilence(null).resilience(policy).observer(events))) {
            emu.inject(new Fault.Stall(Duration.ofSeconds(6)));
            mic.pushPaced(script(17, 1, 300, 1_500));
            events.await(AssistantEvent.UserSpeechStopped.class, WAIT);
            LiveEvent.Stalled stalled = (LiveEvent.Stalled) events.await(AssistantEvent.Connection.class,
                    c -> c.event() instanceof LiveEvent.Stalled, WAIT).event();
            assertThat(stalled.kind()).isEqualTo(LiveEvent.StallKind.NO_REPLY);
            assertThat(stalled.duration()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            // The stall ends; the answer comes after all.
            Transcript.Entry answer = events.await(AssistantEvent.TurnEnded.class, WAIT).entry();
            assertThat(answer.generated()).matches("I heard \\d\\.\\d\\d seconds of audio\\.");
        }
    }

    @Test
    void aFinalFailureEndsTheLoopWithOneClosedEvent() throws Exception {
        Recorder events = new Recorder();
        ResiliencePolicy policy = ResiliencePolicy.create(p -> p.proactiveHandoverAfter(null).maxReconnectAttempts(2)
                .initialBackoff(Duration.ofMillis(10)).jitter(0));
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session())
                .speaker(new DeviceModelSink()).resilience(policy).observer(events))) {
            emu.close();   // the server is gone for good: every reconnect attempt fails
            AssistantEvent.Closed closed = events.await(AssistantEvent.Closed.class, WAIT);
            assertThat(closed.closed().error()).isNotNull();
            assertThat(closed.closed().error().kind()).isEqualTo(LiveException.Kind.UNAVAILABLE);
            assertThat(loop.awaitClosed(WAIT)).isEqualTo(closed.closed());
            assertThat(events.all(AssistantEvent.Connection.class))
                    .anyMatch(c -> c.event() instanceof LiveEvent.Reconnecting);
            assertThat(loop.sendText("anyone?")).isEqualTo(dev.habla.client.SendResult.CLOSED);
        }
        assertThat(events.all(AssistantEvent.Closed.class)).hasSize(1);
        assertThat(events.all().getLast()).isInstanceOf(AssistantEvent.Closed.class);
    }

    @Test
    void plainSessionOptsOut() throws Exception {
        Recorder events = new Recorder();
        try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(VoiceLoopTest.session())
                .speaker(new DeviceModelSink()).plainSession().observer(events))) {
            assertThat(loop.resilientSession()).isNull();
            assertThat(loop.session()).isNotInstanceOf(ResilientSession.class);
            emu.inject(new Fault.DropConnection());
            AssistantEvent.Closed closed = events.await(AssistantEvent.Closed.class, WAIT);
            assertThat(closed.closed().error()).isNotNull();
            assertThat(events.all(AssistantEvent.Connection.class)).isEmpty();
        }
    }
}
