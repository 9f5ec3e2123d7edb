package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ResponseModality;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One emulated hour of an audio conversation on a fake clock: a turn every 5 s (mostly text, every sixth one spoken),
 * 3-minute connections ending in goAway (so a handover every few minutes), compression on. Records heap after GC
 * every 5 emulated minutes and the wall-clock latency of every turn (end of the user's turn to the first audio of the
 * reply), prints both series and asserts they stay flat.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LongSessionTest extends ResilienceTestBase {
    static final Duration STEP = Duration.ofSeconds(5);
    static final Duration HOUR = Duration.ofHours(1);
    static final int TURNS = (int) (HOUR.toSeconds() / STEP.toSeconds());
    static final int TURNS_PER_SAMPLE = 60; // 5 emulated minutes
    static final Duration LIFETIME = Duration.ofMinutes(3);
    static final Duration GO_AWAY_LEAD = Duration.ofSeconds(10);

    @Test
    void oneEmulatedHourKeepsHeapAndLatencyFlat() throws Exception {
        // The emulator shares this JVM: keep its inspection buffers (recorded frames, closed-session snapshots that
        // copy the session's audio) from growing, so the heap series measures the client.
        fakeTime(b -> b.connectionLifetime(LIFETIME).goAwayLead(GO_AWAY_LEAD).maxRecordedMessages(0)
                .keepClosedSessions(1));
        SessionConfig audio = SessionConfig.create(b -> b.model(NATIVE_AUDIO).responseModality(ResponseModality.AUDIO));
        LeanListener events = new LeanListener();
        long[] latencyNanos = new long[TURNS];
        List<long[]> samples = new ArrayList<>(); // {minute, heapBytes, handovers}
        long wall0 = System.nanoTime();
        // One advance() moves 5 s at once while the reply's later audio bursts (due at +250 ms) are still in flight to
        // the client, so a 5-s mid-turn watchdog would see "5 s without data" that never happened in emulated time.
        // A timeout longer than a step keeps the watchdog on without that artefact (its behaviour has its own tests).
        ResiliencePolicy policy = policy(p -> p.midTurnStallTimeout(Duration.ofSeconds(20)));
        int handoversExpected = 0;
        try (ResilientSession s = client.connectResilient(audio, events, policy)) {
            assertThat(s.config().contextWindowCompression()).as("compression on by default for audio").isNotNull();
            // The emulator sends goAway LIFETIME - GO_AWAY_LEAD after a connection opened, on the fake clock. The test
            // knows when that is and, in the step that fires it, waits for the whole handover before moving time on:
            // a handover runs on wall time (connect, close), and advancing emulated time past the goAway's deadline
            // while the client is still switching would turn it into a reconnect that real time would never see.
            // (Checking for a HandoverStarted after the step instead misses a goAway sent after the turn's last frame.)
            // Every goAway falls on the end of a step, so each next connection opens exactly there.
            assertThat(LIFETIME.minus(GO_AWAY_LEAD).toNanos() % STEP.toNanos()).isZero();
            Instant nextGoAway = fake.now().plus(LIFETIME.minus(GO_AWAY_LEAD));
            for (int i = 0; i < TURNS; i++) {
                events.armFirstAudio();
                long sentAt;
                if (i % 6 == 5) {
                    sentAt = speak(s);           // server VAD ends the turn after 500 ms of silence
                } else {
                    sentAt = System.nanoTime();
                    s.sendText("turn " + i);
                }
                latencyNanos[i] = events.awaitFirstAudio(WAIT) - sentAt;
                int done = events.turnsCompleted();
                boolean goAwayDue = !nextGoAway.isAfter(fake.now().plus(STEP));
                fake.advance(STEP);              // the reply plays out; goAway may fire
                events.awaitTurnsCompleted(done + 1, WAIT);
                if (goAwayDue) {
                    handoversExpected++;
                    events.awaitHandoversCompleted(handoversExpected, WAIT);
                    // The next connection opened while the clock stood still: its goAway is due a lifetime from now.
                    nextGoAway = fake.now().plus(LIFETIME.minus(GO_AWAY_LEAD));
                }
                assertThat(events.handoversStarted()).as("handovers started after turn %d", i).isEqualTo(handoversExpected);
                if ((i + 1) % TURNS_PER_SAMPLE == 0) {
                    long serverAudio = emulator.sessions().getLast().receivedAudio().length;
                    samples.add(new long[] {(i + 1) * STEP.toSeconds() / 60, heapAfterGc(), s.handovers(), serverAudio});
                }
            }
            assertThat(s.reconnects()).isZero();
            assertThat(s.handovers()).isEqualTo(handoversExpected).isGreaterThanOrEqualTo(15);
            assertThat(s.transcript().size()).isLessThanOrEqualTo(ResiliencePolicy.DEFAULT_TRANSCRIPT_MAX_TURNS);
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        assertThat(events.awaitClosed(WAIT).error()).isNull();
        assertThat(events.stalls()).isZero();
        assertThat(events.reconnecting()).isZero();

        System.out.printf("one emulated hour: %d turns, %d handovers, %.1f s wall%n", TURNS, samples.getLast()[2], wall);
        // The emulator runs in this JVM and keeps every byte of user audio (plus one closed-session copy of it): the
        // last column is that, so heap growth can be told apart from the client's.
        System.out.println("minute  heapAfterGC(MB)  handovers  turn latency p50/p95 (ms, window)  emulator-held user audio (MB)");
        for (int k = 0; k < samples.size(); k++) {
            long[] w = Arrays.copyOfRange(latencyNanos, k * TURNS_PER_SAMPLE, (k + 1) * TURNS_PER_SAMPLE);
            Arrays.sort(w);
            System.out.printf("%6d  %15.1f  %9d  %6.2f / %6.2f  %28.1f%n", samples.get(k)[0], samples.get(k)[1] / 1048576.0,
                    samples.get(k)[2], HandoverSoakTest.pct(w, 0.5) / 1e6, HandoverSoakTest.pct(w, 0.95) / 1e6,
                    samples.get(k)[3] / 1048576.0);
        }
        double tokensPerMinute = registry.find(SessionMetrics.TOKENS).counters().stream().mapToDouble(c -> c.count()).sum() / 60;
        System.out.printf("tokens per emulated minute (prompt incl. re-billed context + response): %.0f%n", tokensPerMinute);

        int q = samples.size() / 4;
        double firstHeap = samples.subList(0, q).stream().mapToLong(x -> x[1]).average().orElseThrow();
        double lastHeap = samples.subList(samples.size() - q, samples.size()).stream().mapToLong(x -> x[1]).average().orElseThrow();
        System.out.printf("heap: first quarter %.1f MB, last quarter %.1f MB%n", firstHeap / 1048576, lastHeap / 1048576);
        assertThat(lastHeap).as("heap after GC, last quarter vs first").isLessThan(firstHeap * 1.5 + 16 * 1048576);

        long[] firstLat = Arrays.copyOfRange(latencyNanos, 0, TURNS / 4);
        long[] lastLat = Arrays.copyOfRange(latencyNanos, TURNS - TURNS / 4, TURNS);
        Arrays.sort(firstLat);
        Arrays.sort(lastLat);
        System.out.printf("turn latency: first quarter p50 %.2f ms p95 %.2f ms, last quarter p50 %.2f ms p95 %.2f ms%n",
                HandoverSoakTest.pct(firstLat, 0.5) / 1e6, HandoverSoakTest.pct(firstLat, 0.95) / 1e6,
                HandoverSoakTest.pct(lastLat, 0.5) / 1e6, HandoverSoakTest.pct(lastLat, 0.95) / 1e6);
        assertThat(HandoverSoakTest.pct(lastLat, 0.5)).as("median turn latency, last quarter (ns)")
                .isLessThan(HandoverSoakTest.pct(firstLat, 0.5) * 2 + 2_000_000);
    }

    /** Sends 300 ms of speech and 900 ms of silence in 100-ms chunks; returns when the last one was sent. */
    private static long speak(ResilientSession s) {
        int rate = 16_000;
        int speech = rate * 300 / 1000;
        int total = rate * 1200 / 1000;
        byte[] pcm = new byte[total * 2];
        for (int i = 0; i < speech; i++) {
            double t = i / (double) rate;
            int v = (int) (8000 * (Math.sin(2 * Math.PI * 150 * t) + 0.5 * Math.sin(2 * Math.PI * 300 * t)));
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        int chunk = rate / 10 * 2;
        long last = 0;
        for (int off = 0; off < pcm.length; off += chunk) {
            last = System.nanoTime();
            assertThat(s.sendAudio(Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + chunk)), rate))
                    .isEqualTo(SendResult.QUEUED);
        }
        return last;
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Counts what the test needs and keeps nothing else (a recording listener would itself grow the heap). */
    static final class LeanListener implements SessionListener {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private int turns;
        private int handoversStarted;
        private int handoversCompleted;
        private int stalls;
        private int reconnecting;
        private boolean armed;
        private long firstAudioAt;
        private LiveEvent.Closed closed;

        @Override
        public void onEvent(LiveEvent e) {
            lock.lock();
            try {
                switch (e) {
                    case LiveEvent.AudioChunk a -> {
                        if (armed) {
                            armed = false;
                            firstAudioAt = System.nanoTime();
                        }
                    }
                    case LiveEvent.TurnComplete t -> turns++;
                    case LiveEvent.HandoverStarted h -> handoversStarted++;
                    case LiveEvent.HandoverCompleted h -> handoversCompleted++;
                    case LiveEvent.Stalled st -> stalls++;
                    case LiveEvent.Reconnecting r -> reconnecting++;
                    case LiveEvent.Closed c -> closed = c;
                    default -> { }
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void armFirstAudio() {
            lock.lock();
            try {
                armed = true;
                firstAudioAt = 0;
            } finally {
                lock.unlock();
            }
        }

        long awaitFirstAudio(Duration timeout) throws InterruptedException {
            awaitTrue(() -> firstAudioAt != 0, timeout, "first audio of the reply");
            return firstAudioAt;
        }

        void awaitTurnsCompleted(int n, Duration timeout) throws InterruptedException {
            awaitTrue(() -> turns >= n, timeout, n + " turns completed");
        }

        void awaitHandoversCompleted(int n, Duration timeout) throws InterruptedException {
            awaitTrue(() -> handoversCompleted >= n, timeout, n + " handovers completed");
        }

        LiveEvent.Closed awaitClosed(Duration timeout) throws InterruptedException {
            awaitTrue(() -> closed != null, timeout, "Closed");
            return closed;
        }

        private void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, String what)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            lock.lock();
            try {
                while (!condition.getAsBoolean()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("timed out waiting for " + what);
                    }
                    changed.await(left, TimeUnit.NANOSECONDS);
                }
            } finally {
                lock.unlock();
            }
        }

        int turnsCompleted() {
            return get(() -> turns);
        }

        int handoversStarted() {
            return get(() -> handoversStarted);
        }

        int stalls() {
            return get(() -> stalls);
        }

        int reconnecting() {
            return get(() -> reconnecting);
        }

        private int get(java.util.function.IntSupplier s) {
            lock.lock();
            try {
                return s.getAsInt();
            } finally {
                lock.unlock();
            }
        }
    }
}
