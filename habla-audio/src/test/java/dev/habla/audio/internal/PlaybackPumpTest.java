package dev.habla.audio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.audio.AudioFormat;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PlaybackPumpTest {

    private static final AudioFormat F = AudioFormat.PCM_24K_MONO;   // 20 ms piece = 960 bytes
    private final FakeLine line = new FakeLine();
    private PlaybackPump pump;

    @AfterEach
    void tearDown() {
        line.unblock();
        if (pump != null) {
            pump.close();
        }
    }

    @Test
    void playsEverythingInOrderAndDrainWaitsForIt() throws Exception {
        pump = PlaybackPump.start(F, line, 1 << 20, "test-playback");
        byte[] a = filled(3000, 1);
        byte[] b = filled(500, 2);
        pump.write(a);
        pump.write(b);
        assertThat(pump.drain(Duration.ofSeconds(5))).isTrue();
        assertThat(line.played()).isEqualTo(concat(a, b));
        assertThat(line.drains).isEqualTo(1);
        assertThat(pump.playedBytes()).isEqualTo(3500);
        assertThat(pump.droppedBytes()).isZero();
    }

    @Test
    void writeNeverBlocksWhileTheDeviceIsStuck() throws Exception {
        line.block();   // the gate: every line.write blocks
        pump = PlaybackPump.start(F, line, 1 << 20, "test-playback");
        for (int i = 0; i < 100; i++) {
            pump.write(new byte[1000]);
        }
        assertThat(line.entered.poll(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(pump.queuedBytes()).isEqualTo(99_000);
        assertThat(pump.drain(Duration.ofMillis(1))).isFalse();
    }

    @Test
    void overBudgetDropsTheOldestQueuedAudio() throws Exception {
        line.block();
        pump = PlaybackPump.start(F, line, 1000, "test-playback");
        byte[] a = filled(400, 1);
        pump.write(a);
        assertThat(line.entered.poll(5, TimeUnit.SECONDS)).isNotNull();  // a is in the device, not the queue
        byte[] b = filled(400, 2);
        byte[] c = filled(400, 3);
        byte[] d = filled(400, 4);
        pump.write(b);
        pump.write(c);
        pump.write(d);          // 1200 > 1000: b goes
        assertThat(pump.droppedBytes()).isEqualTo(400);
        assertThat(pump.queuedBytes()).isEqualTo(800);
        line.unblock();
        assertThat(pump.drain(Duration.ofSeconds(5))).isTrue();
        assertThat(line.played()).isEqualTo(concat(a, c, d));
    }

    @Test
    void flushDropsQueuedAudioAndTheRestOfTheChunkBeingPlayed() throws Exception {
        line.block();
        pump = PlaybackPump.start(F, line, 1 << 20, "test-playback");
        pump.write(filled(4800, 1));                 // five pieces; the first blocks in the device
        assertThat(line.entered.poll(5, TimeUnit.SECONDS)).isNotNull();
        pump.write(filled(2000, 2));
        pump.flush();                                // discards the blocked piece (fake), the queue and the rest
        assertThat(pump.queuedBytes()).isZero();
        assertThat(line.flushes).isEqualTo(1);
        line.unblock();
        byte[] c = filled(100, 3);
        pump.write(c);
        assertThat(pump.drain(Duration.ofSeconds(5))).isTrue();
        assertThat(line.played()).isEqualTo(c);
    }

    @Test
    void closeIsIdempotentReleasesTheLineAndDropsLaterWrites() throws Exception {
        line.block();
        pump = PlaybackPump.start(F, line, 1 << 20, "test-playback");
        pump.write(new byte[960]);
        assertThat(line.entered.poll(5, TimeUnit.SECONDS)).isNotNull();
        pump.close();                                // must not hang on the blocked device write
        pump.close();
        assertThat(line.closes).isEqualTo(1);
        pump.write(new byte[10]);
        assertThat(pump.droppedBytes()).isEqualTo(10);
        pump.drain();                                // returns at once once closed
    }

    @Test
    void writeCopiesTheCallersBuffer() throws Exception {
        pump = PlaybackPump.start(F, line, 1 << 20, "test-playback");
        line.block();
        byte[] buf = filled(10, 7);
        pump.write(buf);
        Arrays.fill(buf, (byte) 0);
        line.unblock();
        assertThat(pump.drain(Duration.ofSeconds(5))).isTrue();
        assertThat(line.played()).isEqualTo(filled(10, 7));
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * A device whose writes block while its gate is closed; {@link #flush()} discards a blocked write, as
     * SourceDataLine.flush() discards buffered audio.
     */
    static final class FakeLine implements PcmLine {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final ByteArrayOutputStream played = new ByteArrayOutputStream();
        final BlockingQueue<Integer> entered = new LinkedBlockingQueue<>();
        private boolean gateOpen = true;
        private long flushGeneration;
        volatile int flushes;
        volatile int drains;
        volatile int closes;

        void unblock() {
            setGate(true);
        }

        void block() {
            setGate(false);
        }

        private void setGate(boolean value) {
            lock.lock();
            try {
                gateOpen = value;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        byte[] played() {
            lock.lock();
            try {
                return played.toByteArray();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void write(byte[] pcm, int offset, int length) {
            lock.lock();
            try {
                entered.add(length);
                long generation = flushGeneration;
                while (!gateOpen && generation == flushGeneration && closes == 0) {
                    changed.awaitUninterruptibly();
                }
                if (generation == flushGeneration && closes == 0) {
                    played.write(pcm, offset, length);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void flush() {
            lock.lock();
            try {
                flushes++;
                flushGeneration++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void drain() {
            drains++;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                closes++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
