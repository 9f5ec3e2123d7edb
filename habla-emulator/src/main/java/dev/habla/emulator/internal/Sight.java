package dev.habla.emulator.internal;

import dev.habla.protocol.Blob;
import dev.habla.protocol.Content;
import dev.habla.protocol.Part;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * What the deterministic brain "sees" in a frame: its pixel size and the name of its dominant colour, and whether a
 * frame is an image at all. Stateless; called on the connection's thread: {@link #isBroken} for every image as it
 * arrives, {@link #describe} only for a turn that asks about it (decoding costs a few ms per frame).
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

    /**
     * Whether {@code b} claims an image type ImageIO reads (JPEG, PNG, GIF, BMP, WBMP, TIFF) yet its data is not a
     * complete image: empty, garbage, or cut short. Other types (video/*, image/webp, image/heic…) are not judged: the
     * service takes them and the emulator cannot read them. The data may be any format ImageIO reads, whatever the
     * label says. Reads every row of the stream (a truncated JPEG only shows as a warning at its end) but keeps one
     * pixel in 8×8, which halves the cost of a full decode (about 10 ms for a 1024×768 JPEG).
     */
    static boolean isBroken(Blob b) {
        String mime = b.mimeType() == null ? "" : b.mimeType().split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mime.startsWith("image/") || !ImageIO.getImageReadersByMIMEType(mime).hasNext()) {
            return false;
        }
        return !decodesCompletely(b.data());
    }

    /** Whether an inline image part of {@code c} is {@link #isBroken broken}. */
    static boolean hasBrokenImage(Content c) {
        if (c != null && c.parts() != null) {
            for (Part p : c.parts()) {
                if (p != null && p.inlineData() != null && isBroken(p.inlineData())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean decodesCompletely(byte[] data) {
        if (data == null || data.length == 0) {
            return false;
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return false;
            }
            ImageReader reader = readers.next();
            boolean[] warned = {false};   // the JPEG reader reports missing data as warnings, then fills it grey
            reader.addIIOReadWarningListener((source, warning) -> warned[0] = true);
            try {
                reader.setInput(in, true, true);
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(8, 8, 0, 0);
                reader.read(0, param);
                return !warned[0];
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
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
