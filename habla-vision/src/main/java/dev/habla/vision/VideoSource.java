package dev.habla.vision;

import java.awt.image.BufferedImage;

/**
 * Where frames come from: a camera, the screen, a test pattern. Like the microphone for audio, a source is opened,
 * read by one thread (the {@link VisionFeed}'s pump), and closed; {@code close()} is idempotent and may be called
 * from any thread (it ends a blocked {@link #grab()}).
 */
public interface VideoSource extends AutoCloseable {
    /**
     * The next frame: for a camera, the newest frame not returned before (waiting for one; older unread frames are
     * dropped, never queued); for the screen, a capture now.
     *
     * @return the frame, or null when the source has ended (a file or test pattern ran out) or was closed
     * @throws VisionException if the source failed (the camera went away, ffmpeg died)
     */
    BufferedImage grab() throws InterruptedException;

    /** Frames the source produced that were never grabbed because a newer one replaced them (camera); else 0. */
    default long dropped() {
        return 0;
    }

    /** A short description for status lines, e.g. {@code camera /dev/video0} or {@code screen 0,0 1920x1080}. */
    String describe();

    @Override
    void close();
}
