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

    /** Whether a MIME type is an image or video frame. */
    static boolean isVisual(String mime) {
        return mime != null && (mime.startsWith("image/") || mime.startsWith("video/"));
    }
}
