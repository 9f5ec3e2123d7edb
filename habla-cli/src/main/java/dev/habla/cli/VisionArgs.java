package dev.habla.cli;

import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.GenerationConfig.MediaResolution;
import dev.habla.vision.Camera;
import dev.habla.vision.EncodedImage;
import dev.habla.vision.Images;
import dev.habla.vision.Screen;
import dev.habla.vision.VideoSource;
import dev.habla.vision.VisionConfig;
import dev.habla.vision.VisionException;
import dev.habla.vision.VisionFeed;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The vision options of {@code habla talk} (a picocli mixin): one video source ({@code --camera}, {@code --screen}),
 * an image to send at the start, the frame pipeline's settings, and the typed commands that send an image or snap
 * a frame while talking. Owns nothing until {@link #start}; the returned feed is the caller's to close.
 */
final class VisionArgs {
    /** Exit code for a camera or screen that cannot be used: the no-audio-device code (sysexits EX_UNAVAILABLE). */
    static final int NO_VIDEO_SOURCE = TalkCommand.NO_AUDIO_DEVICE;

    static final class Source {
        @Option(names = "--camera", arity = "0..1", fallbackValue = "default", paramLabel = "DEVICE",
                description = "Send the camera as video (1 fps): the first camera, a device (/dev/video1, an index or a "
                        + "name), a video file, or lavfi:PATTERN (e.g. lavfi:testsrc). Needs ffmpeg.")
        String camera;

        @Option(names = "--screen", arity = "0..1", fallbackValue = "all", paramLabel = "REGION",
                description = "Send the screen as video (1 fps): all (default), monitor:N, WxH+X+Y or X,Y,W,H.")
        String screen;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    @Option(names = "--image", paramLabel = "FILE", description = "Send this image (JPEG, PNG, GIF, BMP) at the start.")
    Path image;

    @Option(names = "--fps", paramLabel = "N", defaultValue = "1", description = "Video frames per second (default ${DEFAULT-VALUE}; Gemini looks at 1).")
    double fps;

    @Option(names = "--max-side", paramLabel = "PX", defaultValue = "1024", description = "Downscale frames to fit PX x PX (default ${DEFAULT-VALUE}).")
    int maxSide;

    @Option(names = "--send-unchanged", description = "Send every frame, also those that did not change (costs tokens).")
    boolean sendUnchanged;

    @Option(names = "--media-resolution", paramLabel = "low|medium|high",
            description = "Tokens per frame the model spends (low 64, default 256).")
    String mediaResolution;

    boolean video() {
        return source != null && (source.camera != null || source.screen != null);
    }

    VisionConfig config() {
        try {
            return VisionConfig.DEFAULT.withFps(fps).withMaxSide(maxSide).withSkipUnchanged(!sendUnchanged);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
    }

    /** {@code config} with the media resolution, if one was given. */
    SessionConfig configure(SessionConfig config) {
        if (mediaResolution == null) {
            return config;
        }
        MediaResolution r = switch (mediaResolution.strip().toLowerCase(Locale.ROOT)) {
            case "low" -> MediaResolution.MEDIA_RESOLUTION_LOW;
            case "medium" -> MediaResolution.MEDIA_RESOLUTION_MEDIUM;
            case "high" -> MediaResolution.MEDIA_RESOLUTION_HIGH;
            default -> throw new CliException(ExitCodes.USAGE, "--media-resolution: expected low, medium or high but was '" + mediaResolution + "'");
        };
        return config.with(b -> b.mediaResolution(r));
    }

    /** Opens the source before connecting: no camera, no display or a bad image is one line and exit 69. */
    VideoSource open(CliContext ctx) {
        if (image != null) {
            try {
                Images.read(ctx.resolve(image));   // fail before connecting
            } catch (VisionException e) {
                throw new CliException(ExitCodes.USAGE, "--image: " + e.getMessage());
            }
        }
        if (!video()) {
            return null;
        }
        try {
            return source.camera != null ? Camera.open(source.camera, config()) : Screen.open(source.screen);
        } catch (VisionException e) {
            throw new CliException(NO_VIDEO_SOURCE, e.getMessage());
        }
    }

    /**
     * Starts feeding {@code opened} (may be null: images on demand only) into {@code session}, sends {@code --image};
     * says what it does and, with video, warns when the session has no context window compression (Gemini ends
     * audio+video sessions after 2 minutes).
     */
    VisionFeed start(VideoSource opened, LiveSession session, CliContext ctx, Consumer<String> notice) {
        // Always a feed, so that /image works in any talk; without a source its pump just waits for close.
        if ((opened != null || image != null) && session.config().contextWindowCompression() == null) {
            notice.accept("(warning: context window compression is off, so the service ends a session with video after 2 minutes)");
        }
        VisionFeed feed = VisionFeed.start(opened != null ? opened : new NoVideo(), session, config());
        if (opened != null) {
            notice.accept("(sending " + opened.describe() + " at " + fmt(fps) + " fps; /snap sends a frame now, /image FILE an image)");
        }
        if (image != null) {
            send(feed, ctx.resolve(image), ctx, notice);
        }
        return feed;
    }

    /**
     * A typed line that is a vision command: {@code /snap} or {@code /image FILE}; true if it was one (handled,
     * with a notice), false for ordinary text.
     */
    static boolean command(String line, VisionFeed feed, CliContext ctx, Consumer<String> notice) {
        String t = line.strip();
        if (t.equals("/snap")) {
            if (feed == null || feed.source() instanceof NoVideo) {
                notice.accept("(no video source: start with --camera or --screen)");
            } else {
                feed.snapNow();
                notice.accept("(frame sent)");
            }
            return true;
        }
        if (t.startsWith("/image")) {
            String arg = t.substring(6).strip();
            if (arg.isEmpty()) {
                notice.accept("(usage: /image FILE)");
            } else {
                send(feed, ctx.resolve(Path.of(arg)), ctx, notice);
            }
            return true;
        }
        return false;
    }

    private static void send(VisionFeed feed, Path file, CliContext ctx, Consumer<String> notice) {
        try {
            EncodedImage sent = feed.sendImage(file);
            notice.accept("(image " + ctx.display(file) + " sent, " + sent.width() + "x" + sent.height() + ", "
                    + sent.jpeg().length / 1024 + " KiB)");
        } catch (VisionException e) {
            notice.accept("(" + e.getMessage() + ")");
        }
    }

    /** Whether this run sends video or images (file mode then reports what the video did). */
    boolean used() {
        return video() || image != null;
    }

    /** One line for file mode's end: what the video did. */
    static String summary(VisionFeed feed) {
        VisionFeed.Stats s = feed.stats();
        return String.format(Locale.ROOT, "habla: video: %d frames sent (%d KiB), %d unchanged skipped, %d dropped late, %d superseded",
                s.sent(), s.bytesSent() / 1024, s.skippedUnchanged(), s.droppedLate(), s.droppedBySource());
    }

    /**
     * File mode's typed input: the lines of {@code in} (stdin when it is not a terminal), read on a virtual thread
     * and sent in order: {@code /wait DURATION} pauses (a script's timing), {@code /snap} and {@code /image FILE} are
     * vision commands, any other non-empty line is typed text. The returned thread ends at end of input.
     */
    static Thread typedScript(java.io.InputStream in, Consumer<String> text, VisionFeed feed, CliContext ctx, Consumer<String> notice) {
        return Thread.ofVirtual().name("habla-typed-script").start(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    String t = line.strip();
                    if (t.isEmpty()) {
                        continue;
                    }
                    if (t.startsWith("/wait ")) {
                        Thread.sleep(DurationText.parse(t.substring(6).strip()));   // the script's own pacing
                    } else if (!command(t, feed, ctx, notice)) {
                        text.accept(t);
                    }
                }
            } catch (java.io.IOException e) {
                notice.accept("(stopped reading typed input: " + e.getMessage() + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                notice.accept("(bad typed input: " + e.getMessage() + ")");
            }
        });
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** The source of a feed that only sends images on demand (--image without --camera/--screen). */
    static final class NoVideo implements VideoSource {
        private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

        @Override
        public java.awt.image.BufferedImage grab() throws InterruptedException {
            closed.await();   // never a frame: the feed's pump waits here until close
            return null;
        }

        @Override
        public String describe() {
            return "no video";
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
