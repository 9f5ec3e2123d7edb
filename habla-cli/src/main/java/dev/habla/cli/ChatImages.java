package dev.habla.cli;

import dev.habla.client.LiveSession;
import dev.habla.client.SendResult;
import dev.habla.protocol.Content;
import dev.habla.protocol.Part;
import dev.habla.vision.EncodedImage;
import dev.habla.vision.Images;
import dev.habla.vision.VisionConfig;
import dev.habla.vision.VisionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * Images in {@code habla chat} (a picocli mixin): {@code --image FILE} and the typed {@code /image FILE} attach an image
 * (downscaled to fit 1024 px, JPEG) to the next message. Sent just before that message, in the same lane so it cannot
 * be overtaken: as client content ({@code inlineData}, no turn end) where the model takes it mid-session, else as a
 * realtime video frame beside the realtime text (Gemini 3.1). Main thread only.
 */
final class ChatImages {
    @Option(names = "--image", paramLabel = "FILE", description = "Attach this image (JPEG, PNG, GIF, BMP) to the first message; /image FILE attaches one to the next.")
    List<Path> images = new ArrayList<>();

    private final List<EncodedImage> pending = new ArrayList<>();
    private boolean loaded;

    /** Reads {@code --image} files: a bad one is a usage error before anything connects. */
    void load(CliContext ctx) {
        if (loaded) {
            return;
        }
        loaded = true;
        for (Path p : images) {
            try {
                pending.add(Images.jpeg(ctx.resolve(p), VisionConfig.DEFAULT));
            } catch (VisionException e) {
                throw new CliException(ExitCodes.USAGE, "--image: " + e.getMessage());
            }
        }
    }

    /** A typed {@code /image FILE}: attaches it (true), with a notice; false for any other line. */
    boolean command(String line, CliContext ctx, Consumer<String> notice) {
        if (!line.equals("/image") && !line.startsWith("/image ")) {
            return false;
        }
        String arg = line.substring(6).strip();
        if (arg.isEmpty()) {
            notice.accept("(usage: /image FILE attaches an image to your next message)");
            return true;
        }
        try {
            EncodedImage img = Images.jpeg(ctx.resolve(Path.of(arg)), VisionConfig.DEFAULT);
            pending.add(img);
            notice.accept("(image attached to your next message: " + img.width() + "x" + img.height() + ")");
        } catch (VisionException e) {
            notice.accept("(" + e.getMessage() + ")");
        }
        return true;
    }

    /** Sends the attached images, just before the message that follows. */
    void sendPending(LiveSession session) {
        for (EncodedImage img : pending) {
            SendResult r = session.capabilities().clientContentMidSession()
                    ? session.sendClientContent(List.of(new Content(List.of(Part.ofInlineData(EncodedImage.MIME_TYPE, img.jpeg())), "user")), false)
                    : session.sendVideo(EncodedImage.MIME_TYPE, img.jpeg());
            if (r != SendResult.QUEUED) {
                break;   // the message itself will fail the same way and say so
            }
        }
        pending.clear();
    }
}
