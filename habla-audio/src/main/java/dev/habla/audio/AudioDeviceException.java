package dev.habla.audio;

/**
 * No usable audio device: none exists, none supports the format, or it is busy. The message is one line meant for
 * a person (e.g. {@code No audio output device: Java Sound sees 0 mixers}). Unchecked (see {@link AudioException}).
 */
public final class AudioDeviceException extends AudioException {
    private static final long serialVersionUID = 1L;

    public AudioDeviceException(String message) {
        super(message);
    }

    public AudioDeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
