package dev.habla.assistant;

import dev.habla.time.Scheduler;
import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSink;
import dev.habla.voice.Pcm16;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A sink that behaves like a sound device and timestamps everything: written audio is queued and plays in real time
 * on the clock from when it is written (or when the queue before it ends); {@link #flush()} drops what has not
 * played yet, at the moment it is called. From the record, tests compute when the last audible sample actually
 * played. With {@code honoursFlush = false} it models a device that keeps playing what it was given.
 */
class DeviceModelSink implements AudioSink {

    static final AudioFormat FORMAT = AudioFormat.PCM_24K_MONO;
    /** A sample louder than this (about -66 dBFS) is audible; the emulator's speech has exact zeros between words. */
    static final int AUDIBLE = 16;

    /** Audio handed to the device at {@code writtenAt}, playing from {@code start}; {@code length} after flushes. */
    static final class Segment {
        final long writtenAt;
        final long start;
        final short[] samples;
        int length;

        Segment(long writtenAt, long start, short[] samples) {
            this.writtenAt = writtenAt;
            this.start = start;
            this.samples = samples;
            this.length = samples.length;
        }

        long end() {
            return start + nanos(length);
        }
    }

    private final Scheduler clock;
    private final boolean honoursFlush;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition written = lock.newCondition();
    private final List<Segment> segments = new ArrayList<>();
    private final List<Long> flushes = new ArrayList<>();
    private long queueEnd = Long.MIN_VALUE;
    private boolean closed;

    DeviceModelSink(Scheduler clock, boolean honoursFlush) {
        this.clock = clock;
        this.honoursFlush = honoursFlush;
    }

    DeviceModelSink() {
        this(Scheduler.system(), true);
    }

    static long nanos(long samples) {
        return samples * 1_000_000_000L / FORMAT.sampleRate();
    }

    @Override
    public AudioFormat format() {
        return FORMAT;
    }

    @Override
    public void write(byte[] pcm) {
        short[] s = Pcm16.toShorts(pcm);
        lock.lock();
        try {
            long now = clock.nanoTime();
            long start = Math.max(now, queueEnd);
            Segment seg = new Segment(now, start, s);
            segments.add(seg);
            queueEnd = seg.end();
            written.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() {
        lock.lock();
        try {
            long now = clock.nanoTime();
            flushes.add(now);
            if (!honoursFlush) {
                return;
            }
            for (Segment seg : segments) {
                if (seg.end() > now) {
                    long keep = Math.max(0, (now - seg.start) * FORMAT.sampleRate() / 1_000_000_000L);
                    seg.length = (int) Math.min(seg.length, keep);
                }
            }
            queueEnd = Math.min(queueEnd, now);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void drain() {
    }

    @Override
    public boolean drain(Duration timeout) {
        return true;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            written.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean closed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The play time at which the last audible sample that played before {@code horizon} ended, or
     * {@code Long.MIN_VALUE} if none.
     */
    long lastAudibleEndBefore(long horizon) {
        lock.lock();
        try {
            long last = Long.MIN_VALUE;
            for (Segment seg : segments) {
                if (seg.start >= horizon) {
                    continue;
                }
                for (int i = seg.length - 1; i >= 0; i--) {
                    long t = seg.start + nanos(i);
                    if (t >= horizon) {
                        continue;
                    }
                    if (Math.abs(seg.samples[i]) > AUDIBLE) {
                        last = Math.max(last, seg.start + nanos(i + 1));
                        break;
                    }
                }
            }
            return last;
        } finally {
            lock.unlock();
        }
    }

    /** The first flush at or after {@code t}, or -1. */
    long flushAtOrAfter(long t) {
        lock.lock();
        try {
            return flushes.stream().filter(f -> f >= t).findFirst().orElse(-1L);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fills {@code dst} with what played from clock time {@code t0} on, one sample per 1/24000 s (silence where
     * nothing played). Only times before the clock's now are final: a later flush can still cut the future.
     */
    void fillPlayed(long t0, short[] dst) {
        java.util.Arrays.fill(dst, (short) 0);
        long t1 = t0 + nanos(dst.length);
        lock.lock();
        try {
            for (Segment seg : segments) {
                if (seg.end() <= t0 || seg.start >= t1) {
                    continue;
                }
                long offset = Math.round((seg.start - t0) * (double) FORMAT.sampleRate() / 1e9);
                for (int i = 0; i < seg.length; i++) {
                    long at = offset + i;
                    if (at >= 0 && at < dst.length) {
                        dst[(int) at] = seg.samples[i];
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until everything written after {@code since} has played, and then {@code extra} more (clock time);
     * false on timeout (real time).
     */
    boolean awaitPlayedOut(long since, Duration extra, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (true) {
                long end = Long.MIN_VALUE;
                for (Segment seg : segments) {
                    if (seg.writtenAt > since) {
                        end = Math.max(end, seg.end());
                    }
                }
                long now = clock.nanoTime();
                long left = deadline - System.nanoTime();
                if (end != Long.MIN_VALUE && now >= end + extra.toNanos()) {
                    return true;
                }
                if (left <= 0) {
                    return false;
                }
                long wait = end == Long.MIN_VALUE ? left : Math.min(left, clock.toRealNanos(end + extra.toNanos() - now));
                written.await(Math.max(1, wait), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** When the first segment written after {@code t} starts playing, or Long.MAX_VALUE. */
    long nextStartAfter(long t) {
        lock.lock();
        try {
            return segments.stream().filter(s -> s.writtenAt > t).mapToLong(s -> s.start).min().orElse(Long.MAX_VALUE);
        } finally {
            lock.unlock();
        }
    }

    /** Samples written after {@code t} (clock time). */
    long samplesWrittenAfter(long t) {
        lock.lock();
        try {
            return segments.stream().filter(s -> s.writtenAt > t).mapToLong(s -> s.samples.length).sum();
        } finally {
            lock.unlock();
        }
    }

    /** Everything that played (after flushes), in play order. */
    short[] played() {
        lock.lock();
        try {
            int n = segments.stream().mapToInt(s -> s.length).sum();
            short[] out = new short[n];
            int at = 0;
            for (Segment seg : segments) {
                System.arraycopy(seg.samples, 0, out, at, seg.length);
                at += seg.length;
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until audible audio written after {@code since} has been playing for {@code played} (device time), and
     * returns the time its first audible sample started; -1 on timeout (real time).
     */
    long awaitPlaying(long since, Duration played, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (true) {
                long start = firstAudibleAfterLocked(since);
                long now = clock.nanoTime();
                long left = deadline - System.nanoTime();
                if (start != Long.MIN_VALUE && now >= start + played.toNanos()) {
                    return start;
                }
                if (left <= 0) {
                    return -1;
                }
                long wait = start == Long.MIN_VALUE ? left : Math.min(left, clock.toRealNanos(start + played.toNanos() - now));
                written.await(Math.max(1, wait), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * When the first audible sample written after {@code since} starts (or started) playing, or
     * {@code Long.MIN_VALUE} if none has been written yet.
     */
    long firstAudibleAfter(long since) {
        lock.lock();
        try {
            return firstAudibleAfterLocked(since);
        } finally {
            lock.unlock();
        }
    }

    private long firstAudibleAfterLocked(long since) {
        for (Segment seg : segments) {
            if (seg.writtenAt <= since) {
                continue;
            }
            for (int i = 0; i < seg.length; i++) {
                if (Math.abs(seg.samples[i]) > AUDIBLE) {
                    return seg.start + nanos(i);
                }
            }
        }
        return Long.MIN_VALUE;
    }
}
