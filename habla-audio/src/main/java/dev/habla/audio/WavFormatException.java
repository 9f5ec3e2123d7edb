package dev.habla.audio;

import java.io.IOException;

/** A file is not a WAV file this package can read (not RIFF/WAVE, not 16-bit PCM, truncated header). */
public final class WavFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public WavFormatException(String message) {
        super(message);
    }
}
