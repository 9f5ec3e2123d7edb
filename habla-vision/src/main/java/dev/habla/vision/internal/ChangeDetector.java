package dev.habla.vision.internal;

import java.awt.image.BufferedImage;

/**
 * The skip rule (module README, <em>The skip rule</em>): a frame is summarised as the mean luma of each cell of a
 * 32×32 grid (up to 8×8 samples per cell); it counts as changed from the last frame <em>sent</em> when the mean
 * absolute cell difference reaches the threshold, or any one cell moved by four times it (a small object moving on
 * a still background). Comparing with the last frame sent, not the last one seen, lets slow drift add up. Stateless.
 */
public final class ChangeDetector {
    public static final int GRID = 32;
    private static final int SAMPLES = 8;

    private ChangeDetector() {}

    /** The 32×32 cell signature of {@code img}, luma 0..255. */
    public static float[] signature(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        float[] sig = new float[GRID * GRID];
        for (int cy = 0; cy < GRID; cy++) {
            int y0 = cy * h / GRID, y1 = Math.max(y0 + 1, (cy + 1) * h / GRID);
            for (int cx = 0; cx < GRID; cx++) {
                int x0 = cx * w / GRID, x1 = Math.max(x0 + 1, (cx + 1) * w / GRID);
                float sum = 0;
                int n = 0;
                for (int sy = 0; sy < SAMPLES; sy++) {
                    int y = Math.min(h - 1, y0 + (2 * sy + 1) * (y1 - y0) / (2 * SAMPLES));
                    for (int sx = 0; sx < SAMPLES; sx++) {
                        int x = Math.min(w - 1, x0 + (2 * sx + 1) * (x1 - x0) / (2 * SAMPLES));
                        int rgb = img.getRGB(x, y);
                        sum += 0.299f * ((rgb >> 16) & 0xFF) + 0.587f * ((rgb >> 8) & 0xFF) + 0.114f * (rgb & 0xFF);
                        n++;
                    }
                }
                sig[cy * GRID + cx] = sum / n;
            }
        }
        return sig;
    }

    /** Mean absolute difference of two signatures. */
    public static double meanDiff(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s / a.length;
    }

    /** Largest cell difference of two signatures. */
    public static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** Whether {@code now} changed meaningfully from {@code lastSent} (null: nothing sent yet, so yes). */
    public static boolean changed(float[] lastSent, float[] now, double threshold) {
        return lastSent == null || meanDiff(lastSent, now) >= threshold || maxDiff(lastSent, now) >= 4 * threshold;
    }
}
