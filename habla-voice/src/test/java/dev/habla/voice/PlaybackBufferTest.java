package dev.habla.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.audio.AudioFormat;
import dev.habla.voice.PlaybackBuffer.OfferResult;
import dev.habla.voice.PlaybackBuffer.OverflowPolicy;
import dev.habla.voice.PlaybackBuffer.State;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PlaybackBufferTest {

    static final AudioFormat FORMAT = AudioFormat.PCM_24K_MONO;
    /** Bytes of 1 ms at 24 kHz mono. */
    static final int MS = 48;

    /** A hand-driven clock for the pre-buffer timeout. */
    static final class FakeClock implements InstantSource {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    /** {@code ms} of audio whose every byte is {@code marker}, to see which chunk a read came from. */
    static byte[] audio(int ms, int marker) {
        byte[] b = new byte[ms * MS];
        java.util.Arrays.fill(b, (byte) marker);
        return b;
    }

    /** Network model: 40 ms chunks sent 1.25x faster than real time; TCP-like in-order delivery with stalls. */
    record Delivery(long atMs, byte[] pcm) {
    }

    static List<Delivery> burstyTurn(long seed, int chunks) {
        Random r = new Random(seed);
        List<Delivery> out = new ArrayList<>();
        double last = 0;
        for (int k = 0; k < chunks; k++) {
            double sent = k * 40 / 1.25;
            double jitter = r.nextDouble() < 0.1 ? 100 + 80 * r.nextDouble() : 5 * r.nextDouble();
            last = Math.max(last, sent + jitter);   // a stall holds back everything behind it, then it all arrives
            out.add(new Delivery((long) last, audio(40, k)));
        }
        return out;
    }

    /** Simulated time, 1 ms steps: deliveries as scheduled, the device pulls 20 ms every 20 ms. */
    record Run(PlaybackBuffer.Stats stats, long firstAudioAtMs, long endedAtMs) {
    }

    static Run simulate(List<Delivery> turn, Duration preBuffer, FakeClock clock) {
        PlaybackBuffer buffer = PlaybackBuffer.create(FORMAT, c -> c.preBuffer(preBuffer).clock(clock)
                .maxPreBufferWait(Duration.ofSeconds(5)));
        byte[] device = new byte[20 * MS];
        int next = 0;
        long firstAudio = -1;
        long ended = -1;
        for (long t = 0; t < 20_000 && ended < 0; t++) {
            while (next < turn.size() && turn.get(next).atMs() <= t) {
                assertThat(buffer.offer(turn.get(next).pcm(), 1)).isEqualTo(OfferResult.ACCEPTED);
                next++;
                if (next == turn.size()) {
                    buffer.endOfTurn(1);
                }
            }
            if (t % 20 == 0) {
                int n = buffer.readOrSilence(device);
                if (n > 0 && firstAudio < 0) {
                    firstAudio = t;
                }
                if (next == turn.size() && buffer.state() == State.IDLE) {
                    ended = t;
                }
            }
            clock.advance(Duration.ofMillis(1));
        }
        return new Run(buffer.stats(), firstAudio, ended);
    }

    @Test
    void preBufferSmoothsABurstyNetworkIntoGaplessPlayback() {
        List<Delivery> turn = burstyTurn(42, 200);   // 8 s of audio
        Run raw = simulate(turn, Duration.ZERO, new FakeClock());
        Run smoothed = simulate(turn, Duration.ofMillis(200), new FakeClock());
        System.out.printf("PlaybackBuffer, 8 s turn over a stalling network: no pre-buffer -> %d underruns (first audio"
                + " at %d ms); 200 ms pre-buffer -> %d underruns (first audio at %d ms)%n", raw.stats().underruns(),
                raw.firstAudioAtMs(), smoothed.stats().underruns(), smoothed.firstAudioAtMs());
        assertThat(raw.stats().underruns()).as("playing chunks as they come stutters").isGreaterThan(0);
        assertThat(smoothed.stats().underruns()).as("underruns after the pre-buffer").isZero();
        assertThat(smoothed.stats().playedBytes()).isEqualTo(200L * 40 * MS);
        assertThat(smoothed.stats().receivedBytes()).isEqualTo(smoothed.stats().playedBytes());
        assertThat(smoothed.endedAtMs()).isPositive();
    }

    @Test
    void flushDiscardsEverythingAtOnceAndDropsLateChunksOfTheOldTurn() {
        PlaybackBuffer buffer = PlaybackBuffer.create(FORMAT, c -> c.preBuffer(Duration.ofMillis(100)));
        for (int i = 0; i < 50; i++) {
            assertThat(buffer.offer(audio(40, 1), 1)).isEqualTo(OfferResult.ACCEPTED);   // 2 s
        }
        byte[] device = new byte[20 * MS];
        for (int i = 0; i < 15; i++) {
            assertThat(buffer.read(device, 0, device.length)).isEqualTo(device.length);   // 300 ms played
        }
        assertThat(buffer.isPlaying()).isTrue();
        long discarded = buffer.flush(2);
        assertThat(discarded).isEqualTo(1700L * MS);
        assertThat(buffer.queuedBytes()).isZero();
        assertThat(buffer.state()).isEqualTo(State.IDLE);
        assertThat(buffer.read(device, 0, device.length)).isZero();
        assertThat(buffer.epoch()).isEqualTo(2);

        // What the user heard of turn 1: exactly the 300 ms read before the flush.
        PlaybackCursor heard = buffer.cursor(1);
        assertThat(heard.played()).isEqualTo(Duration.ofMillis(300));
        assertThat(heard.received()).isEqualTo(Duration.ofMillis(2000));
        assertThat(heard.discardedBytes()).isEqualTo(1700L * MS);
        assertThat(heard.playedFraction()).isEqualTo(0.15);
        assertThat(heard.heard(Duration.ofMillis(80))).isEqualTo(Duration.ofMillis(220));

        // Chunks of the interrupted turn still in flight are dropped; the new turn plays.
        assertThat(buffer.offer(audio(40, 1), 1)).isEqualTo(OfferResult.STALE_EPOCH);
        assertThat(buffer.queuedBytes()).isZero();
        assertThat(buffer.offer(audio(120, 2), 2)).isEqualTo(OfferResult.ACCEPTED);
        assertThat(buffer.read(device, 0, device.length)).isEqualTo(device.length);
        assertThat(device[0]).isEqualTo((byte) 2);
        assertThat(buffer.cursor().epoch()).isEqualTo(2);
        assertThat(buffer.cursor().played()).isEqualTo(Duration.ofMillis(20));
        PlaybackBuffer.Stats s = buffer.stats();
        assertThat(s.staleBytes()).isEqualTo(40L * MS);
        assertThat(s.flushedBytes()).isEqualTo(1700L * MS);
        assertThat(s.underruns()).isZero();
    }

    @Test
    void aNewerEpochWithoutFlushQueuesBehindTheOldOne() {
        PlaybackBuffer buffer = PlaybackBuffer.create(FORMAT, c -> c.preBuffer(Duration.ZERO));
        buffer.offer(audio(20, 1), 1);
        buffer.offer(audio(20, 2), 2);
        assertThat(buffer.offer(audio(20, 1), 1)).isEqualTo(OfferResult.STALE_EPOCH);
        byte[] d = new byte[40 * MS];
        assertThat(buffer.read(d, 0, d.length)).isEqualTo(d.length);
        assertThat(d[0]).isEqualTo((byte) 1);
        assertThat(d[d.length - 1]).isEqualTo((byte) 2);
        assertThat(buffer.cursor(1).playedBytes()).isEqualTo(20L * MS);
        assertThat(buffer.cursor(2).playedBytes()).isEqualTo(20L * MS);
        assertThat(buffer.cursor(99).receivedBytes()).isZero();
    }

    @Test
    void underrunsAreCountedAndPlaybackRebuffersBeforeResuming() {
        PlaybackBuffer buffer = PlaybackBuffer.create(FORMAT, c -> c.preBuffer(Duration.ofMillis(40)));
        byte[] d = new byte[20 * MS];
        buffer.offer(audio(20, 1), 1);
        assertThat(buffer.read(d, 0, d.length)).as("below the pre-buffer").isZero();
        assertThat(buffer.state()).isEqualTo(State.BUFFERING);
        buffer.offer(audio(40, 1), 1);
        assertThat(buffer.read(d, 0, d.length)).isEqualTo(d.length);
        assertThat(buffer.read(d, 0, d.length)).isEqualTo(d.length);
        assertThat(buffer.read(d, 0, d.length)).isEqualTo(d.length);
        assertThat(buffer.read(d, 0, d.length)).as("ran dry mid-turn").isZero();
        assertThat(buffer.stats().underruns()).isEqualTo(1);
        assertThat(buffer.state()).isEqualTo(State.BUFFERING);
        buffer.offer(audio(20, 1), 1);
        assertThat(buffer.read(d, 0, d.length)).as("re-buffering to 40 ms first").isZero();
        buffer.offer(audio(20, 1), 1);
        assertThat(buffer.read(d, 0, d.length)).isEqualTo(d.length);
        assertThat(buffer.stats().underruns()).isEqualTo(1);
    }

    @Test
    void endOfTurnPlaysAShortTailAndEndsWithoutAnUnderrun() {
        PlaybackBuffer buffer = PlaybackBuffer.create(FORMAT);
        buffer.offer(audio(50, 7), 3);
        byte[] d = new byte[20 * MS];
        assertThat(buffer.read(d, 0, d.length)).isZero();
        buffer.endOfTurn(3);
        assertThat(buffer.read(d, 0, d.length)).isEqualTo(d.length);
        assertThat(buffer.read(d, 0, d.length)).isEqualTo(d.length);
        assertThat(buffer.readOrSilence(d)).isEqualTo(10 * MS);
        assertThat(d[10 * MS - 1]).isEqualTo((byte) 7);
        assertThat(d[10 * MS]).isZero();
        assertThat(buffer.state()).isEqualTo(State.IDLE);
        assertThat(buffer.stats().underruns()).isZero();
        assertThat(buffer.cursor(3).complete()).isTrue();
        buffer.endOfTurn(1);   // stale: ignored
        assertThat(buffer.epoch()).isEqualTo(3);
    }

    @Test
    void maxPreBufferWaitStartsPlaybackOnTheClock() {
        FakeClock clock = new FakeClock();
        PlaybackBuffer buffer = PlaybackBuffer.create(FORMAT, c -> c.clock(clock));
        buffer.offer(audio(60, 1), 1);
        byte[] d = new byte[20 * MS];
        assertThat(buffer.read(d, 0, d.length)).isZero();
        clock.advance(PlaybackBuffer.DEFAULT_MAX_PRE_BUFFER_WAIT.minusMillis(1));
        assertThat(buffer.read(d, 0, d.length)).isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(buffer.read(d, 0, d.length)).isEqualTo(d.length);
    }

    @Test
    void overflowPolicies() {
        PlaybackBuffer keep = PlaybackBuffer.create(FORMAT, c -> c.capacity(Duration.ofMillis(100))
                .preBuffer(Duration.ZERO));
        assertThat(keep.offer(audio(60, 1), 1)).isEqualTo(OfferResult.ACCEPTED);
        assertThat(keep.offer(audio(60, 2), 1)).isEqualTo(OfferResult.OVERFLOW);
        assertThat(keep.queued()).isEqualTo(Duration.ofMillis(60));
        assertThat(keep.stats().overflowBytes()).isEqualTo(60L * MS);

        PlaybackBuffer fresh = PlaybackBuffer.create(FORMAT, c -> c.capacity(Duration.ofMillis(100))
                .preBuffer(Duration.ZERO).overflow(OverflowPolicy.DROP_OLDEST));
        fresh.offer(audio(60, 1), 1);
        assertThat(fresh.offer(audio(60, 2), 1)).isEqualTo(OfferResult.ACCEPTED_DROPPED_OLDEST);
        assertThat(fresh.queued()).isEqualTo(Duration.ofMillis(100));
        byte[] d = new byte[100 * MS];
        assertThat(fresh.read(d, 0, d.length)).isEqualTo(d.length);
        assertThat(d[0]).isEqualTo((byte) 1);   // the last 40 ms of the first chunk survived
        assertThat(d[40 * MS]).isEqualTo((byte) 2);
        assertThat(fresh.offer(audio(150, 3), 1)).isEqualTo(OfferResult.ACCEPTED_DROPPED_OLDEST);
        assertThat(fresh.queued()).isEqualTo(Duration.ofMillis(100));
        assertThat(fresh.cursor(1).discardedBytes()).isEqualTo(20L * MS + 50L * MS);
    }

    @Test
    void blockingReadWaitsForAudioAndCloseWakesIt() throws Exception {
        PlaybackBuffer buffer = PlaybackBuffer.create(FORMAT, c -> c.preBuffer(Duration.ofMillis(40)));
        AtomicInteger got = new AtomicInteger(-1);
        CountDownLatch waiting = new CountDownLatch(1);
        Thread consumer = Thread.ofVirtual().name("habla-test-playback").start(() -> {
            try {
                waiting.countDown();
                got.set(buffer.read(new byte[20 * MS], 0, 20 * MS, Duration.ofSeconds(10)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
        buffer.offer(audio(20, 1), 1);
        buffer.offer(audio(20, 1), 1);
        consumer.join(Duration.ofSeconds(5));
        assertThat(got.get()).isEqualTo(20 * MS);

        byte[] rest = new byte[20 * MS];
        assertThat(buffer.read(rest, 0, rest.length, Duration.ZERO)).isEqualTo(20 * MS);
        assertThat(buffer.queuedBytes()).isZero();
        AtomicInteger afterClose = new AtomicInteger(-1);
        Thread blocked = Thread.ofVirtual().start(() -> {
            try {
                afterClose.set(buffer.read(new byte[20 * MS], 0, 20 * MS, Duration.ofSeconds(30)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // Until the reader is parked inside read(); bounded by the class timeout.
        while (blocked.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
        buffer.close();
        blocked.join(Duration.ofSeconds(5));
        assertThat(blocked.isAlive()).as("close() wakes a blocked reader").isFalse();
        assertThat(afterClose.get()).isZero();
        assertThat(buffer.state()).isEqualTo(State.CLOSED);
        assertThat(buffer.offer(audio(20, 1), 2)).isEqualTo(OfferResult.CLOSED);
        assertThat(buffer.read(new byte[MS], 0, MS, Duration.ofMillis(10))).isZero();
        buffer.close();
        assertThat(buffer.read(new byte[MS], 0, MS, Duration.ZERO)).isZero();
    }

    @Test
    void producerConsumerAndFlushesFromAThirdThreadConserveEveryByte() throws Exception {
        PlaybackBuffer buffer = PlaybackBuffer.create(FORMAT, c -> c.preBuffer(Duration.ofMillis(60)));
        AtomicLong epoch = new AtomicLong(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch produced = new CountDownLatch(1);
        Thread producer = Thread.ofVirtual().name("habla-test-reader").start(() -> {
            Random r = new Random(1);
            for (int i = 0; i < 2000; i++) {
                long e = epoch.get();
                OfferResult result = buffer.offer(audio(1 + r.nextInt(30), (int) e), e);
                if (result == OfferResult.OVERFLOW || result == OfferResult.CLOSED) {
                    failure.set(new AssertionError("unexpected " + result));
                }
                if (i % 100 == 99) {
                    buffer.endOfTurn(e);
                }
            }
            buffer.endOfTurn(epoch.get());
            produced.countDown();
        });
        Thread flusher = Thread.ofVirtual().name("habla-test-bargein").start(() -> {
            for (int i = 0; i < 20; i++) {
                buffer.flush(epoch.incrementAndGet());
                Thread.yield();
            }
        });
        AtomicLong read = new AtomicLong();
        Thread consumer = Thread.ofVirtual().name("habla-test-playback").start(() -> {
            byte[] d = new byte[10 * MS];
            try {
                while (true) {
                    int n = buffer.read(d, 0, d.length, Duration.ofMillis(20));
                    read.addAndGet(n);
                    if (n == 0 && produced.getCount() == 0 && buffer.queuedBytes() == 0) {
                        return;
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        producer.join(Duration.ofSeconds(20));
        flusher.join(Duration.ofSeconds(20));
        consumer.join(Duration.ofSeconds(20));
        assertThat(failure.get()).isNull();
        assertThat(consumer.isAlive()).isFalse();
        PlaybackBuffer.Stats s = buffer.stats();
        assertThat(s.playedBytes()).isEqualTo(read.get());
        assertThat(s.receivedBytes()).isEqualTo(s.playedBytes() + s.flushedBytes() + s.queuedBytes());
        assertThat(s.queuedBytes()).isZero();
    }

    @Test
    void validation() {
        PlaybackBuffer buffer = PlaybackBuffer.create(FORMAT);
        assertThatThrownBy(() -> buffer.offer(new byte[3], 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole 2-byte frames");
        assertThat(buffer.offer(new byte[0], 5)).isEqualTo(OfferResult.ACCEPTED);
        assertThat(buffer.epoch()).isEqualTo(5);
        assertThat(buffer.read(new byte[3], 0, 3)).isZero();
        assertThatThrownBy(() -> PlaybackBuffer.create(FORMAT, c -> c.capacity(Duration.ofMillis(10))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
        assertThat(buffer.toString()).contains("IDLE").contains("epoch 5");
    }
}
