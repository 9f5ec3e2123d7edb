package dev.habla.cli;

import java.util.regex.Pattern;

/**
 * Removes an API key from text bound for the terminal (wire log, error messages): the literal key wherever it
 * appears, and any {@code key=} query parameter or {@code x-goog-api-key} header value.
 */
final class KeyRedactor {
    private static final Pattern QUERY_KEY = Pattern.compile("([?&]key=)[^&\\s\"']+");
    private static final Pattern HEADER_KEY = Pattern.compile("(?i)(x-goog-api-key[\"']?\\s*[:=]\\s*[\"']?)[^\\s\"',}]+");

    private final String key;

    KeyRedactor(String key) {
        this.key = key == null || key.length() < 4 ? null : key;
    }

    String redact(String text) {
        if (text == null) {
            return null;
        }
        String t = key == null ? text : text.replace(key, "<redacted>");
        t = QUERY_KEY.matcher(t).replaceAll("$1<redacted>");
        return HEADER_KEY.matcher(t).replaceAll("$1<redacted>");
    }
}
