package dev.habla.assistant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Measured numbers: printed (surefire keeps them in target/surefire-reports/*-output.txt) and appended to
 * {@code target/assistant-report.txt}, which the README's numbers come from.
 */
final class Report {
    static final Path FILE = Path.of("target", "assistant-report.txt");

    private Report() {
    }

    static void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.out.println("REPORT " + s);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, s + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Nearest-rank percentile, in ms. */
    static double percentileMs(List<Long> nanos, double q) {
        long[] a = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        if (a.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * a.length);
        return a[Math.max(0, Math.min(a.length - 1, rank - 1))] / 1e6;
    }

    static String stats(List<Long> nanos) {
        return String.format(Locale.ROOT, "n=%d p50=%.3f ms p95=%.3f ms max=%.3f ms", nanos.size(),
                percentileMs(nanos, 0.5), percentileMs(nanos, 0.95), percentileMs(nanos, 1.0));
    }

    static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    static String ms(long[] values) {
        return Arrays.toString(Arrays.stream(values).mapToDouble(v -> v / 1e6).toArray());
    }
}
