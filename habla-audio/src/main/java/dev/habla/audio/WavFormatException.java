package dev.habla.audio;

import java.nio.file.Path;

/**
 * A file is not a WAV file this package can read (not RIFF/WAVE, an encoding {@link WavReader} does not convert,
 * truncated header). {@link #reason()} says why without the path, for a message that names the file already.
 */
public final class WavFormatException extends AudioFileException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public WavFormatException(Path path, String message) {
        super(path, message);
        this.reason = message;
    }

    private WavFormatException(Path path, String reason, String message) {
        super(path, message);
        this.reason = reason;
    }

    /** {@code reason} about {@code path}: the message is "reason (in path)". */
    static WavFormatException of(Path path, String reason) {
        return new WavFormatException(path, reason, reason + " (in " + path + ")");
    }

    /** Why the file cannot be read, without its path. */
    public String reason() {
        return reason;
    }
}
