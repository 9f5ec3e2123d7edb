package dev.habla.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses durations the way people type them: {@code 250ms}, {@code 5s}, {@code 10m}, {@code 1h}, {@code 1h30m},
 * {@code 1.5s}; ISO-8601 ({@code PT10M}) is accepted too. A bare number is refused because its unit is ambiguous.
 */
final class DurationText implements ITypeConverter<Duration> {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        if (v.startsWith("pt") || v.startsWith("p")) {
            try {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw invalid(value);
            }
        }
        if (!WHOLE.matcher(v).matches()) {
            throw invalid(value);
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(v);
        while (m.find()) {
            double amount = Double.parseDouble(m.group(1));
            long nanosPerUnit = switch (m.group(2)) {
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                case "d" -> 86_400_000_000_000L;
                default -> throw invalid(value);
            };
            double nanos = amount * nanosPerUnit;
            if (nanos > Long.MAX_VALUE / 2) {
                throw invalid(value);
            }
            total = total.plusNanos(Math.round(nanos));
        }
        return total;
    }

    /** {@code 1.5 s}, {@code 250 ms}, {@code 10 min}: for messages. */
    static String format(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + " ms";
        }
        if (d.toSeconds() < 120) {
            return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
        }
        return d.toMinutes() + " min";
    }

    private static TypeConversionException invalid(String value) {
        return new TypeConversionException("'" + value + "' is not a duration: use e.g. 250ms, 5s, 10m, 1h or 1h30m");
    }
}
