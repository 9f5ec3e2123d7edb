package dev.habla.voice;

/** A voice activity detector could not be created or failed on a frame (model missing, runtime error). */
public final class VadException extends RuntimeException {

    public VadException(String message) {
        super(message);
    }

    public VadException(String message, Throwable cause) {
        super(message, cause);
    }
}
