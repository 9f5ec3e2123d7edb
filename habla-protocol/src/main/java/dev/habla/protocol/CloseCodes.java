package dev.habla.protocol;

import java.nio.charset.StandardCharsets;

/** WebSocket close codes the Live API uses, and Google-style reasons. */
public final class CloseCodes {
    private CloseCodes() {}

    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int NO_STATUS = 1005;
    public static final int ABNORMAL = 1006;
    /** Invalid argument: malformed or unsupported request. */
    public static final int INVALID_ARGUMENT = 1007;
    /** Not found / policy: unknown model, bad key. */
    public static final int POLICY = 1008;
    /** Internal error, quota, deadline. */
    public static final int INTERNAL = 1011;

    public static final String REASON_INVALID_ARGUMENT = "Request contains an invalid argument.";
    public static final String REASON_NON_AUDIO = "Cannot extract voices from a non-audio request.";
    public static final String REASON_INTERNAL = "Internal error encountered.";
    public static final String REASON_DEADLINE = "Deadline expired before operation could complete.";
    public static final String REASON_BAD_KEY = "API key not valid. Please pass a valid API key.";
    /**
     * An image or video frame whose data is not a decodable image. Google's INVALID_ARGUMENT text for such an image
     * (reported for generateContent, AmberSahdev/Open-Interface #64); the Live API's wording is not verified.
     */
    public static final String REASON_BAD_IMAGE = "Provided image is not valid.";

    /** The reason Google gives for an unknown model, truncated like the service does. */
    public static String modelNotFound(String model, String apiVersion) {
        return truncate(model + " is not found for API version " + apiVersion
                + ", or is not supported for bidiGenerateContent. Call ListModels to see the list of available models and their supported methods.");
    }

    /** Cuts a reason to the 123-byte limit of a WebSocket close frame without splitting a UTF-8 sequence. */
    public static String truncate(String reason) {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        if (b.length <= 123) {
            return reason;
        }
        int end = 123;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }
}
