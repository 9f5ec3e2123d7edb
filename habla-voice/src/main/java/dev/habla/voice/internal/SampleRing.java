package dev.habla.voice.internal;

import java.util.Arrays;
import java.util.Objects;

/**
 * The most recent {@code capacity} samples of a stream, addressed by absolute sample index (which may be negative).
 *
 * <p>Reads outside what the ring holds (too old, not yet written, or a gap skipped by {@link #writeAt}) return
 * zeros, i.e. silence. Not thread-safe; owned by one thread.
 */
public final class SampleRing {

    private final short[] ring;
    /** One past the highest absolute index written; the ring holds [end - capacity, end). */
    private long end;
    private boolean empty = true;

    public SampleRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        ring = new short[capacity];
    }

    public int capacity() {
        return ring.length;
    }

    /** One past the newest sample written (0 before any write). */
    public long end() {
        return end;
    }

    /** The oldest index still held. */
    public long start() {
        return end - ring.length;
    }

    public boolean isEmpty() {
        return empty;
    }

    /** Appends at {@link #end()}. */
    public void append(short[] src, int offset, int length) {
        writeAt(end, src, offset, length);
    }

    /**
     * Writes {@code length} samples so the first lands at absolute index {@code position}: overwrites what is
     * there, zero-fills a gap after the current end, and drops any part older than the ring can hold.
     */
    public void writeAt(long position, short[] src, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, src.length);
        if (empty) {
            end = position;
            empty = false;
        }
        long newEnd = Math.max(end, position + length);
        // Silence between the old end and the new write, limited to what the ring can hold.
        long gapFrom = Math.max(end, newEnd - ring.length);
        long gapTo = Math.min(position, newEnd);
        if (gapTo > gapFrom) {
            fill(gapFrom, (int) (gapTo - gapFrom));
        }
        long from = Math.max(position, newEnd - ring.length);
        copyIn(from, src, offset + (int) (from - position), (int) (position + length - from));
        end = newEnd;
    }

    /** Copies samples [position, position + length) into {@code dst}; what the ring does not hold reads as 0. */
    public void read(long position, short[] dst, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, dst.length);
        long lo = Math.max(position, start());
        long hi = Math.min(position + length, end);
        if (empty || lo >= hi) {
            Arrays.fill(dst, offset, offset + length, (short) 0);
            return;
        }
        Arrays.fill(dst, offset, offset + (int) (lo - position), (short) 0);
        int at = index(lo);
        int count = (int) (hi - lo);
        int first = Math.min(count, ring.length - at);
        System.arraycopy(ring, at, dst, offset + (int) (lo - position), first);
        System.arraycopy(ring, 0, dst, offset + (int) (lo - position) + first, count - first);
        Arrays.fill(dst, offset + (int) (hi - position), offset + length, (short) 0);
    }

    /** Forgets everything; the next write sets the position again. */
    public void clear() {
        Arrays.fill(ring, (short) 0);
        end = 0;
        empty = true;
    }

    private void copyIn(long position, short[] src, int offset, int count) {
        if (count <= 0) {
            return;
        }
        int at = index(position);
        int first = Math.min(count, ring.length - at);
        System.arraycopy(src, offset, ring, at, first);
        System.arraycopy(src, offset + first, ring, 0, count - first);
    }

    private void fill(long position, int count) {
        int at = index(position);
        int first = Math.min(count, ring.length - at);
        Arrays.fill(ring, at, at + first, (short) 0);
        Arrays.fill(ring, 0, count - first, (short) 0);
    }

    private int index(long absolute) {
        return (int) Math.floorMod(absolute, (long) ring.length);
    }
}
