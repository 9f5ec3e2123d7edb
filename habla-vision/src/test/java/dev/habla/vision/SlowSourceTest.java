package dev.habla.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pump that cannot keep up (capture slower than the frame period) skips the ticks it missed instead of catching up:
 * frames are dropped, never queued, and each frame it does get is sent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowSourceTest {
    /** Every grab costs 250 ms (standing in for a slow capture or encoder) and returns a different picture. */
    static final class SlowSource implements VideoSource {
        private int n;

        @Override
        public BufferedImage grab() throws InterruptedException {
            Thread.sleep(250);   // simulated work, not a wait for an event
            BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = img.createGraphics();
            g.setColor(n++ % 2 == 0 ? Color.WHITE : Color.BLACK);
            g.fillRect(0, 0, 320, 240);
            g.dispose();
            return img;
        }

        @Override
        public String describe() {
            return "slow";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aSlowSourceDropsTicksAndNeverQueuesFrames() throws Exception {
        VisionConfig tenFps = VisionConfig.DEFAULT.withFps(10);   // a 100 ms period against 250 ms per grab
        try (Seen seen = new Seen(); VisionFeed feed = VisionFeed.start(new SlowSource(), seen.session, tenFps)) {
            assertThat(feed.awaitGrabbed(6, Duration.ofSeconds(20))).isTrue();
            VisionFeed.Stats s = feed.stats();
            assertThat(s.sent()).isEqualTo(s.grabbed());                        // every frame changed: all sent
            assertThat(s.droppedLate()).isGreaterThanOrEqualTo(s.grabbed() - 1);  // >= 1 missed tick per late grab
            assertThat(seen.session.queuedBytes()).isLessThan(2L * s.bytesPerFrame() + 1);   // no backlog of frames
            assertThat(seen.ask("what do you see")).matches("I see a 320x240 image, mostly (white|black); \\d+ frames since your last turn\\.");
        }
    }
}
