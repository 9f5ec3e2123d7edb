package dev.habla.vision;

/**
 * How a {@link VisionFeed} turns a source into frames.
 *
 * @param fps             frames per second to capture (Gemini Live processes video at 1 fps); &gt; 0, at most 30
 * @param maxSide         frames are downscaled (keeping the aspect ratio) to fit {@code maxSide}×{@code maxSide}
 *                        pixels; the service's own limit is 1024 (768 on Vertex)
 * @param jpegQuality     JPEG quality 0.1..1.0
 * @param skipUnchanged   skip frames that did not change meaningfully since the last one sent (module README,
 *                        <em>The skip rule</em>)
 * @param changeThreshold the skip rule's threshold: the mean absolute luma change over a 32×32 grid of cells, in
 *                        levels of 255, at or above which a frame counts as changed (a single cell changing by
 *                        4× this much also counts)
 */
public record VisionConfig(double fps, int maxSide, float jpegQuality, boolean skipUnchanged, double changeThreshold) {
    /** 1 fps, 1024 px, quality 0.6, skip unchanged frames, threshold 1.5 levels. */
    public static final VisionConfig DEFAULT = new VisionConfig(1.0, 1024, 0.6f, true, 1.5);

    public VisionConfig {
        if (!(fps > 0 && fps <= 30)) {
            throw new IllegalArgumentException("fps must be in (0, 30], was " + fps);
        }
        if (maxSide < 16 || maxSide > 4096) {
            throw new IllegalArgumentException("maxSide must be in [16, 4096], was " + maxSide);
        }
        if (!(jpegQuality >= 0.1f && jpegQuality <= 1.0f)) {
            throw new IllegalArgumentException("jpegQuality must be in [0.1, 1.0], was " + jpegQuality);
        }
        if (!(changeThreshold >= 0)) {
            throw new IllegalArgumentException("changeThreshold must be >= 0, was " + changeThreshold);
        }
    }

    public VisionConfig withFps(double v) { return new VisionConfig(v, maxSide, jpegQuality, skipUnchanged, changeThreshold); }
    public VisionConfig withMaxSide(int v) { return new VisionConfig(fps, v, jpegQuality, skipUnchanged, changeThreshold); }
    public VisionConfig withJpegQuality(float v) { return new VisionConfig(fps, maxSide, v, skipUnchanged, changeThreshold); }
    public VisionConfig withSkipUnchanged(boolean v) { return new VisionConfig(fps, maxSide, jpegQuality, v, changeThreshold); }
    public VisionConfig withChangeThreshold(double v) { return new VisionConfig(fps, maxSide, jpegQuality, skipUnchanged, v); }
}
