package dev.habla.vision;

import dev.habla.client.LiveSession;
import dev.habla.client.SendResult;
import dev.habla.vision.internal.ChangeDetector;
import dev.habla.vision.internal.FrameEncoder;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Feeds a {@link VideoSource} into a session's video lane, like the voice loop feeds the microphone: at
 * {@link VisionConfig#fps()} it grabs a frame, downscales it to fit {@link VisionConfig#maxSide()}, skips it if it
 * did not change meaningfully since the last frame sent (the skip rule), JPEG-encodes it and calls
 * {@link LiveSession#sendVideo}. Video never delays audio: frames go through the session's realtime video lane, and
 * a pump that falls behind (slow capture or encoder) skips the ticks it missed, so frames are dropped, never queued.
 *
 * <pre>{@code
 * try (VisionFeed feed = VisionFeed.start(Camera.open("lavfi:testsrc", VisionConfig.DEFAULT), session, VisionConfig.DEFAULT)) {
 *     ... feed.snapNow(); feed.sendImage(Path.of("photo.png")); ...
 * }
 * }</pre>
 *
 * <p>Threads: one pump thread ({@code habla-vision-feed}, virtual) grabs, detects and encodes; {@link #snapNow()},
 * {@link #sendImage} and {@link #stats()} may be called from any thread. {@code lock} guards the counters, the
 * snap request and the encoder (sendImage uses it too). The feed owns the source: {@link #close()} closes it.
 */
public final class VisionFeed implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VisionFeed.class);

    /** Counters since start. */
    public record Stats(long grabbed, long sent, long skippedUnchanged, long droppedLate, long droppedBySource,
                        long refusedBySession, long bytesSent, long captureNanos, long encodeNanos, int lastWidth,
                        int lastHeight) {
        /** Mean capture + detect + encode time per grabbed frame, ms. */
        public double millisPerFrame() {
            return grabbed == 0 ? 0 : (captureNanos + encodeNanos) / 1e6 / grabbed;
        }

        /** Mean JPEG size of the frames sent. */
        public long bytesPerFrame() {
            return sent == 0 ? 0 : bytesSent / sent;
        }
    }

    private final VideoSource source;
    private final LiveSession session;
    private final VisionConfig config;
    private final FrameEncoder encoder;
    private final Thread pump;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Condition progress = lock.newCondition();
    private boolean snapRequested;
    private boolean stopped;
    private boolean ended;
    private VisionException failure;
    private float[] lastSentSignature;
    private long grabbed, sent, skipped, late, refused, bytes, captureNanos, encodeNanos;
    private int lastWidth, lastHeight;

    private VisionFeed(VideoSource source, LiveSession session, VisionConfig config) {
        this.source = source;
        this.session = session;
        this.config = config;
        this.encoder = new FrameEncoder(config.jpegQuality());
        this.pump = Thread.ofVirtual().name("habla-vision-feed").unstarted(this::run);
    }

    /** Starts feeding {@code source} into {@code session}; the feed owns the source from now on. */
    public static VisionFeed start(VideoSource source, LiveSession session, VisionConfig config) {
        VisionFeed f = new VisionFeed(Objects.requireNonNull(source, "source"), Objects.requireNonNull(session, "session"),
                Objects.requireNonNull(config, "config"));
        f.pump.start();
        return f;
    }

    private void run() {
        long period = (long) (1e9 / config.fps());
        long next = System.nanoTime();
        try {
            while (true) {
                boolean forced;
                lock.lock();
                try {
                    long wait;
                    while (!stopped && !snapRequested && (wait = next - System.nanoTime()) > 0) {
                        wake.awaitNanos(wait);
                    }
                    if (stopped) {
                        return;
                    }
                    forced = snapRequested;
                    snapRequested = false;
                } finally {
                    lock.unlock();
                }
                long t0 = System.nanoTime();
                BufferedImage img = source.grab();
                if (img == null) {
                    return;   // the source ended or was closed
                }
                long t1 = System.nanoTime();
                offer(img, forced, t1 - t0);
                long now = System.nanoTime();
                next += period;
                if (now - next >= period) {
                    // Behind by whole periods (slow capture or encoder): skip those ticks rather than catch up.
                    long missed = (now - next) / period;
                    next += missed * period;
                    lock.lock();
                    try {
                        late += missed;
                    } finally {
                        lock.unlock();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (VisionException e) {
            LOG.warn("video source {} failed: {}", source.describe(), e.getMessage());
            lock.lock();
            try {
                failure = e;
            } finally {
                lock.unlock();
            }
        } catch (RuntimeException e) {
            LOG.warn("video feed from {} failed", source.describe(), e);
            lock.lock();
            try {
                failure = new VisionException(VisionException.Kind.ENDED, "video feed failed: " + e, e);
            } finally {
                lock.unlock();
            }
        } finally {
            lock.lock();
            try {
                ended = true;
                progress.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Detect, encode, send one grabbed frame (pump thread, or a caller of sendImage). */
    private EncodedImage offer(BufferedImage img, boolean forced, long captureTook) {
        long t0 = System.nanoTime();
        BufferedImage fitted = FrameEncoder.fit(img, config.maxSide());
        float[] sig = ChangeDetector.signature(fitted);
        lock.lock();
        try {
            grabbed++;
            captureNanos += captureTook;
            progress.signalAll();
            if (!forced && config.skipUnchanged() && !ChangeDetector.changed(lastSentSignature, sig, config.changeThreshold())) {
                skipped++;
                encodeNanos += System.nanoTime() - t0;
                return null;
            }
            byte[] jpeg = encoder.jpeg(fitted);
            encodeNanos += System.nanoTime() - t0;
            SendResult r = session.sendVideo(EncodedImage.MIME_TYPE, jpeg);
            if (r == SendResult.QUEUED) {
                sent++;
                bytes += jpeg.length;
                lastSentSignature = sig;
                lastWidth = fitted.getWidth();
                lastHeight = fitted.getHeight();
            } else {
                refused++;
            }
            return new EncodedImage(jpeg, fitted.getWidth(), fitted.getHeight());
        } finally {
            lock.unlock();
        }
    }

    /** Sends the next frame now, even if unchanged (a typed "snap" while talking). */
    public void snapNow() {
        lock.lock();
        try {
            snapRequested = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends an image file as a frame now (downscaled, JPEG). @throws VisionException {@code NOT_AN_IMAGE}
     *
     * @return what was sent
     */
    public EncodedImage sendImage(Path file) {
        BufferedImage img = Images.read(file);
        return offer(img, true, 0);
    }

    /** Waits until the source ended (a file or pattern ran out, or it failed); true if it did within {@code timeout}. */
    public boolean awaitEnded(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!ended) {
                if (left <= 0) {
                    return false;
                }
                left = progress.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least {@code n} frames were grabbed since start (sent or skipped), or the source ended; true if
     * they were within {@code timeout}.
     */
    public boolean awaitGrabbed(long n, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (grabbed < n) {
                if (ended || left <= 0) {
                    return false;
                }
                left = progress.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Why the source stopped, if it failed; null otherwise. */
    public VisionException failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(grabbed, sent, skipped, late, source.dropped(), refused, bytes, captureNanos, encodeNanos,
                    lastWidth, lastHeight);
        } finally {
            lock.unlock();
        }
    }

    public VideoSource source() {
        return source;
    }

    public VisionConfig config() {
        return config;
    }

    /** Stops the pump, closes the source; idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            stopped = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        source.close();   // ends a grab() blocked on the camera
        try {
            if (!pump.join(Duration.ofSeconds(5))) {
                LOG.warn("video feed pump did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            encoder.close();
        } finally {
            lock.unlock();
        }
    }
}
