package dev.habla.vision.internal;

import dev.habla.vision.VideoSource;
import dev.habla.vision.VisionException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A camera (or any ffmpeg input) read through an {@code ffmpeg} subprocess: ffmpeg applies the rate ({@code fps}
 * filter) and the downscale-to-fit, and writes raw PPM frames to its stdout, which a reader thread parses. Only the
 * newest frame is kept (a slow consumer drops frames, never queues them: {@link #dropped()} counts them).
 *
 * <p>Threads: {@code habla-vision-ffmpeg} (virtual) reads stdout, {@code habla-vision-ffmpeg-err} keeps the tail of
 * stderr for error messages; {@link #grab()} is called by one consumer. {@code lock} guards the frame slot and the
 * counters.
 */
public final class FfmpegCamera implements VideoSource {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FfmpegCamera.class);
    /** Input formats that are live capture devices: they pace themselves; anything else is read at native rate (-re). */
    private static final List<String> LIVE_FORMATS = List.of("v4l2", "video4linux2", "avfoundation", "dshow", "x11grab", "gdigrab", "kmsgrab");

    private final String description;
    private final Process process;
    private final Duration firstFrameTimeout;
    private final Duration frameTimeout;
    private final StringBuilder errTail = new StringBuilder();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private BufferedImage latest;
    private long produced;
    private long taken;
    private long dropped;
    private boolean ended;
    private boolean closed;

    private FfmpegCamera(String description, Process process, double fps) {
        this.description = description;
        this.process = process;
        this.firstFrameTimeout = Duration.ofSeconds(15);
        this.frameTimeout = Duration.ofMillis(Math.max(5_000, (long) (5_000 / fps)));
    }

    /**
     * Starts {@code ffmpeg <input> -vf fps,scale -f image2pipe -c:v ppm -}.
     *
     * @param inputArgs ffmpeg input options ending with {@code -i X}, e.g. {@code -f lavfi -i color=c=red}
     */
    public static FfmpegCamera start(String description, List<String> inputArgs, double fps, int maxSide) {
        List<String> cmd = new ArrayList<>(List.of(Ffmpeg.executable(), "-hide_banner", "-loglevel", "error", "-nostdin"));
        if (!isLive(inputArgs)) {
            cmd.add("-re");
        }
        cmd.addAll(inputArgs);
        cmd.addAll(List.of("-an", "-vf", String.format(java.util.Locale.ROOT,
                        "fps=%s,scale=w='min(iw,%d)':h='min(ih,%d)':force_original_aspect_ratio=decrease", fps, maxSide, maxSide),
                "-f", "image2pipe", "-c:v", "ppm", "-"));
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new VisionException(VisionException.Kind.NO_FFMPEG, "cannot run ffmpeg (" + Ffmpeg.executable()
                    + "): " + e.getMessage() + "; install it (apt install ffmpeg, brew install ffmpeg, winget install ffmpeg) or set HABLA_FFMPEG", e);
        }
        LOG.debug("started {}", cmd);
        FfmpegCamera cam = new FfmpegCamera(description, p, fps);
        Thread.ofVirtual().name("habla-vision-ffmpeg").start(cam::readFrames);
        Thread.ofVirtual().name("habla-vision-ffmpeg-err").start(cam::readErrors);
        return cam;
    }

    static boolean isLive(List<String> inputArgs) {
        int f = inputArgs.indexOf("-f");
        return f >= 0 && f + 1 < inputArgs.size() && LIVE_FORMATS.contains(inputArgs.get(f + 1));
    }

    private void readFrames() {
        try (InputStream in = new BufferedInputStream(process.getInputStream(), 1 << 16)) {
            while (true) {
                BufferedImage img = readPpm(in);
                if (img == null) {
                    break;
                }
                lock.lock();
                try {
                    if (produced > taken && latest != null) {
                        dropped++;   // the consumer did not take the previous one: newest wins
                    }
                    latest = img;
                    produced++;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            LOG.debug("ffmpeg stdout ended: {}", e.toString());
        } finally {
            lock.lock();
            try {
                ended = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void readErrors() {
        try (InputStream err = process.getErrorStream()) {
            byte[] buf = new byte[1024];
            int n;
            while ((n = err.read(buf)) > 0) {
                lock.lock();
                try {
                    errTail.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    if (errTail.length() > 2_000) {
                        errTail.delete(0, errTail.length() - 2_000);
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException ignored) {
            // the process went away; the tail so far is what we have
        }
    }

    /** One binary PPM (P6, maxval 255) frame as a 3-byte BGR image; null at a clean end of stream. */
    static BufferedImage readPpm(InputStream in) throws IOException {
        int c = in.read();
        if (c < 0) {
            return null;
        }
        if (c != 'P' || in.read() != '6') {
            throw new IOException("not a PPM frame from ffmpeg");
        }
        int w = headerInt(in), h = headerInt(in), max = headerInt(in);
        if (max != 255 || w <= 0 || h <= 0 || (long) w * h > 64_000_000L) {
            throw new IOException("unsupported PPM frame " + w + "x" + h + " maxval " + max);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        if (in.readNBytes(data, 0, data.length) < data.length) {
            throw new EOFException("truncated PPM frame");
        }
        for (int i = 0; i + 2 < data.length; i += 3) {   // PPM is RGB, the raster BGR
            byte r = data[i];
            data[i] = data[i + 2];
            data[i + 2] = r;
        }
        return img;
    }

    /** The next decimal header field; the single whitespace after the last one is consumed too. */
    private static int headerInt(InputStream in) throws IOException {
        int c = in.read();
        while (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '#') {
            if (c == '#') {
                while (c != '\n' && c >= 0) {
                    c = in.read();
                }
            }
            c = in.read();
        }
        int v = 0;
        while (c >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            c = in.read();
        }
        if (c < 0) {
            throw new EOFException("truncated PPM header");
        }
        return v;
    }

    @Override
    public BufferedImage grab() throws InterruptedException {
        lock.lock();
        try {
            long waitNanos = (produced == 0 ? firstFrameTimeout : frameTimeout).toNanos();
            while (produced == taken && !ended && !closed) {
                if (waitNanos <= 0) {
                    throw new VisionException(VisionException.Kind.NO_CAMERA, "no frame from " + description + " in "
                            + (produced == 0 ? firstFrameTimeout : frameTimeout).toSeconds() + " s" + errSuffix());
                }
                waitNanos = changed.awaitNanos(waitNanos);
            }
            if (produced > taken && !closed) {
                taken = produced;
                return latest;
            }
        } finally {
            lock.unlock();
        }
        if (closed) {
            return null;
        }
        // Ended: a clean end of a file or pattern, or a failure to open the input.
        int code = waitExit();
        if (code != 0 && produced() == 0) {
            throw new VisionException(VisionException.Kind.NO_CAMERA, "cannot open " + description + errSuffix());
        }
        return null;
    }

    private int waitExit() throws InterruptedException {
        return process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    private String errSuffix() {
        lock.lock();
        try {
            String t = errTail.toString().strip();
            return t.isEmpty() ? "" : ": ffmpeg says: " + t.lines().reduce((a, b) -> b).orElse(t);
        } finally {
            lock.unlock();
        }
    }

    /** Frames ffmpeg delivered so far. */
    public long produced() {
        lock.lock();
        try {
            return produced;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** The ffmpeg process (for its CPU time in the figures harness). */
    public ProcessHandle processHandle() {
        return process.toHandle();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
