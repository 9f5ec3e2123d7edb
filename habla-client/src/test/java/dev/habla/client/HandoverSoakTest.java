package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.EmulatorSession;
import dev.habla.testing.FakeClock;
import dev.habla.emulator.LiveEmulator;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 100 goAway handovers in one conversation while a pump streams speech-like audio without pause: the emulator's
 * connection lifetime runs on a {@link FakeClock} the test advances (each advance makes the current connection send
 * goAway), the client runs on real time so the handover gap is real. At the end the logical session must have
 * received every audio byte exactly once, in order, and its history must list every text turn.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HandoverSoakTest {
    static final String KEY = "test-key";
    static final Duration LIFETIME = Duration.ofMinutes(10);
    static final Duration LEAD = Duration.ofSeconds(30);
    static final int HANDOVERS = 100;

    // A standby whose connect stalls on a loaded machine is retried after 3 s instead of 10.
    @RegisterExtension
    final EmulatorExtension extension = EmulatorExtension.create(x -> x.fakeClock()
            .emulator(b -> b.apiKey(KEY).connectionLifetime(LIFETIME).goAwayLead(LEAD).maxRecordedMessages(0))
            .client(emu -> LiveClient.create(b -> b.apiKey(KEY).baseUrl(emu.baseUrl())
                    .connectTimeout(Duration.ofSeconds(3)))));

    @Test
    void hundredGoAwayHandoversLoseAndDuplicateNothing(LiveClient client, LiveEmulator emulator, FakeClock clock) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ResiliencePolicy policy = ResiliencePolicy.create(p -> p.meterRegistry(registry).proactiveHandoverAfter(null));
        RecordingListener rec = new RecordingListener();
        List<String> textTurns = new ArrayList<>();
        List<Long> gaps = new ArrayList<>();
        long t0 = System.nanoTime();
        // Mic audio for ~950 emulated minutes: without compression the service (and the emulator) ends an audio
        // session after 15 minutes of session time. The policy adds it by default; it is explicit here because the
        // soak depends on it.
        SessionConfig config = EmulatorTest.text().with(b -> b.contextWindowCompression());
        try (ResilientSession s = client.connectResilient(config, rec, policy);
                SpeechPump pump = new SpeechPump(s, 42, 10, 1_000, 1_400).start()) {
            for (int i = 1; i <= HANDOVERS; i++) {
                clock.advance(LIFETIME.minus(LEAD)); // the current connection announces its end
                if (i % 5 == 0) {
                    String turn = "turn " + i;     // lands on the old connection or in the switch buffer
                    textTurns.add(turn);
                    assertThat(s.sendText(turn)).isEqualTo(SendResult.QUEUED);
                }
                int n = i;
                LiveEvent.HandoverCompleted done = rec.await(LiveEvent.HandoverCompleted.class,
                        h -> h.connection() == n + 1, Duration.ofSeconds(20));
                gaps.add(done.gap().toNanos());
            }
            pump.close();
            awaitDrained(s);
            s.sendText("history");
            rec.await(LiveEvent.TextDelta.class, t -> t.text().startsWith("History:"), Duration.ofSeconds(10));
            rec.await(LiveEvent.TurnComplete.class, Duration.ofSeconds(10));

            assertThat(pump.refused()).as("sends refused").isZero();
            EmulatorSession last = emulator.sessions().getLast();
            byte[] sent = pump.sent();
            AudioCheck check = AudioCheck.compare(sent, pump.chunks(), last.receivedAudio());
            double wall = (System.nanoTime() - t0) / 1e9;

            long[] sorted = gaps.stream().mapToLong(Long::longValue).sorted().toArray();
            Timer gapTimer = registry.get(SessionMetrics.HANDOVER_GAP).timer();
            System.out.printf("handover soak: %d handovers, %d connections, %.1f s of audio (%d bytes, %d chunks) in %.1f s wall%n",
                    s.handovers(), s.connectionCount(), pump.seconds(), sent.length, pump.chunks().size(), wall);
            System.out.printf("handover gap (events): p50 %.2f ms, p95 %.2f ms, max %.2f ms%n",
                    pct(sorted, 0.50) / 1e6, pct(sorted, 0.95) / 1e6, sorted[sorted.length - 1] / 1e6);
            for (ValueAtPercentile v : gapTimer.takeSnapshot().percentileValues()) {
                System.out.printf("handover gap (micrometer %s): p%.0f %.2f ms%n", SessionMetrics.HANDOVER_GAP,
                        v.percentile() * 100, v.value(TimeUnit.MILLISECONDS));
            }
            System.out.printf("audio: sent %d, received %d, lost %d, duplicated %d, stray %d, first mismatch %d%n",
                    check.sentBytes(), check.receivedBytes(), check.lostBytes(), check.duplicatedBytes(), check.strayBytes(),
                    check.firstMismatch());

            assertThat(check.lostBytes()).as("lost bytes").isZero();
            assertThat(check.duplicatedBytes()).as("duplicated bytes").isZero();
            assertThat(check.strayBytes()).as("stray bytes").isZero();
            assertThat(check.exact()).as("byte for byte").isTrue();
            assertThat(s.handovers()).isEqualTo(HANDOVERS);
            assertThat(s.reconnects()).isZero();
            assertThat(gapTimer.count()).isEqualTo(HANDOVERS);
            assertThat(pct(sorted, 0.95)).as("gap p95 (ns)").isLessThan(Duration.ofMillis(500).toNanos());

            String history = historyReply(rec);
            List<String> textsInHistory = Arrays.stream(history.substring("History: ".length()).split(" \\| "))
                    .map(e -> e.replaceFirst("^\\d+\\. ", ""))
                    .filter(e -> !e.startsWith("[speech"))
                    .toList();
            assertThat(textsInHistory).as("text turns in the server's history").containsExactlyElementsOf(textTurns);
            assertThat(history).contains("[speech");
        }
        LiveEvent.Closed closed = rec.awaitClosed(Duration.ofSeconds(10));
        assertThat(closed.error()).isNull();
        rec.assertTerminatedOnce();
        assertThat(rec.all(LiveEvent.SetupCompleted.class)).hasSize(1);
        assertThat(rec.all(LiveEvent.GoingAway.class)).isEmpty();
        assertThat(rec.all(LiveEvent.ResumptionUpdate.class)).isEmpty();
        assertThat(rec.all(LiveEvent.Reconnecting.class)).isEmpty();
        assertThat(rec.threads()).allMatch(n -> n.matches("habla-r\\d+-events"));
    }

    static void awaitDrained(LiveSession s) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s.queuedBytes() > 0) {
            assertThat(System.nanoTime()).as("queue drained in time").isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    static String historyReply(RecordingListener rec) {
        String all = rec.text();
        return all.substring(all.lastIndexOf("History:"));
    }

    static long pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
