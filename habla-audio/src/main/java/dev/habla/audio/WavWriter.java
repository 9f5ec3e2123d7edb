package dev.habla.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Streams 16-bit PCM into a canonical 44-byte-header WAV file.
 *
 * <p>The header is written first with the sizes of an empty file, so a file cut short by a crash still opens (as
 * empty) in most players; {@link #close()} then fixes the RIFF and {@code data} sizes in place. Data longer than
 * the 4 GiB RIFF limit is refused with an {@link IOException}. Odd-length data (half a sample at the end) gets the
 * pad byte RIFF requires: the {@code data} size stays the unpadded length and only the RIFF size counts the pad.
 *
 * <p>Thread-safety: all methods may be called from any thread; a lock serialises them.
 */
public final class WavWriter implements AutoCloseable {

    /** Size of the header this class writes: RIFF(12) + fmt(8+16) + data(8). */
    public static final int HEADER_BYTES = 44;

    /** RIFF sizes are unsigned 32-bit; the RIFF size field counts everything after itself. */
    static final long MAX_DATA_BYTES = 0xFFFF_FFFFL - (HEADER_BYTES - 8) - 1;

    private final Path path;
    private final AudioFormat format;
    private final FileChannel channel;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private long dataBytes;
    /** Guarded by {@link #lock}. */
    private boolean closed;

    private WavWriter(Path path, AudioFormat format, FileChannel channel) {
        this.path = path;
        this.format = format;
        this.channel = channel;
    }

    /**
     * Creates (or truncates) {@code path} and writes the header.
     *
     * @throws AudioFileException if the file cannot be created or written (the cause says why)
     */
    public static WavWriter create(Path path, AudioFormat format) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw AudioFileException.of(path, "create", e);
        }
        try {
            writeFully(channel, header(format, 0), 0);
            channel.position(HEADER_BYTES);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof IOException io ? AudioFileException.of(path, "write", io) : (RuntimeException) e;
        }
        return new WavWriter(path, format, channel);
    }

    /** Appends all of {@code pcm}. */
    public void write(byte[] pcm) throws IOException {
        write(pcm, 0, pcm.length);
    }

    /** Appends {@code length} bytes of {@code pcm} from {@code offset}. */
    public void write(byte[] pcm, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, pcm.length);
        lock.lock();
        try {
            if (closed) {
                throw new IOException("WAV writer is closed: " + path);
            }
            if (dataBytes + length > MAX_DATA_BYTES) {
                throw new IOException("WAV data would exceed the 4 GiB RIFF limit: " + path);
            }
            ByteBuffer buffer = ByteBuffer.wrap(pcm, offset, length);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            dataBytes += length;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of PCM written so far. */
    public long dataBytes() {
        lock.lock();
        try {
            return dataBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Play time of the PCM written so far. */
    public Duration duration() {
        return format.durationOf(dataBytes());
    }

    public AudioFormat format() {
        return format;
    }

    public Path path() {
        return path;
    }

    /** Fixes the header sizes and closes the file. Idempotent. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if ((dataBytes & 1) == 1) {
                    writeFully(channel, ByteBuffer.wrap(new byte[1]), HEADER_BYTES + dataBytes);
                }
                writeFully(channel, header(format, dataBytes), 0);
            } finally {
                channel.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The 44-byte header for {@code dataBytes} bytes of PCM in {@code format}. The RIFF size includes the pad
     * byte that follows odd-length data; the {@code data} size does not.
     */
    public static ByteBuffer header(AudioFormat format, long dataBytes) {
        if (dataBytes < 0 || dataBytes > MAX_DATA_BYTES) {
            throw new IllegalArgumentException("dataBytes out of range: " + dataBytes);
        }
        long padded = dataBytes + (dataBytes & 1);
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("RIFF")).putInt((int) (HEADER_BYTES - 8 + padded)).put(ascii("WAVE"));
        b.put(ascii("fmt ")).putInt(16)
                .putShort((short) 1)                                  // WAVE_FORMAT_PCM
                .putShort((short) format.channels())
                .putInt(format.sampleRate())
                .putInt(format.bytesPerSecond())
                .putShort((short) format.bytesPerFrame())              // block align
                .putShort((short) AudioFormat.BITS_PER_SAMPLE);
        b.put(ascii("data")).putInt((int) dataBytes);
        return b.flip();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long p = position;
        while (buffer.hasRemaining()) {
            p += channel.write(buffer, p);
        }
    }
}
