package dev.habla.protocol.internal;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/** google.protobuf.Timestamp JSON form (RFC 3339, years 0001-9999), as protobuf's own parser accepts it. */
final class Timestamps {
    private static final Pattern FORMAT =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})");

    private Timestamps() {}

    static boolean valid(String s) {
        if (!FORMAT.matcher(s).matches() || s.startsWith("0000")) {
            return false;
        }
        try {
            OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }
}
