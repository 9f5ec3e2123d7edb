package dev.habla.audio;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A WAV file could not be opened, created or parsed by a factory ({@code WavReader.open/read},
 * {@code WavWriter.create}, {@code WavSource.open}, {@code WavSink.create}). The cause is the {@link IOException}
 * (missing file, no permission, disk full), or none for a file that is not WAV ({@link WavFormatException}).
 * Unchecked (see {@link AudioException}); reads and writes on an open file still throw {@code IOException}.
 */
public class AudioFileException extends AudioException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    public AudioFileException(Path path, String message) {
        super(message);
        this.path = path;
    }

    public AudioFileException(Path path, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
    }

    /** Wraps an I/O failure on {@code path}, naming the file and what was being done. */
    static AudioFileException of(Path path, String doing, IOException cause) {
        return new AudioFileException(path, "Cannot " + doing + " " + path + ": " + cause, cause);
    }

    /** The file, or null if unknown. */
    public Path path() {
        return path;
    }
}
