/**
 * Vision for a Live session: {@link dev.habla.vision.VideoSource}s (a camera through an {@code ffmpeg} subprocess,
 * the screen through {@code java.awt.Robot}, image files through ImageIO) and the {@link dev.habla.vision.VisionFeed}
 * that turns a source into JPEG frames on a session's video lane (rate, downscale, skip-unchanged). Machinery is in
 * {@code dev.habla.vision.internal}.
 */
package dev.habla.vision;
