package dev.habla.voice;

import dev.habla.audio.AudioFormat;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The jitter buffer between the Live session (audio arrives in bursts, often faster than real time, sometimes with
 * gaps) and the speaker (consumes at exactly real time), with turn epochs for barge-in.
 *
 * <h2>States</h2>
 * <pre>
 *   IDLE ──offer──► BUFFERING ──queued ≥ preBuffer, or turn ended, or maxPreBufferWait passed──► PLAYING
 *   PLAYING ──queue ran dry, turn not ended (an underrun, counted)──► BUFFERING   (re-buffer, then resume)
 *   PLAYING ──queue ran dry, turn ended──► IDLE
 *   any ──flush(epoch)──► IDLE (queue emptied at once)          any ──close()──► CLOSED
 * </pre>
 * Holding back the first {@code preBuffer} of audio (default {@value #DEFAULT_PRE_BUFFER_MS} ms) means a late
 * packet in the middle of a turn is absorbed instead of cutting a word in half: the stutter and "jumbled words" users
 * report from playing chunks the moment they arrive. After an underrun the buffer re-fills to the threshold before
 * resuming, so one late packet causes one gap, not a string of them. {@link #endOfTurn} releases a turn's tail
 * that is shorter than the threshold.
 *
 * <h2>Epochs</h2>
 * Every chunk carries the epoch (turn number) it belongs to. The current epoch only grows: {@link #offer} with a
 * newer epoch advances it (earlier audio still queued plays first), {@link #flush(long)} discards everything queued
 * and advances it. Any offer of an older epoch is dropped ({@link OfferResult#STALE_EPOCH}): the late chunks of an
 * interrupted turn that are still in flight from the server never reach the speaker.
 *
 * <h2>Threads</h2>
 * One producer (the session's reader thread) calls {@link #offer} and {@link #endOfTurn}; it never waits for space
 * (the buffer is bounded; see {@link OverflowPolicy}). One consumer (the playback pump) calls the {@code read}
 * methods. {@link #flush(long)}, {@link #close()} and the queries are callable from any thread. A single
 * {@link ReentrantLock} guards all state and is held only for queue operations and copies, never across I/O.
 *
 * <p>The buffer takes ownership of the arrays passed to {@link #offer}: do not modify them afterwards.
 */
public final class PlaybackBuffer implements AutoCloseable {

    /** Default start threshold. 120 ms covers the usual inter-burst gaps of the Live API at little added latency. */
    public static final long DEFAULT_PRE_BUFFER_MS = 120;
    /** Default capacity: a long answer sent in one burst still fits, and memory stays bounded (5.8 MB at 24 kHz). */
    public static final Duration DEFAULT_CAPACITY = Duration.ofMinutes(2);
    /** Default longest wait for the pre-buffer to fill before playing what there is anyway. */
    public static final Duration DEFAULT_MAX_PRE_BUFFER_WAIT = Duration.ofMillis(400);

    /** Epochs whose {@link PlaybackCursor} is remembered. */
    private static final int CURSOR_HISTORY = 64;

    /** What {@link #offer} does when a chunk would not fit in the capacity. */
    public enum OverflowPolicy {
        /** Reject the incoming chunk whole; what is queued plays on uninterrupted. The default. */
        DROP_INCOMING,
        /** Discard the oldest queued audio to make room: keeps latency bounded, at the cost of a jump. */
        DROP_OLDEST
    }

    /** The outcome of one {@link #offer}. */
    public enum OfferResult {
        /** Queued. */
        ACCEPTED,
        /** Queued after discarding older audio ({@link OverflowPolicy#DROP_OLDEST}). */
        ACCEPTED_DROPPED_OLDEST,
        /** Dropped: the chunk's epoch is older than the current one (a late chunk of an interrupted turn). */
        STALE_EPOCH,
        /** Dropped: no room ({@link OverflowPolicy#DROP_INCOMING}). */
        OVERFLOW,
        /** Dropped: the buffer is closed. */
        CLOSED
    }

    /** See the class documentation. */
    public enum State { IDLE, BUFFERING, PLAYING, CLOSED }

    /**
     * Counters since creation.
     *
     * @param receivedBytes  accepted by {@link #offer}
     * @param playedBytes    handed to the consumer
     * @param flushedBytes   discarded by {@link #flush}
     * @param staleBytes     dropped because their epoch was stale
     * @param overflowBytes  dropped by the overflow policy
     * @param underruns      times the queue ran dry in the middle of a turn while playing
     * @param queuedBytes    queued now
     */
    public record Stats(long receivedBytes, long playedBytes, long flushedBytes, long staleBytes, long overflowBytes,
                        long underruns, long queuedBytes) {
    }

    /**
     * Buffer settings; build with {@link #create(Consumer)}.
     *
     * @param preBuffer        audio that must be queued before playback starts (or resumes after an underrun)
     * @param capacity         most audio held at once
     * @param maxPreBufferWait after this much wall time waiting for the pre-buffer, play what is queued anyway
     * @param overflow         what to drop when full
     * @param clock            the time source for {@code maxPreBufferWait} (a fake one in tests)
     */
    public record Config(Duration preBuffer, Duration capacity, Duration maxPreBufferWait, OverflowPolicy overflow,
                         InstantSource clock) {

        public Config {
            Objects.requireNonNull(preBuffer, "preBuffer");
            Objects.requireNonNull(capacity, "capacity");
            Objects.requireNonNull(maxPreBufferWait, "maxPreBufferWait");
            Objects.requireNonNull(overflow, "overflow");
            Objects.requireNonNull(clock, "clock");
            if (preBuffer.isNegative() || maxPreBufferWait.isNegative()) {
                throw new IllegalArgumentException("preBuffer and maxPreBufferWait must be >= 0, were " + preBuffer
                        + " and " + maxPreBufferWait);
            }
            if (capacity.compareTo(preBuffer) < 0 || capacity.isZero()) {
                throw new IllegalArgumentException("capacity must be > 0 and >= preBuffer (" + preBuffer + "), was "
                        + capacity);
            }
        }

        public static Config create(Consumer<Builder> customizer) {
            Builder b = new Builder();
            customizer.accept(b);
            return new Config(b.preBuffer, b.capacity, b.maxPreBufferWait, b.overflow, b.clock);
        }

        /** Mutable builder with the defaults above; the system clock unless {@link #clock} is set. */
        public static final class Builder {
            private Duration preBuffer = Duration.ofMillis(DEFAULT_PRE_BUFFER_MS);
            private Duration capacity = DEFAULT_CAPACITY;
            private Duration maxPreBufferWait = DEFAULT_MAX_PRE_BUFFER_WAIT;
            private OverflowPolicy overflow = OverflowPolicy.DROP_INCOMING;
            private InstantSource clock = InstantSource.system();

            private Builder() {
            }

            public Builder preBuffer(Duration v) {
                preBuffer = v;
                return this;
            }

            public Builder capacity(Duration v) {
                capacity = v;
                return this;
            }

            public Builder maxPreBufferWait(Duration v) {
                maxPreBufferWait = v;
                return this;
            }

            public Builder overflow(OverflowPolicy v) {
                overflow = v;
                return this;
            }

            public Builder clock(InstantSource v) {
                clock = v;
                return this;
            }
        }
    }

    private static final class Chunk {
        final byte[] data;
        final long epoch;
        int position;

        Chunk(byte[] data, long epoch) {
            this.data = data;
            this.epoch = epoch;
        }

        int remaining() {
            return data.length - position;
        }
    }

    /** Per-epoch counters behind {@link PlaybackCursor}. */
    private static final class EpochCounters {
        long received;
        long played;
        long discarded;
        boolean complete;
    }

    private final AudioFormat format;
    private final Config config;
    private final int frameBytes;
    private final long preBufferBytes;
    private final long capacityBytes;
    private final long maxWaitNanos;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when audio may have become readable (offer, endOfTurn) or the buffer was flushed or closed. */
    private final Condition readable = lock.newCondition();

    // All fields below are guarded by lock.
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private final Map<Long, EpochCounters> epochs = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, EpochCounters> eldest) {
            return size() > CURSOR_HISTORY;
        }
    };
    private State state = State.IDLE;
    private long epoch;
    private long queuedBytes;
    /** Clock reading (nanos since the epoch) when the current BUFFERING period got its first byte, or -1. */
    private long bufferingSinceNanos = -1;
    private long received;
    private long played;
    private long flushed;
    private long stale;
    private long overflowed;
    private long underruns;

    private PlaybackBuffer(AudioFormat format, Config config) {
        this.format = Objects.requireNonNull(format, "format");
        this.config = config;
        this.frameBytes = format.bytesPerFrame();
        this.preBufferBytes = format.bytesFor(config.preBuffer());
        this.capacityBytes = Math.max(frameBytes, format.bytesFor(config.capacity()));
        this.maxWaitNanos = config.maxPreBufferWait().toNanos();
    }

    /** A buffer for {@code format} (typically 24 kHz mono, what the Live API sends) with default settings. */
    public static PlaybackBuffer create(AudioFormat format) {
        return new PlaybackBuffer(format, Config.create(c -> { }));
    }

    /** A buffer for {@code format} with {@code customizer}'s changes to the defaults. */
    public static PlaybackBuffer create(AudioFormat format, Consumer<Config.Builder> customizer) {
        return new PlaybackBuffer(format, Config.create(customizer));
    }

    public AudioFormat format() {
        return format;
    }

    public Config config() {
        return config;
    }

    /**
     * Queues {@code pcm} (whole frames of {@link #format()}) for playback as part of turn {@code epoch}. Never
     * waits. An epoch newer than the current one becomes current.
     */
    public OfferResult offer(byte[] pcm, long epoch) {
        Objects.requireNonNull(pcm, "pcm");
        if (pcm.length % frameBytes != 0) {
            throw new IllegalArgumentException("PCM must be whole " + frameBytes + "-byte frames of " + format
                    + ", got " + pcm.length + " bytes");
        }
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return OfferResult.CLOSED;
            }
            if (epoch < this.epoch) {
                stale += pcm.length;
                counters(epoch).discarded += pcm.length;
                return OfferResult.STALE_EPOCH;
            }
            this.epoch = epoch;
            if (pcm.length == 0) {
                return OfferResult.ACCEPTED;
            }
            OfferResult result = OfferResult.ACCEPTED;
            if (queuedBytes + pcm.length > capacityBytes) {
                if (config.overflow() == OverflowPolicy.DROP_INCOMING) {
                    overflowed += pcm.length;
                    counters(epoch).discarded += pcm.length;
                    return OfferResult.OVERFLOW;
                }
                if (pcm.length > capacityBytes) {
                    int cut = (int) (pcm.length - capacityBytes);
                    overflowed += cut;
                    counters(epoch).discarded += cut;
                    pcm = Arrays.copyOfRange(pcm, cut, pcm.length);
                }
                dropOldest(queuedBytes + pcm.length - capacityBytes);
                result = OfferResult.ACCEPTED_DROPPED_OLDEST;
            }
            queue.addLast(new Chunk(pcm, epoch));
            queuedBytes += pcm.length;
            received += pcm.length;
            counters(epoch).received += pcm.length;
            if (state == State.IDLE) {
                state = State.BUFFERING;
            }
            if (state == State.BUFFERING && bufferingSinceNanos < 0) {
                bufferingSinceNanos = nowNanos();
            }
            readable.signalAll();
            return result;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Declares that no more audio will come for {@code epoch} (the server's {@code turnComplete} or
     * {@code generationComplete}): its queued tail plays even if shorter than the pre-buffer, and running dry
     * afterwards is not an underrun. Ignored for a stale epoch.
     */
    public void endOfTurn(long epoch) {
        lock.lock();
        try {
            if (state == State.CLOSED || epoch < this.epoch) {
                return;
            }
            this.epoch = epoch;
            counters(epoch).complete = true;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Discards everything queued, at once, and makes {@code newEpoch} current (if it is newer), so later offers of
     * older epochs are dropped. Call it from whichever thread learns of the interruption (local barge-in, or the
     * server's {@code interrupted}), directly rather than through a queue behind audio. Callable from any thread.
     *
     * @return bytes discarded
     */
    public long flush(long newEpoch) {
        lock.lock();
        try {
            long discarded = queuedBytes;
            for (Chunk c : queue) {
                counters(c.epoch).discarded += c.remaining();
            }
            queue.clear();
            queuedBytes = 0;
            flushed += discarded;
            epoch = Math.max(epoch, newEpoch);
            if (state != State.CLOSED) {
                state = State.IDLE;
            }
            bufferingSinceNanos = -1;
            readable.signalAll();
            return discarded;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads up to {@code length} bytes (rounded down to whole frames) of playable audio without waiting. Returns 0
     * while idle, while buffering, or when closed.
     */
    public int read(byte[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        lock.lock();
        try {
            return readLocked(dst, offset, length - length % frameBytes);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeout} for playable audio, then reads up to {@code length} bytes (whole frames) of it.
     *
     * @return bytes read; 0 on timeout or when closed
     */
    public int read(byte[] dst, int offset, int length, Duration timeout) throws InterruptedException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        long remaining = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (true) {
                int n = readLocked(dst, offset, length - length % frameBytes);
                if (n > 0 || state == State.CLOSED || remaining <= 0) {
                    return n;
                }
                // While buffering with a max wait, wake up in time to start playback on the clock.
                long wait = remaining;
                if (state == State.BUFFERING && bufferingSinceNanos >= 0 && maxWaitNanos > 0) {
                    wait = Math.min(wait, Math.max(1_000_000, bufferingSinceNanos + maxWaitNanos - nowNanos()));
                }
                long before = System.nanoTime();
                readable.awaitNanos(wait);
                remaining -= System.nanoTime() - before;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * For pumps that must keep a device fed: fills all of {@code dst} (whole frames), with audio if playable and
     * silence for the rest. Never waits.
     *
     * @return bytes of real audio at the start of {@code dst}; the rest is silence
     */
    public int readOrSilence(byte[] dst) {
        int n = read(dst, 0, dst.length);
        Arrays.fill(dst, n, dst.length, (byte) 0);
        return n;
    }

    /** The current (newest) epoch. */
    public long epoch() {
        lock.lock();
        try {
            return epoch;
        } finally {
            lock.unlock();
        }
    }

    public State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** Whether audio is being played out (state {@link State#PLAYING}), e.g. for a half-duplex mic gate. */
    public boolean isPlaying() {
        return state() == State.PLAYING;
    }

    /** Bytes queued and not yet read. */
    public long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** {@link #queuedBytes()} as audio time. */
    public Duration queued() {
        return format.durationOf(queuedBytes());
    }

    /** What has been played of {@code epoch} (zeros for an epoch never seen or too old to remember). */
    public PlaybackCursor cursor(long epoch) {
        lock.lock();
        try {
            EpochCounters c = epochs.get(epoch);
            return c == null ? new PlaybackCursor(epoch, format, 0, 0, 0, false)
                    : new PlaybackCursor(epoch, format, c.received, c.played, c.discarded, c.complete);
        } finally {
            lock.unlock();
        }
    }

    /** The cursor of the current epoch. */
    public PlaybackCursor cursor() {
        lock.lock();
        try {
            return cursor(epoch);
        } finally {
            lock.unlock();
        }
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(received, played, flushed, stale, overflowed, underruns, queuedBytes);
        } finally {
            lock.unlock();
        }
    }

    /** Drops everything queued and wakes a waiting consumer; later offers return {@link OfferResult#CLOSED}. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return;
            }
            flush(epoch);
            state = State.CLOSED;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        Stats s = stats();
        return "PlaybackBuffer[" + format + ", " + state() + ", epoch " + epoch() + ", queued "
                + format.durationOf(s.queuedBytes()).toMillis() + " ms, underruns " + s.underruns() + "]";
    }

    private int readLocked(byte[] dst, int offset, int length) {
        if (state == State.BUFFERING && shouldStart()) {
            state = State.PLAYING;
            bufferingSinceNanos = -1;
        }
        if (state != State.PLAYING || length == 0) {
            return 0;
        }
        int n = 0;
        while (n < length && !queue.isEmpty()) {
            Chunk c = queue.peekFirst();
            int take = Math.min(length - n, c.remaining());
            System.arraycopy(c.data, c.position, dst, offset + n, take);
            c.position += take;
            n += take;
            counters(c.epoch).played += take;
            if (c.remaining() == 0) {
                queue.pollFirst();
            }
        }
        queuedBytes -= n;
        played += n;
        if (queue.isEmpty()) {
            if (counters(epoch).complete) {
                state = State.IDLE;
            } else if (n < length) {
                // The device wanted more than there was, mid-turn: an audible gap. Re-buffer before resuming.
                underruns++;
                state = State.BUFFERING;
                bufferingSinceNanos = -1;
            }
        }
        return n;
    }

    /** BUFFERING → PLAYING? Guarded by lock. */
    private boolean shouldStart() {
        if (queue.isEmpty()) {
            return false;
        }
        if (queuedBytes >= preBufferBytes) {
            return true;
        }
        // A turn whose audio has all arrived plays out, however short; so does any older turn queued ahead of it.
        long head = queue.peekFirst().epoch;
        if (head < epoch || counters(epoch).complete) {
            return true;
        }
        return bufferingSinceNanos >= 0 && nowNanos() - bufferingSinceNanos >= maxWaitNanos;
    }

    private void dropOldest(long bytes) {
        long left = bytes;
        while (left > 0 && !queue.isEmpty()) {
            Chunk c = queue.peekFirst();
            int take = (int) Math.min(left, c.remaining());
            c.position += take;
            left -= take;
            queuedBytes -= take;
            overflowed += take;
            counters(c.epoch).discarded += take;
            if (c.remaining() == 0) {
                queue.pollFirst();
            }
        }
    }

    private EpochCounters counters(long e) {
        return epochs.computeIfAbsent(e, k -> new EpochCounters());
    }

    private long nowNanos() {
        java.time.Instant now = config.clock().instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
