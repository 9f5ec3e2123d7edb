package dev.habla.vision;

/** A vision source or image that cannot be used; {@link #kind()} says why, the message says it for a person. */
public final class VisionException extends RuntimeException {
    /** Why. */
    public enum Kind {
        /** No {@code ffmpeg} on the PATH (or at {@code HABLA_FFMPEG}). */
        NO_FFMPEG,
        /** The camera (or ffmpeg input) does not exist, cannot be opened, or gives no frame. */
        NO_CAMERA,
        /** No display to capture (headless JVM, no {@code DISPLAY}). */
        HEADLESS,
        /** A bad screen region or monitor. */
        BAD_REGION,
        /** A file that is missing, unreadable, or not an image ImageIO can read. */
        NOT_AN_IMAGE,
        /** The source ended (a video file or test pattern ran out, the camera went away). */
        ENDED
    }

    private final Kind kind;

    public VisionException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public VisionException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
