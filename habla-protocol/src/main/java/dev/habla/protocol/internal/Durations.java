package dev.habla.protocol.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Pattern;

/** google.protobuf.Duration JSON form: {@code "10s"}, {@code "9.500s"}, {@code "-0.000000001s"}. */
final class Durations {
    private static final Pattern FORMAT = Pattern.compile("-?\\d{1,12}(\\.\\d{1,9})?s");

    static final long MAX_SECONDS = 315_576_000_000L;

    private Durations() {}

    static Duration parse(String s) {
        if (!FORMAT.matcher(s).matches()) {
            throw new IllegalArgumentException("Invalid duration string: " + s);
        }
        BigDecimal seconds = new BigDecimal(s.substring(0, s.length() - 1));
        // google.protobuf.Duration: seconds from -315,576,000,000 to +315,576,000,000 (10,000 years) inclusive; the
        // proto parsers reject the rest, and the 12 digits the pattern allows go past that.
        if (Math.abs(seconds.longValue()) > MAX_SECONDS) {
            throw new IllegalArgumentException("Duration out of range: " + s);
        }
        return Duration.ofSeconds(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
    }

    /** Proto style: 0, 3, 6 or 9 fractional digits. */
    static String format(Duration d) {
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        boolean negative = seconds < 0;
        if (negative && nanos > 0) {
            seconds += 1;
            nanos = 1_000_000_000 - nanos;
        }
        StringBuilder b = new StringBuilder();
        if (negative) {
            b.append('-');
            seconds = -seconds;
        }
        b.append(seconds);
        if (nanos != 0) {
            String frac;
            if (nanos % 1_000_000 == 0) {
                frac = String.format("%03d", nanos / 1_000_000);
            } else if (nanos % 1_000 == 0) {
                frac = String.format("%06d", nanos / 1_000);
            } else {
                frac = String.format("%09d", nanos);
            }
            b.append('.').append(frac);
        }
        return b.append('s').toString();
    }
}
