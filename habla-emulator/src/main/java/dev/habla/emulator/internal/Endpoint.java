package dev.habla.emulator.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Live API WebSocket path: {@code /ws/google.ai.generativelanguage.{v1|v1beta|v1alpha}.GenerativeService.
 * {BidiGenerateContent|BidiGenerateContentConstrained}}. Leading duplicate slashes (the JS SDK requests
 * {@code //ws/...}) are tolerated.
 */
public record Endpoint(String apiVersion, boolean constrained) {
    private static final Pattern PATH = Pattern.compile(
            "/+ws/+google\\.ai\\.generativelanguage\\.(v1|v1beta|v1alpha)\\.GenerativeService\\.(BidiGenerateContent|BidiGenerateContentConstrained)/*");

    /** The endpoint of a raw request path, or null when it is not one. */
    public static Endpoint parse(String rawPath) {
        if (rawPath == null) {
            return null;
        }
        Matcher m = PATH.matcher(rawPath);
        if (!m.matches()) {
            return null;
        }
        return new Endpoint(m.group(1), m.group(2).endsWith("Constrained"));
    }
}
