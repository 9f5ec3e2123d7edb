package dev.habla.vision;

import com.sun.management.OperatingSystemMXBean;
import dev.habla.vision.internal.FfmpegCamera;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Figures for the module README (not a unit test): the frame pipeline at 1 fps on lavfi sources standing in for a
 * camera, 640x480 and 1920x1080, a still scene, a still scene with sensor-like noise, and a moving one; and the screen
 * through Robot when there is a display. Frames go to the bundled emulator over loopback (its CPU is in the JVM figure).
 * Run: {@code habla-vision/run-report.sh [seconds per scene, default 20]}.
 */
public final class VisionCostReport {
    private VisionCostReport() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf(Locale.ROOT, "Vision pipeline at 1 fps, %d s per scene, %d cores, %s%n", seconds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println("| source | scene | frames | sent | skipped | bytes/frame sent | JVM ms/frame (fit+detect+encode) | JVM CPU % | ffmpeg CPU % |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        try (Seen seen = new Seen()) {
            for (String size : List.of("640x480", "1920x1080")) {
                run(seen, os, size, "still", "lavfi:smptebars=size=" + size + ":rate=30", seconds);
                run(seen, os, size, "still + noise", "lavfi:smptebars=size=" + size + ":rate=30,noise=alls=6:allf=t", seconds);
                run(seen, os, size, "moving", "lavfi:testsrc2=size=" + size + ":rate=30", seconds);
            }
            if (!java.awt.GraphicsEnvironment.isHeadless()) {
                run(seen, os, "screen", "still desktop", null, seconds);
            }
        }
    }

    static void run(Seen seen, OperatingSystemMXBean os, String size, String scene, String camera, int seconds) throws Exception {
        VisionConfig config = VisionConfig.DEFAULT;
        VideoSource source = camera == null ? Screen.open(null) : Camera.open(camera, config);
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        VisionFeed.Stats s;
        double ffmpegCpu = 0;
        try (VisionFeed feed = VisionFeed.start(source, seen.session, config)) {
            feed.awaitGrabbed(seconds, Duration.ofSeconds(seconds * 3L));
            s = feed.stats();
            if (source instanceof FfmpegCamera cam) {
                ffmpegCpu = cam.processHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
            }
        }
        double wall = System.nanoTime() - t0;
        double jvmCpu = os.getProcessCpuTime() - cpu0;
        System.out.printf(Locale.ROOT, "| %s %s | %s | %d | %d | %.0f %% | %,d | %.1f | %.1f | %.1f |%n",
                camera == null ? "Robot" : "ffmpeg", size, scene, s.grabbed(), s.sent(),
                100.0 * s.skippedUnchanged() / Math.max(1, s.grabbed()), s.bytesPerFrame(),
                s.encodeNanos() / 1e6 / Math.max(1, s.grabbed()), 100 * jvmCpu / wall, 100 * ffmpegCpu / wall);
        if (camera == null) {
            System.out.printf(Locale.ROOT, "  (Robot capture: %.1f ms/frame)%n", s.captureNanos() / 1e6 / Math.max(1, s.grabbed()));
        }
    }
}
