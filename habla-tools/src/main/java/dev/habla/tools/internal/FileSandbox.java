package dev.habla.tools.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Read-only access to UTF-8 text files under a fixed set of folders, for the {@code read_file} tool.
 *
 * <p>A path is accepted only if, after resolving it (relative paths against the first folder), normalising
 * {@code ..} and following every symbolic link ({@link Path#toRealPath}), it lies inside one of the folders' real
 * paths. The lexical check comes first so that nothing outside is even probed (the error for an outside path is the
 * same whether or not it exists). The file is then opened by its real path without following links, and at most
 * {@code maxBytes} are read (the rest is reported as truncated, cut at a character boundary). Files that are not
 * valid UTF-8 or contain NUL bytes are refused as binary. Thread-safe and immutable.
 */
public final class FileSandbox {
    /** The default cap: enough for a source file or a page of notes, small enough for the model's context. */
    public static final int DEFAULT_MAX_BYTES = 64 * 1024;

    private final List<Path> roots;        // real paths: where files must really be
    private final List<Path> lexicalRoots; // as given (absolute, normalised) and real: the first, lexical check
    private final int maxBytes;

    /** What was read. {@code size} is the file's full size in bytes; {@code truncated} if only the first part is in {@code content}. */
    public record FileContent(String path, String content, long size, boolean truncated) {}

    /** A refused or failed read; the message is meant for the model. */
    public static final class SandboxException extends IOException {
        private static final long serialVersionUID = 1L;

        SandboxException(String message) {
            super(message);
        }
    }

    /**
     * @param allowed  folders that may be read (each must exist and be a directory)
     * @param maxBytes how many bytes of a file are returned at most
     * @throws IllegalArgumentException if a folder does not exist or is not a directory
     */
    public FileSandbox(List<Path> allowed, int maxBytes) {
        Objects.requireNonNull(allowed, "allowed");
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("read_file needs at least one allowed folder");
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        List<Path> real = new ArrayList<>();
        List<Path> lexical = new ArrayList<>();
        for (Path p : allowed) {
            Path given = p.toAbsolutePath().normalize();
            if (!lexical.contains(given)) {
                lexical.add(given);
            }
            try {
                Path r = p.toRealPath();
                if (!Files.isDirectory(r)) {
                    throw new IllegalArgumentException("allowed folder " + p + " is not a directory");
                }
                if (!real.contains(r)) {
                    real.add(r);
                }
                if (!lexical.contains(r)) {
                    lexical.add(r);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("allowed folder " + p + " does not exist or cannot be read: " + e.getMessage(), e);
            }
        }
        this.roots = List.copyOf(real);
        this.lexicalRoots = List.copyOf(lexical);
        this.maxBytes = maxBytes;
    }

    /** The allowed folders, as real paths. */
    public List<Path> roots() {
        return roots;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /**
     * Reads a file.
     *
     * @throws SandboxException with a message for the model: outside the allowed folders, missing, a directory, binary,
     *                          unreadable
     */
    public FileContent read(String requested) throws IOException {
        if (requested == null || requested.isBlank()) {
            throw new SandboxException("path is empty");
        }
        Path candidate;
        try {
            candidate = lexicalRoots.getFirst().resolve(requested.strip()).normalize();
        } catch (InvalidPathException e) {
            throw new SandboxException("invalid path '" + requested + "': " + e.getReason());
        }
        if (lexicalRoots.stream().noneMatch(candidate::startsWith)) {
            throw outside(requested);
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            throw new SandboxException("no such file: " + requested);
        } catch (AccessDeniedException e) {
            throw new SandboxException("permission denied: " + requested);
        }
        // Symbolic links (the file itself or a folder on the way) may point elsewhere: check where they really lead.
        if (roots.stream().noneMatch(real::startsWith)) {
            throw outside(requested);
        }
        if (Files.isDirectory(real)) {
            throw new SandboxException(requested + " is a directory, not a file");
        }
        if (!Files.isRegularFile(real)) {
            throw new SandboxException(requested + " is not a regular file");
        }
        long size;
        byte[] head;
        try (InputStream in = Files.newInputStream(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            size = Files.size(real);
            head = in.readNBytes(maxBytes + 1);
        } catch (AccessDeniedException e) {
            throw new SandboxException("permission denied: " + requested);
        }
        boolean truncated = head.length > maxBytes;
        int length = Math.min(head.length, maxBytes);
        for (int i = 0; i < length; i++) {
            if (head[i] == 0) {
                throw new SandboxException(requested + " is not a text file (it contains NUL bytes)");
            }
        }
        String text = decode(head, length, truncated, requested);
        return new FileContent(real.toString(), text, Math.max(size, head.length), truncated);
    }

    /**
     * Strict UTF-8 decoding; for a truncated file an incomplete character at the cut is dropped (the decoder is told
     * more input would follow), not reported as an error.
     */
    private static String decode(byte[] bytes, int length, boolean truncated, String requested) throws SandboxException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        CharBuffer out = CharBuffer.allocate(length);
        CoderResult r = decoder.decode(in, out, !truncated);
        if (r.isError()) {
            throw new SandboxException(requested + " is not a UTF-8 text file");
        }
        if (!truncated) {
            r = decoder.flush(out);
            if (r.isError()) {
                throw new SandboxException(requested + " is not a UTF-8 text file");
            }
        } else if (in.remaining() > 3) {
            throw new SandboxException(requested + " is not a UTF-8 text file");
        }
        out.flip();
        return out.toString();
    }

    private static SandboxException outside(String requested) {
        return new SandboxException("access denied: " + requested + " is outside the allowed folders");
    }
}
