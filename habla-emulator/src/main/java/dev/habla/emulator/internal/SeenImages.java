package dev.habla.emulator.internal;

import dev.habla.emulator.TurnInput;
import dev.habla.protocol.Blob;
import dev.habla.protocol.Content;
import dev.habla.protocol.Part;
import java.util.ArrayDeque;
import java.util.List;

/**
 * What one connection's model has seen: the images and video frames since the last turn input was built (the newest
 * {@link TurnInput#MAX_IMAGES} and a count of all), and the newest frame of the connection.
 *
 * <p>Owned by the connection's {@link Brain}: called only with the connection's lock held, so it needs no guarding.
 */
final class SeenImages {
    /** Images and video frames since the last turn input was built, newest last, at most {@link TurnInput#MAX_IMAGES}. */
    private final ArrayDeque<Blob> recentImages = new ArrayDeque<>();
    /** Every image and frame since the last turn input was built (recentImages keeps only the newest). */
    private int framesSinceTurn;
    /** The newest image or frame of this connection (kept across turns: a still scene is sent once). */
    private Blob lastFrame;

    void remember(Blob b) {
        framesSinceTurn++;
        lastFrame = b;
        recentImages.addLast(b);
        while (recentImages.size() > TurnInput.MAX_IMAGES) {
            recentImages.removeFirst();
        }
    }

    /** Remembers the image parts of a content turn. */
    void noteImages(Content c) {
        if (c.parts() != null) {
            for (Part p : c.parts()) {
                if (p != null && p.inlineData() != null && Parts.isVisual(p.inlineData().mimeType())) {
                    remember(p.inlineData());
                }
            }
        }
    }

    /** What a turn input shows, taken once: the recent images and the frame count start again after it. */
    Taken take() {
        Taken t = new Taken(List.copyOf(recentImages), framesSinceTurn, lastFrame);
        recentImages.clear();
        framesSinceTurn = 0;
        return t;
    }

    void clear() {
        recentImages.clear();
        framesSinceTurn = 0;
        lastFrame = null;
    }

    record Taken(List<Blob> images, int frames, Blob lastFrame) {}
}
