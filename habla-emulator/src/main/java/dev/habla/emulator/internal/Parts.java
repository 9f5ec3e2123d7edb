package dev.habla.emulator.internal;

import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.Part;
import java.util.ArrayList;
import java.util.List;

/** Reading client content and media types. Stateless. */
final class Parts {
    private Parts() {}

    /** The text parts of {@code c} (not thoughts), concatenated. */
    static String textOf(Content c) {
        if (c.parts() == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (Part p : c.parts()) {
            if (p != null && p.text() != null && !p.thought()) {
                b.append(p.text());
            }
        }
        return b.toString();
    }

    /** The functionResponse parts of {@code c}. */
    static List<FunctionResponse> functionResults(Content c) {
        if (c.parts() == null) {
            return List.of();
        }
        List<FunctionResponse> out = new ArrayList<>();
        for (Part p : c.parts()) {
            if (p != null && p.functionResponse() != null) {
                out.add(p.functionResponse());
            }
        }
        return out;
    }

    /** The {@code rate=} of an audio MIME type; bare {@code audio/pcm} is 16 kHz. */
    static int sampleRate(String mime) {
        if (mime != null) {
            for (String p : mime.split(";")) {
                String t = p.trim();
                if (t.regionMatches(true, 0, "rate=", 0, 5)) {
                    try {
                        int r = Integer.parseInt(t.substring(5).trim());
                        if (r > 0) {
                            return r;
                        }
                    } catch (NumberFormatException ignored) {
                        // fall through to the default
                    }
                }
            }
        }
        return 16_000;
    }

    /** Whether a MIME type is an image or video frame. */
    static boolean isVisual(String mime) {
        return mime != null && (mime.startsWith("image/") || mime.startsWith("video/"));
    }
}
