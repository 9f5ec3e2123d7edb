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
 * Reads WAV files as 16-bit PCM, streaming or all at once.
 *
 * <p>Accepts {@code WAVE_FORMAT_PCM} (16-, 24- or 32-bit), {@code WAVE_FORMAT_IEEE_FLOAT} (32- or 64-bit: the default
 * of many recorders and editors) and {@code WAVE_FORMAT_EXTENSIBLE} with either sub-format. Anything but 16-bit PCM is
 * converted as it is read: float samples are clipped to [-1, 1] and scaled, wider integers keep their top 16 bits;
 * {@link #format()} and {@link #dataBytes()} describe the 16-bit PCM that {@link #read} returns. Skips chunks it does
 * not know ({@code LIST}, {@code fact}, ...), and tolerates the {@code data} sizes that streaming writers leave
 * behind when they never got to fix the header (0 or 0xFFFFFFFF): the data then runs to the end of the file.
 *
 * <p>Thread-safety: a lock serialises reads.
 */
public final class WavReader implements AutoCloseable {

    private static final int WAVE_FORMAT_PCM = 1;
    private static final int WAVE_FORMAT_IEEE_FLOAT = 3;
    private static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;

    /** How the file stores a sample; {@link #read} returns 16-bit PCM whatever it is. */
    private record Encoding(boolean floating, int bytes) {
        static final Encoding PCM16 = new Encoding(false, 2);

        /** Little-endian sample at {@code at} of {@code src} as a 16-bit value. */
        short toPcm16(ByteBuffer src, int at) {
            if (floating) {
                double v = bytes == 4 ? src.getFloat(at) : src.getDouble(at);
                v = Double.isNaN(v) ? 0 : Math.max(-1.0, Math.min(1.0, v));
                return (short) Math.round(v * Short.MAX_VALUE);
            }
            return src.getShort(at + bytes - 2);   // the top 16 bits of a 24- or 32-bit sample
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final AudioFormat format;
    private final Encoding encoding;
    private final long dataStart;
    /** Bytes of 16-bit PCM the data holds (after conversion). */
    private final long dataBytes;
    private final ReentrantLock lock = new ReentrantLock();
    /** Bytes of data already returned by {@link #read}; guarded by {@link #lock}. */
    private long consumed;

    private WavReader(Path path, FileChannel channel, AudioFormat format, Encoding encoding, long dataStart,
                      long dataBytes) {
        this.path = path;
        this.channel = channel;
        this.format = format;
        this.encoding = encoding;
        this.dataStart = dataStart;
        this.dataBytes = dataBytes;
    }

    /**
     * Opens {@code path} and parses its header; the PCM is read on demand.
     *
     * @throws WavFormatException  if it is not a WAV file of an encoding listed above
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
     * @throws WavFormatException  if it is not a WAV file of an encoding listed above
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
     * Reads up to {@code length} bytes of 16-bit PCM into {@code buffer}; returns the count, or -1 at the end of the
     * data. A file in another encoding is read in whole samples (an odd {@code length} is rounded down).
     */
    public int read(byte[] buffer, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        lock.lock();
        try {
            long left = dataBytes - consumed;
            if (left <= 0) {
                return -1;
            }
            if (!encoding.equals(Encoding.PCM16)) {
                return readConverted(buffer, offset, (int) Math.min(length, left) & ~1);
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

    /** Lock held: reads {@code want} (even) bytes' worth of samples in the file's encoding and converts them. */
    private int readConverted(byte[] buffer, int offset, int want) throws IOException {
        int samples = want / 2;
        long from = dataStart + consumed / 2 * encoding.bytes();
        ByteBuffer src = ByteBuffer.allocate(samples * encoding.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        while (src.hasRemaining()) {
            if (channel.read(src, from + src.position()) < 0) {
                throw new EOFException("WAV data ends early in " + path + ": declared " + dataBytes / 2
                        + " samples, file holds " + (consumed / 2 + src.position() / encoding.bytes()));
            }
        }
        ByteBuffer out = ByteBuffer.wrap(buffer, offset, want).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < samples; i++) {
            out.putShort(encoding.toPcm16(src, i * encoding.bytes()));
        }
        consumed += want;
        return want;
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
            throw WavFormatException.of(path, "Not a RIFF/WAVE file: it starts with " + printable(riff, 0, 4)
                    + (fourCc(riff, 0).equals("RIFF") ? " but its type is " + printable(riff, 8, 4) : ""));
        }
        AudioFormat format = null;
        Encoding encoding = null;
        long at = 12;
        while (at + 8 <= size) {
            ByteBuffer chunk = readAt(path, channel, at, 8);
            String id = fourCc(chunk, 0);
            long chunkSize = Integer.toUnsignedLong(chunk.getInt(4));
            long body = at + 8;
            switch (id) {
                case "fmt " -> {
                    ByteBuffer fmt = readAt(path, channel, body, (int) Math.min(chunkSize, 40));
                    encoding = parseEncoding(path, fmt);
                    format = parseFmt(path, fmt);
                }
                case "data" -> {
                    if (format == null) {
                        throw WavFormatException.of(path, "WAV 'data' chunk before 'fmt '");
                    }
                    long available = size - body;
                    long length = (chunkSize == 0 || chunkSize == 0xFFFF_FFFFL || chunkSize > available)
                            ? available : chunkSize;
                    long fileFrameBytes = (long) encoding.bytes() * format.channels();
                    long frames = length / fileFrameBytes;
                    return new WavReader(path, channel, format, encoding, body, frames * format.bytesPerFrame());
                }
                default -> { /* LIST, fact, bext, ...: skip */ }
            }
            at = body + chunkSize + (chunkSize & 1);
        }
        throw WavFormatException.of(path, "No 'data' chunk");
    }

    private static Encoding parseEncoding(Path path, ByteBuffer fmt) {
        if (fmt.limit() < 16) {
            throw WavFormatException.of(path, "WAV 'fmt ' chunk too short (" + fmt.limit() + " bytes)");
        }
        int tag = Short.toUnsignedInt(fmt.getShort(0));
        if (tag == WAVE_FORMAT_EXTENSIBLE && fmt.limit() >= 26) {
            tag = Short.toUnsignedInt(fmt.getShort(24));   // first two bytes of the sub-format GUID
        }
        int bits = Short.toUnsignedInt(fmt.getShort(14));
        if (tag == WAVE_FORMAT_PCM && (bits == 16 || bits == 24 || bits == 32)) {
            return bits == 16 ? Encoding.PCM16 : new Encoding(false, bits / 8);
        }
        if (tag == WAVE_FORMAT_IEEE_FLOAT && (bits == 32 || bits == 64)) {
            return new Encoding(true, bits / 8);
        }
        throw WavFormatException.of(path, "Unsupported WAV encoding: format tag " + tag + " with " + bits
                + " bits per sample; readable are 16-bit PCM (also 24- and 32-bit PCM and 32- or 64-bit float, "
                + "converted to 16-bit)");
    }

    private static AudioFormat parseFmt(Path path, ByteBuffer fmt) {
        int channels = Short.toUnsignedInt(fmt.getShort(2));
        int rate = fmt.getInt(4);
        try {
            return new AudioFormat(rate, channels);
        } catch (IllegalArgumentException e) {
            throw WavFormatException.of(path, "Unsupported WAV format: " + e.getMessage());
        }
    }

    private static ByteBuffer readAt(Path path, FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        long p = position;
        while (b.hasRemaining()) {
            int n = channel.read(b, p);
            if (n < 0) {
                throw WavFormatException.of(path, "Truncated WAV header: needed " + length + " bytes at offset "
                        + position + ", the file has " + channel.size());
            }
            p += n;
        }
        return b.flip();
    }

    /** {@code 'RIFF'} for printable ASCII, else the bytes in hex (never raw binary in a message). */
    private static String printable(ByteBuffer b, int index, int length) {
        StringBuilder text = new StringBuilder("'");
        StringBuilder hex = new StringBuilder("bytes");
        boolean ascii = true;
        for (int i = index; i < index + length; i++) {
            int c = b.get(i) & 0xFF;
            ascii &= c >= 0x20 && c < 0x7F;
            text.append((char) c);
            hex.append(String.format(" %02x", c));
        }
        return ascii ? text.append('\'').toString() : hex.toString();
    }

    private static String fourCc(ByteBuffer b, int index) {
        byte[] id = new byte[4];
        b.get(index, id);
        return new String(id, StandardCharsets.US_ASCII);
    }
}
