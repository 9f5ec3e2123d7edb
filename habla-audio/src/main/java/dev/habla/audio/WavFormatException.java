package dev.habla.audio;

import java.nio.file.Path;

/** A file is not a WAV file this package can read (not RIFF/WAVE, not 16-bit PCM, truncated header). */
public final class WavFormatException extends AudioFileException {
    private static final long serialVersionUID = 1L;

    public WavFormatException(Path path, String message) {
        super(path, message);
    }
}
