package dev.habla.vision.internal;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Downscale-to-fit and JPEG encoding of one frame. Not thread-safe (it keeps one ImageIO JPEG writer): one per
 * feed, used only by the feed's pump thread (and by callers holding the feed's send lock).
 */
public final class FrameEncoder implements AutoCloseable {
    private final ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    private final ImageWriteParam param = writer.getDefaultWriteParam();

    public FrameEncoder(float quality) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
    }

    /**
     * {@code src} scaled (bilinear, aspect kept) to fit {@code maxSide}×{@code maxSide}, as 3-byte BGR (JPEG has no
     * alpha); {@code src} itself when it already fits and has that type.
     */
    public static BufferedImage fit(BufferedImage src, int maxSide) {
        int w = src.getWidth(), h = src.getHeight();
        double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
        int tw = Math.max(1, (int) Math.round(w * scale)), th = Math.max(1, (int) Math.round(h * scale));
        if (scale == 1.0 && src.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            return src;
        }
        BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, tw, th, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** The JPEG bytes of {@code img} at this encoder's quality. */
    public byte[] jpeg(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // in-memory: only on a writer bug
        } finally {
            writer.setOutput(null);
        }
        return bytes.toByteArray();
    }

    @Override
    public void close() {
        writer.dispose();
    }
}
