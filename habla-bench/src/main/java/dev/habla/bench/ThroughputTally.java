package dev.habla.bench;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;

/**
 * Arrival accounting for {@link ClientThroughput}: what reached the other end, in which order, intact or not.
 *
 * <p>Every audio payload carries a header in its first 8 bytes: a big-endian int {@code producer << 24 | seq} and a
 * big-endian run id (so a straggler from an earlier run is never counted in a later one). Sequence numbers start at 0
 * per producer and increase by one per send call in that producer's thread.
 */
final class ThroughputTally {
    /** Header bytes at the start of every payload. */
    static final int HEADER = 8;
    /** After the connection closed, how long arrivals may still trickle in before a run is declared failed. */
    static final long CLOSED_GRACE_NANOS = 300_000_000L;

    private ThroughputTally() {}

    /** Writes the header into {@code pcm}. */
    static void stamp(byte[] pcm, int producer, int seq, int runId) {
        putInt(pcm, 0, producer << 24 | seq);
        putInt(pcm, 4, runId);
    }

    static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** What a waiter learns once a run is over. */
    record Outcome(boolean complete, long completedAtNanos, int arrived, long reorders, long duplicates, long corrupt) {}

    /**
     * Common part: a count, a completion time and a stall-aware wait. Written by one thread only (the emulator drain
     * thread, or the client's listener thread, both of which deliver one message at a time); {@code count} and
     * {@code completedAt} are volatile so the waiting thread can watch progress.
     */
    abstract static class Base {
        final int expected;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile int count;
        private volatile long completedAt;
        long reorders;
        long duplicates;
        long corrupt;

        Base(int expected) {
            this.expected = expected;
        }

        /** Call after a message was accounted for; the last one stamps the completion time. */
        final void arrived() {
            int c = count + 1; // single writer
            count = c;
            if (c == expected) {
                completedAt = System.nanoTime();
                done.countDown();
            }
            if (c >= wakeAt) {
                lock.lock();
                try {
                    reached.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        // Producers waiting for a burst to arrive (awaitAtLeast); arrived() signals once the count reaches wakeAt.
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition reached = lock.newCondition();
        private volatile int wakeAt = Integer.MAX_VALUE;

        /**
         * Waits until at least {@code n} messages arrived; false if nothing arrived for {@code stallNanos} or the
         * connection closed with fewer. Several producers may wait for the same {@code n}.
         */
        final boolean awaitAtLeast(int n, long stallNanos, ThroughputTargets.Watch watch) throws InterruptedException {
            int last = -1;
            long lastProgress = System.nanoTime();
            lock.lock();
            try {
                wakeAt = n;
                while (count < n) {
                    reached.await(20, TimeUnit.MILLISECONDS);
                    int c = count;
                    long now = System.nanoTime();
                    if (c != last) {
                        last = c;
                        lastProgress = now;
                    } else if (now - lastProgress > stallNanos || (watch.closed() && now - lastProgress > CLOSED_GRACE_NANOS)) {
                        return count >= n;
                    }
                }
                return true;
            } finally {
                lock.unlock();
            }
        }

        final int count() {
            return count;
        }

        /**
         * Waits until every expected message arrived, or until nothing arrived for {@code stallNanos} (a stuck or
         * dead connection; sooner once {@code watch} says the connection closed). The counters are read after the latch (or after the last observed progress), so they
         * are the writer's final values when complete and a best-effort snapshot otherwise.
         */
        final Outcome await(long stallNanos, ThroughputTargets.Watch watch) throws InterruptedException {
            int last = -1;
            long lastProgress = System.nanoTime();
            while (true) {
                if (done.await(50, TimeUnit.MILLISECONDS)) {
                    return new Outcome(true, completedAt, count, reorders, duplicates, corrupt);
                }
                int c = count;
                long now = System.nanoTime();
                if (c != last) {
                    last = c;
                    lastProgress = now;
                } else if (now - lastProgress > stallNanos || (watch.closed() && now - lastProgress > CLOSED_GRACE_NANOS)) {
                    return new Outcome(false, 0, c, reorders, duplicates, corrupt);
                }
            }
        }
    }

    /**
     * Send path: audio messages as the emulator decoded them, fed by the drain thread in arrival order. Checks
     * per-producer order, duplicates, and that the bytes after the header equal the template they were copied from.
     */
    static final class Send extends Base {
        private final int runId;
        private final int perProducer;
        private final byte[] template;
        private final int[] highest;
        private final BitSet seen;
        long strays;

        Send(int runId, int producers, int perProducer, byte[] template) {
            super(producers * perProducer);
            this.runId = runId;
            this.perProducer = perProducer;
            this.template = template;
            this.highest = new int[producers];
            Arrays.fill(highest, -1);
            this.seen = new BitSet(producers * perProducer);
        }

        /** Drain thread only. */
        void onAudio(byte[] pcm) {
            if (pcm == null || pcm.length < HEADER || getInt(pcm, 4) != runId) {
                strays++;
                return;
            }
            int h = getInt(pcm, 0);
            int producer = h >>> 24;
            int seq = h & 0xff_ffff;
            if (producer >= highest.length || seq >= perProducer) {
                corrupt++;
                return;
            }
            if (pcm.length != template.length || !Arrays.equals(pcm, HEADER, pcm.length, template, HEADER, template.length)) {
                corrupt++;
            }
            int index = producer * perProducer + seq;
            if (seen.get(index)) {
                duplicates++;
                return;
            }
            seen.set(index);
            // A reorder: this message arrived after one its producer sent later.
            if (seq < highest[producer]) {
                reorders++;
            } else {
                highest[producer] = seq;
            }
            arrived();
        }
    }

    /**
     * Decode path: PCM as the client handed it to the application, on the client's listener thread. A CRC32 over the
     * PCM in arrival order must equal the CRC32 of what the server sent, in sending order.
     */
    static final class Decode extends Base {
        private final CRC32 crc = new CRC32();
        private final long expectedCrc;
        private int highest = -1;
        private volatile long finalCrc;

        Decode(int expected, long expectedCrc) {
            super(expected);
            this.expectedCrc = expectedCrc;
        }

        /** Listener thread only. */
        void onPcm(byte[] pcm) {
            crc.update(pcm);
            int seq = pcm.length >= 4 ? getInt(pcm, 0) : -1;
            if (seq < highest) {
                reorders++;
            } else {
                highest = seq;
            }
            if (count() + 1 == expected) {
                finalCrc = crc.getValue();
            }
            arrived();
        }

        /** Only for a transport-level ceiling that does not decode: counts the frame. */
        void onFrame() {
            arrived();
        }

        boolean checksumOk() {
            return finalCrc == expectedCrc;
        }
    }
}
