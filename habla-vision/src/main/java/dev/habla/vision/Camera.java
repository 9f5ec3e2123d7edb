package dev.habla.vision;

import dev.habla.vision.internal.FfmpegCamera;
import dev.habla.vision.internal.Ffmpeg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Cameras, read through an {@code ffmpeg} subprocess (v4l2 on Linux, avfoundation on macOS, dshow on Windows; the
 * binary is {@code ffmpeg} on the PATH or {@code HABLA_FFMPEG}). Any ffmpeg input works as a camera too: a video
 * file, or a {@code lavfi} test pattern, which is how the tests run. ffmpeg applies the frame rate and the
 * downscale-to-fit of the {@link VisionConfig}; the {@link VisionFeed} encodes.
 *
 * <pre>{@code
 * try (VideoSource cam = Camera.open("lavfi:testsrc=size=640x480", VisionConfig.DEFAULT)) { ... }
 * }</pre>
 */
public final class Camera {
    private Camera() {}

    /**
     * Opens a camera by a user's spec: null, empty or {@code default} for the first camera; {@code lavfi:GRAPH} for
     * an ffmpeg test source (e.g. {@code lavfi:color=c=red:size=640x480}); the path of an existing video file;
     * otherwise a device of this platform ({@code /dev/video1} or {@code 1} on Linux, an index or name on macOS, a
     * name on Windows).
     *
     * @throws VisionException {@code NO_FFMPEG}, {@code NO_CAMERA}
     */
    public static VideoSource open(String spec, VisionConfig config) {
        Objects.requireNonNull(config, "config");
        String s = spec == null ? "" : spec.strip();
        if (s.startsWith("lavfi:")) {
            return ffmpeg(List.of("-f", "lavfi", "-i", s.substring(6)), "test pattern " + s.substring(6), config);
        }
        if (!s.isEmpty() && !s.startsWith("/dev/") && Files.isRegularFile(Path.of(s))) {
            return ffmpeg(List.of("-i", s), "video file " + s, config);
        }
        String device = s.isEmpty() || s.equals("default") ? null : s;
        List<String> input = Ffmpeg.cameraInput(Ffmpeg.platform(), device);
        return ffmpeg(input, "camera " + input.getLast(), config);
    }

    /**
     * Any ffmpeg input as a camera, e.g. {@code List.of("-f", "lavfi", "-i", "testsrc=size=640x480:rate=10")}. Inputs
     * that are not capture devices (files, lavfi) are read at their native rate ({@code -re}).
     */
    public static VideoSource ffmpeg(List<String> inputArgs, String description, VisionConfig config) {
        return FfmpegCamera.start(description, List.copyOf(inputArgs), config.fps(), config.maxSide());
    }

    /** The cameras ffmpeg can open on this machine (may be empty). @throws VisionException {@code NO_FFMPEG} */
    public static List<String> devices() {
        return Ffmpeg.devices(Ffmpeg.platform());
    }
}
