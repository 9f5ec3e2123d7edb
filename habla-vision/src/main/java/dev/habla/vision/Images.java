package dev.habla.vision;

import dev.habla.vision.internal.FrameEncoder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/** Image files (JPEG, PNG, GIF, BMP, WBMP and whatever other ImageIO readers are installed); others are refused. */
public final class Images {
    private Images() {}

    /** Reads {@code file}. @throws VisionException {@code NOT_AN_IMAGE} if missing, unreadable or not an image */
    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new VisionException(VisionException.Kind.NOT_AN_IMAGE, "no such image file: " + file);
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new VisionException(VisionException.Kind.NOT_AN_IMAGE, "cannot read " + file + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new VisionException(VisionException.Kind.NOT_AN_IMAGE, file + " is not an image this JVM can read (readable: "
                    + String.join(", ", formats()) + ")");
        }
        return img;
    }

    /** {@code file} downscaled to fit {@code config.maxSide()} and JPEG-encoded at {@code config.jpegQuality()}. */
    public static EncodedImage jpeg(Path file, VisionConfig config) {
        return encode(read(file), config);
    }

    /** {@code img} downscaled to fit {@code config.maxSide()} and JPEG-encoded at {@code config.jpegQuality()}. */
    public static EncodedImage encode(BufferedImage img, VisionConfig config) {
        BufferedImage fitted = FrameEncoder.fit(img, config.maxSide());
        try (FrameEncoder enc = new FrameEncoder(config.jpegQuality())) {
            return new EncodedImage(enc.jpeg(fitted), fitted.getWidth(), fitted.getHeight());
        }
    }

    /** The image formats ImageIO reads here, lower case. */
    public static TreeSet<String> formats() {
        TreeSet<String> f = new TreeSet<>();
        Arrays.stream(ImageIO.getReaderFormatNames()).map(s -> s.toLowerCase(Locale.ROOT)).forEach(f::add);
        return f;
    }
}
