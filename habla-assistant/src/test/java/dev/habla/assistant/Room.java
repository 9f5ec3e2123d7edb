package dev.habla.assistant;

import dev.habla.time.Scheduler;
import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSource;
import dev.habla.audio.PcmChunk;
import dev.habla.voice.Pcm16;
import dev.habla.voice.Resampler;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A simulated room: a microphone ({@link AudioSource}, 16 kHz, paced on the clock) that hears what the
 * {@link DeviceModelSink} speaker actually played, when it played it, attenuated and delayed, with two early
 * reflections and background noise, plus (optionally) the user speaking at a given time. The same acoustic model as
 * habla-voice's EchoGateTest: echo -6 to -20 dB, direct delay 20-150 ms (device latencies plus acoustics).
 */
final class Room implements AudioSource {

    static final AudioFormat FORMAT = AudioFormat.PCM_16K_MONO;
    private static final int CHUNK = 320;   // 20 ms
    private static final int FAR_RATE = 24_000;

    /** The acoustics of one trial. */
    record Acoustics(double echoGainDb, int delay, int r1Delay, double r1Db, int r2Delay, double r2Db, double noiseDbfs) {
        static Acoustics random(Random r) {
            return new Acoustics(-6 - 14 * r.nextDouble(), ms(20 + 130 * r.nextDouble()), ms(3 + 12 * r.nextDouble()),
                    -8 - 6 * r.nextDouble(), ms(20 + 25 * r.nextDouble()), -14 - 6 * r.nextDouble(),
                    -62 + 7 * r.nextDouble());
        }

        private static int ms(double ms) {
            return (int) Math.round(ms * 16);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "echo %.1f dB @ %d ms, noise %.0f dBFS", echoGainDb, delay / 16,
                    noiseDbfs);
        }
    }

    private final Scheduler clock;
    private final DeviceModelSink speaker;
    private final Acoustics acoustics;
    private final Random noise;
    private final long t0;
    private final Resampler down = Resampler.create(FAR_RATE, 16_000);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition closedSignal = lock.newCondition();
    /** Signalled when the reader asks for the next chunk (it has processed everything before). */
    private final Condition consumedSignal = lock.newCondition();
    private boolean closed;
    /** Guarded by lock: clock time up to which the reader has taken and processed the mic signal. */
    private long consumedUntil = Long.MIN_VALUE;

    // Reader-thread state.
    private short[] far16 = new short[16_000];
    private int far16Length;
    private long far24Length;
    private long sequence;
    private volatile short[] user;
    private volatile long userStart = Long.MAX_VALUE;   // mic sample index
    /** A user utterance placed relative to the start of the next reply, until that start is known. */
    private volatile Planned planned;

    private record Planned(short[] speech, long since, long offsetNanos) {}

    Room(Scheduler clock, DeviceModelSink speaker, Acoustics acoustics, long seed) {
        this.clock = clock;
        this.speaker = speaker;
        this.acoustics = acoustics;
        this.noise = new Random(seed);
        this.t0 = clock.nanoTime();
    }

    /** The user says {@code speech} (16 kHz) starting at clock time {@code at}; returns the onset's sample index. */
    void userSpeaks(short[] speech, long at) {
        user = speech;
        userStart = Math.max(0, (at - t0) * 16_000 / 1_000_000_000L);
    }

    /**
     * The user says {@code speech} (16 kHz) starting {@code offsetNanos} after the first audible sample of the reply
     * written to the speaker after clock time {@code since} starts playing. The room places the speech itself, as soon
     * as the speaker holds that reply (it is written before it plays, and echoes only after it played), so where the
     * speech falls in the reply does not depend on when the test thread gets to run.
     */
    void userSpeaksIntoReply(short[] speech, long since, long offsetNanos) {
        user = null;
        userStart = Long.MAX_VALUE;
        planned = new Planned(speech, since, offsetNanos);
    }

    /**
     * Waits until the loop has read and processed the microphone signal up to clock time {@code t} (it asks for the
     * next chunk only after processing the previous one); false on timeout (real time).
     */
    boolean awaitConsumed(long t, java.time.Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (consumedUntil < t) {
                if (closed || left <= 0) {
                    return false;
                }
                left = consumedSignal.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Clock time of mic sample {@code index}. */
    long timeOf(long index) {
        return t0 + index * 1_000_000_000L / 16_000;
    }

    @Override
    public AudioFormat format() {
        return FORMAT;
    }

    @Override
    public PcmChunk read() throws InterruptedException {
        long first = sequence * CHUNK;
        long due = timeOf(first + CHUNK);
        lock.lockInterruptibly();
        try {
            // The reader is back for more: everything before this chunk has gone through the loop.
            consumedUntil = timeOf(first);
            consumedSignal.signalAll();
            long wait;
            while (!closed && (wait = due - clock.nanoTime()) > 0) {
                closedSignal.await(Math.max(1, clock.toRealNanos(wait)), TimeUnit.NANOSECONDS);
            }
            if (closed) {
                return null;
            }
        } finally {
            lock.unlock();
        }
        short[] mic = new short[CHUNK];
        placePlannedSpeech(first);
        // Echo needs the far end up to (this chunk's end - the shortest path), which has played and is final.
        ensureFar((int) (first + CHUNK));
        double g = Math.pow(10, acoustics.echoGainDb() / 20);
        double g1 = g * Math.pow(10, acoustics.r1Db() / 20);
        double g2 = g * Math.pow(10, acoustics.r2Db() / 20);
        double noiseRms = Pcm16.FULL_SCALE * Math.pow(10, acoustics.noiseDbfs() / 20);
        short[] u = user;
        long us = userStart;
        for (int i = 0; i < CHUNK; i++) {
            long n = first + i;
            double v = g * far(n - acoustics.delay()) + g1 * far(n - acoustics.delay() - acoustics.r1Delay())
                    + g2 * far(n - acoustics.delay() - acoustics.r1Delay() - acoustics.r2Delay())
                    + noiseRms * noise.nextGaussian();
            if (u != null && n >= us && n < us + u.length) {
                v += u[(int) (n - us)];
            }
            mic[i] = Pcm16.clip(v);
        }
        return new PcmChunk(sequence++, timeOf(first), FORMAT, Pcm16.toBytes(mic));
    }

    /** Places a planned utterance once the reply it belongs to has been written to the speaker. */
    private void placePlannedSpeech(long firstSample) {
        Planned p = planned;
        if (p == null) {
            return;
        }
        long start = speaker.firstAudibleAfter(p.since());
        if (start == Long.MIN_VALUE) {
            return;
        }
        long index = Math.max(0, (start + p.offsetNanos() - t0) * 16_000 / 1_000_000_000L);
        if (index < firstSample) {
            throw new IllegalStateException("the planned speech would start at sample " + index
                    + ", before the chunk being captured (" + firstSample + "): the offset is too short");
        }
        planned = null;
        userStart = index;
        user = p.speech();
    }

    private double far(long index) {
        return index >= 0 && index < far16Length ? far16[(int) index] : 0;
    }

    /** Extends the 16 kHz far-end signal to cover mic indices below {@code upTo} minus the shortest echo delay. */
    private void ensureFar(int upTo) {
        int need = upTo - 20 * 16;   // the shortest modelled delay is 20 ms
        while (far16Length < need) {
            int block = 480;   // 20 ms at 24 kHz
            short[] far24 = new short[block];
            speaker.fillPlayed(t0 + far24Length * 1_000_000_000L / FAR_RATE, far24);
            far24Length += block;
            short[] out = down.process(far24);
            if (far16Length + out.length > far16.length) {
                far16 = Arrays.copyOf(far16, Math.max(far16.length * 2, far16Length + out.length));
            }
            System.arraycopy(out, 0, far16, far16Length, out.length);
            far16Length += out.length;
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            closedSignal.signalAll();
            consumedSignal.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
