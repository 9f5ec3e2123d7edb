package dev.habla.emulator.internal;

/**
 * The newest received audio of a logical session, at most {@code capacity} bytes: a ring that grows as audio arrives
 * (nothing is allocated up front) and, once full, overwrites the oldest bytes. Not thread-safe: {@link LogicalSession}
 * guards it.
 */
final class AudioRecord {
    private final long capacity;
    private byte[] buf = new byte[0];
    /** Bytes held (≤ buf.length). */
    private int size;
    /** Index in {@code buf} of the oldest byte once the ring is full and wrapping. */
    private int start;
    private long total;

    AudioRecord(long capacity) {
        this.capacity = Math.min(capacity, Integer.MAX_VALUE - 16);
    }

    void append(byte[] data) {
        total += data.length;
        if (capacity == 0 || data.length == 0) {
            return;
        }
        int cap = (int) capacity;
        if (data.length >= cap) {
            // Only the tail of this chunk fits.
            ensure(cap);
            System.arraycopy(data, data.length - cap, buf, 0, cap);
            start = 0;
            size = cap;
            return;
        }
        if (size + data.length <= cap) {
            ensure(size + data.length);
            if (start == 0) {
                System.arraycopy(data, 0, buf, size, data.length);
                size += data.length;
                return;
            }
        }
        // Full ring (buf.length == cap): write at the end position, wrapping, and move the start past what was overwritten.
        ensure(cap);
        int end = (start + size) % cap;
        int first = Math.min(data.length, cap - end);
        System.arraycopy(data, 0, buf, end, first);
        System.arraycopy(data, first, buf, 0, data.length - first);
        int overflow = size + data.length - cap;
        if (overflow > 0) {
            start = (start + overflow) % cap;
            size = cap;
        } else {
            size += data.length;
        }
    }

    /** Grows the buffer (doubling, up to the capacity) to hold {@code needed} bytes, keeping the content in order. */
    private void ensure(int needed) {
        if (buf.length >= needed) {
            return;
        }
        int cap = (int) capacity;
        int n = Math.min(cap, Math.max(needed, Math.max(4096, buf.length * 2)));
        byte[] b = new byte[n];
        copyInOrder(b);
        buf = b;
        start = 0;
    }

    private void copyInOrder(byte[] dst) {
        int first = Math.min(size, buf.length - start);
        System.arraycopy(buf, start, dst, 0, first);
        System.arraycopy(buf, 0, dst, first, size - first);
    }

    /** The held bytes, oldest first. */
    byte[] toArray() {
        byte[] out = new byte[size];
        if (size > 0) {
            copyInOrder(out);
        }
        return out;
    }

    int size() {
        return size;
    }

    /** Bytes ever appended, including those dropped. */
    long total() {
        return total;
    }

    /** Drops everything held (the count of bytes ever appended stays). */
    void clear() {
        buf = new byte[0];
        size = 0;
        start = 0;
    }
}
