package dev.habla.emulator.internal;

import dev.habla.protocol.Blob;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * What the deterministic brain "sees" in a frame: its pixel size and the name of its dominant colour. Stateless;
 * called on the connection's thread only for a turn that asks about it (decoding costs a few ms per frame).
 */
final class Sight {
    /** Colour names by hue sector (upper bound in degrees, exclusive), after the achromatic ones. */
    private static final String[] HUE_NAMES = {"red", "orange", "yellow", "green", "cyan", "blue", "purple", "magenta", "red"};
    private static final int[] HUE_LIMITS = {15, 45, 70, 165, 195, 255, 285, 345, 361};
    /** Pixels sampled per axis: enough for a dominant colour, bounded cost for a 1024 px frame. */
    private static final int GRID = 64;

    private Sight() {}

    /** The sentence for a "what do you see" turn. */
    static String describe(Blob last, int framesSinceTurn) {
        String since = framesSinceTurn + (framesSinceTurn == 1 ? " frame" : " frames") + " since your last turn.";
        if (last == null) {
            return "I see nothing: no image or video frame arrived yet.";
        }
        BufferedImage img = decode(last);
        if (img == null) {
            return "I cannot see the last frame: its " + last.mimeType() + " data is not a decodable image; " + since;
        }
        return String.format(Locale.ROOT, "I see a %dx%d image, mostly %s; %s", img.getWidth(), img.getHeight(),
                dominantColour(img), since);
    }

    static BufferedImage decode(Blob b) {
        if (b.data() == null || b.data().length == 0 || b.mimeType() == null || !b.mimeType().startsWith("image/")) {
            return null;
        }
        try {
            return ImageIO.read(new ByteArrayInputStream(b.data()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The most frequent colour name over a grid of samples (black, white, grey, or a hue name). */
    static String dominantColour(BufferedImage img) {
        java.util.Map<String, Integer> votes = new java.util.HashMap<>();
        int w = img.getWidth(), h = img.getHeight();
        for (int gy = 0; gy < GRID; gy++) {
            for (int gx = 0; gx < GRID; gx++) {
                int rgb = img.getRGB(Math.min(w - 1, (2 * gx + 1) * w / (2 * GRID)), Math.min(h - 1, (2 * gy + 1) * h / (2 * GRID)));
                votes.merge(name(rgb), 1, Integer::sum);
            }
        }
        return votes.entrySet().stream().max(java.util.Map.Entry.<String, Integer>comparingByValue()
                .thenComparing(java.util.Map.Entry.comparingByKey(java.util.Comparator.reverseOrder()))).orElseThrow().getKey();
    }

    static String name(int rgb) {
        float[] hsb = java.awt.Color.RGBtoHSB((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF, null);
        if (hsb[2] < 0.2f) {
            return "black";
        }
        if (hsb[1] < 0.2f) {
            return hsb[2] > 0.8f ? "white" : "grey";
        }
        int hue = Math.round(hsb[0] * 360);
        for (int i = 0; i < HUE_LIMITS.length; i++) {
            if (hue < HUE_LIMITS[i]) {
                return HUE_NAMES[i];
            }
        }
        return "red";
    }
}
