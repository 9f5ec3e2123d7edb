package dev.habla.audio;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads 16-bit PCM WAV files, streaming or all at once.
 *
 * <p>Accepts {@code WAVE_FORMAT_PCM} and {@code WAVE_FORMAT_EXTENSIBLE} with the PCM sub-format, skips chunks it does
 * not know ({@code LIST}, {@code fact}, ...), and tolerates the {@code data} sizes that streaming writers leave
 * behind when they never got to fix the header (0 or 0xFFFFFFFF): the data then runs to the end of the file.
 *
 * <p>Thread-safety: a lock serialises reads.
 */
public final class WavReader implements AutoCloseable {

    private static final int WAVE_FORMAT_PCM = 1;
    private static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;

    private final Path path;
    private final FileChannel channel;
    private final AudioFormat format;
    private final long dataStart;
    private final long dataBytes;
    private final ReentrantLock lock = new ReentrantLock();
    /** Bytes of data already returned by {@link #read}; guarded by {@link #lock}. */
    private long consumed;

    private WavReader(Path path, FileChannel channel, AudioFormat format, long dataStart, long dataBytes) {
        this.path = path;
        this.channel = channel;
        this.format = format;
        this.dataStart = dataStart;
        this.dataBytes = dataBytes;
    }

    /**
     * Opens {@code path} and parses its header; the PCM is read on demand.
     *
     * @throws WavFormatException  if it is not 16-bit PCM WAV
     * @throws AudioFileException  if it cannot be read (the cause says why)
     */
    public static WavReader open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw AudioFileException.of(path, "open", e);
        }
        try {
            return parse(path, channel);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof IOException io ? AudioFileException.of(path, "read", io) : (RuntimeException) e;
        }
    }

    /**
     * Reads the format and all the PCM of {@code path}.
     *
     * @throws WavFormatException  if it is not 16-bit PCM WAV
     * @throws AudioFileException  if it cannot be read (the cause says why)
     */
    public static WavData read(Path path) {
        try (WavReader reader = open(path)) {
            return new WavData(reader.format(), reader.readAll());
        } catch (IOException e) {
            throw AudioFileException.of(path, "read", e);
        }
    }

    public AudioFormat format() {
        return format;
    }

    /** Length of the PCM data in bytes, as declared (or as found, for an unfinished streaming file). */
    public long dataBytes() {
        return dataBytes;
    }

    /**
     * Reads up to {@code length} bytes of PCM into {@code buffer}; returns the count, or -1 at the end of the data.
     */
    public int read(byte[] buffer, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        lock.lock();
        try {
            long left = dataBytes - consumed;
            if (left <= 0) {
                return -1;
            }
            int want = (int) Math.min(length, left);
            ByteBuffer target = ByteBuffer.wrap(buffer, offset, want);
            while (target.hasRemaining()) {
                int n = channel.read(target, dataStart + consumed + target.position() - offset);
                if (n < 0) {
                    throw new EOFException("WAV data ends early in " + path + ": declared " + dataBytes
                            + " bytes, file holds " + (consumed + target.position() - offset));
                }
            }
            consumed += want;
            return want;
        } finally {
            lock.unlock();
        }
    }

    /** Reads the rest of the PCM. */
    public byte[] readAll() throws IOException {
        lock.lock();
        try {
            long left = dataBytes - consumed;
            if (left > Integer.MAX_VALUE - 8) {
                throw new IOException("WAV data too large to read into memory: " + left + " bytes in " + path);
            }
            byte[] out = new byte[(int) left];
            int at = 0;
            while (at < out.length) {
                int n = read(out, at, out.length - at);
                if (n < 0) {
                    break;
                }
                at += n;
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static WavReader parse(Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer riff = readAt(path, channel, 0, 12);
        if (!fourCc(riff, 0).equals("RIFF") || !fourCc(riff, 8).equals("WAVE")) {
            throw new WavFormatException(path, "Not a RIFF/WAVE file: " + path + " starts with '" + fourCc(riff, 0)
                    + "'...'" + fourCc(riff, 8) + "'");
        }
        AudioFormat format = null;
        long at = 12;
        while (at + 8 <= size) {
            ByteBuffer chunk = readAt(path, channel, at, 8);
            String id = fourCc(chunk, 0);
            long chunkSize = Integer.toUnsignedLong(chunk.getInt(4));
            long body = at + 8;
            switch (id) {
                case "fmt " -> format = parseFmt(path, readAt(path, channel, body, (int) Math.min(chunkSize, 40)));
                case "data" -> {
                    if (format == null) {
                        throw new WavFormatException(path, "WAV 'data' chunk before 'fmt ' in " + path);
                    }
                    long available = size - body;
                    long length = (chunkSize == 0 || chunkSize == 0xFFFF_FFFFL || chunkSize > available)
                            ? available : chunkSize;
                    length -= length % format.bytesPerFrame();
                    return new WavReader(path, channel, format, body, length);
                }
                default -> { /* LIST, fact, bext, ...: skip */ }
            }
            at = body + chunkSize + (chunkSize & 1);
        }
        throw new WavFormatException(path, "No 'data' chunk in " + path);
    }

    private static AudioFormat parseFmt(Path path, ByteBuffer fmt) {
        if (fmt.limit() < 16) {
            throw new WavFormatException(path, "WAV 'fmt ' chunk too short (" + fmt.limit() + " bytes) in " + path);
        }
        int tag = Short.toUnsignedInt(fmt.getShort(0));
        if (tag == WAVE_FORMAT_EXTENSIBLE && fmt.limit() >= 26) {
            tag = Short.toUnsignedInt(fmt.getShort(24));   // first two bytes of the sub-format GUID
        }
        int channels = Short.toUnsignedInt(fmt.getShort(2));
        int rate = fmt.getInt(4);
        int bits = Short.toUnsignedInt(fmt.getShort(14));
        if (tag != WAVE_FORMAT_PCM || bits != AudioFormat.BITS_PER_SAMPLE) {
            throw new WavFormatException(path, "Expected 16-bit PCM WAV but " + path + " has format tag " + tag
                    + " with " + bits + " bits per sample");
        }
        try {
            return new AudioFormat(rate, channels);
        } catch (IllegalArgumentException e) {
            throw new WavFormatException(path, "Unsupported WAV format in " + path + ": " + e.getMessage());
        }
    }

    private static ByteBuffer readAt(Path path, FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        long p = position;
        while (b.hasRemaining()) {
            int n = channel.read(b, p);
            if (n < 0) {
                throw new WavFormatException(path, "Truncated WAV header in " + path + ": needed " + length
                        + " bytes at offset " + position);
            }
            p += n;
        }
        return b.flip();
    }

    private static String fourCc(ByteBuffer b, int index) {
        byte[] id = new byte[4];
        b.get(index, id);
        return new String(id, StandardCharsets.US_ASCII);
    }
}
