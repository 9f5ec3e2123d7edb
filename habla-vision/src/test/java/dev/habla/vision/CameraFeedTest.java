package dev.habla.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.vision.internal.FfmpegCamera;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12, must-show 1: ffmpeg's lavfi test sources stand in for the camera (a solid colour, then a moving
 * pattern): frames arrive at the configured rate and size, the emulator names the colour, unchanged frames are
 * skipped, changed ones are not. Needs ffmpeg (installed by .ci/run); skipped only when CI is not set.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CameraFeedTest {
    static final VisionConfig TWO_FPS = VisionConfig.DEFAULT.withFps(2);

    @BeforeAll
    static void needsFfmpeg() {
        TestEnv.requireFfmpeg();
    }

    @Test
    void aStillSceneIsSentOnceAMovingOneEveryFrameAndTheEmulatorSeesBoth() throws Exception {
        try (Seen seen = new Seen()) {
            long t0 = System.nanoTime();
            VisionFeed still;
            try (VisionFeed feed = VisionFeed.start(Camera.open("lavfi:color=c=red:size=640x480:rate=10:duration=3", TWO_FPS),
                    seen.session, TWO_FPS)) {
                assertThat(feed.awaitEnded(Duration.ofSeconds(30))).isTrue();
                still = feed;
                // 3 s at 2 fps: ffmpeg delivers exactly 6 frames, in real time (-re), each grabbed or superseded.
                assertThat(((FfmpegCamera) feed.source()).produced()).isEqualTo(6);
                assertThat(System.nanoTime() - t0).isGreaterThan(Duration.ofMillis(2_400).toNanos());
            }
            VisionFeed.Stats s = still.stats();
            assertThat(still.failure()).isNull();
            assertThat(s.grabbed() + s.droppedBySource()).isEqualTo(6);
            assertThat(s.sent()).isEqualTo(1);
            assertThat(s.skippedUnchanged()).isEqualTo(s.grabbed() - 1);
            assertThat(s.lastWidth()).isEqualTo(640);
            assertThat(s.lastHeight()).isEqualTo(480);
            assertThat(seen.ask("what do you see?")).isEqualTo("I see a 640x480 image, mostly red; 1 frame since your last turn.");

            // A white box moving over green, 1920x1080: downscaled to fit 1024, every frame changed, none skipped.
            String moving = "lavfi:color=c=green:s=1920x1080:r=10:d=2[bg];color=c=white:s=240x240:r=10[box];"
                    + "[bg][box]overlay=x=t*400:y=200:shortest=1[out0]";
            try (VisionFeed feed = VisionFeed.start(Camera.open(moving, TWO_FPS), seen.session, TWO_FPS)) {
                assertThat(feed.awaitEnded(Duration.ofSeconds(30))).isTrue();
                s = feed.stats();
                assertThat(((FfmpegCamera) feed.source()).produced()).isEqualTo(4);
            }
            assertThat(s.grabbed() + s.droppedBySource()).isEqualTo(4);
            assertThat(s.skippedUnchanged()).isZero();
            assertThat(s.sent()).isEqualTo(s.grabbed()).isGreaterThanOrEqualTo(3);
            assertThat(s.lastWidth()).isEqualTo(1024);
            assertThat(s.lastHeight()).isEqualTo(576);
            assertThat(seen.ask("¿qué ves?")).isEqualTo("I see a 1024x576 image, mostly green; " + s.sent() + " frames since your last turn.");
        }
    }

    @Test
    void aMissingCameraOrInputIsAClearError() throws Exception {
        assertThatThrownBy(() -> Camera.open("/dev/video77", VisionConfig.DEFAULT))
                .isInstanceOf(VisionException.class)
                .hasMessageStartingWith("no camera at /dev/video77")
                .extracting(e -> ((VisionException) e).kind()).isEqualTo(VisionException.Kind.NO_CAMERA);
        try (VideoSource bad = Camera.open("lavfi:nosuchsource=x", VisionConfig.DEFAULT)) {
            assertThatThrownBy(bad::grab).isInstanceOf(VisionException.class)
                    .hasMessageContaining("cannot open test pattern nosuchsource=x: ffmpeg says:")
                    .extracting(e -> ((VisionException) e).kind()).isEqualTo(VisionException.Kind.NO_CAMERA);
        }
        assertThat(Camera.devices()).allMatch(d -> d.startsWith("/dev/video"));
    }
}
