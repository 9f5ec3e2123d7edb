package dev.habla.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a JMH JSON result ({@code -rf json}) of {@link CodecBenchmark} and prints Habla/SDK throughput ratios, pairing
 * {@code <operation>_habla} with every other {@code <operation>_<sdkVariant>} of the same run.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.habla.bench.Report result.json [goal]}; exits 0 (it reports, it does
 * not judge). CLI output, so System.out is right here.
 */
public final class Report {
    private Report() {}

    record Score(double value, double error) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: Report <jmh-result.json> [goal-ratio]");
            System.exit(2);
        }
        double goal = args.length > 1 ? Double.parseDouble(args[1]) : 3.0;
        JsonNode results = new ObjectMapper().readTree(new File(args[0]));
        // operation -> side -> score, in run order
        Map<String, Map<String, Score>> ops = new LinkedHashMap<>();
        for (JsonNode r : results) {
            String name = r.path("benchmark").asText();
            String method = name.substring(name.lastIndexOf('.') + 1);
            int us = method.indexOf('_');
            if (us < 0) continue;
            JsonNode m = r.path("primaryMetric");
            ops.computeIfAbsent(method.substring(0, us), k -> new LinkedHashMap<>())
                    .put(method.substring(us + 1), new Score(m.path("score").asDouble(), m.path("scoreError").asDouble()));
        }
        System.out.printf(Locale.ROOT, "%-14s %-12s %22s %22s %9s  %s%n", "operation", "SDK route", "Habla ops/s", "SDK ops/s", "Habla/SDK",
                "goal >=" + goal + "x");
        for (Map.Entry<String, Map<String, Score>> op : ops.entrySet()) {
            Score habla = op.getValue().get("habla");
            if (habla == null) continue;
            for (Map.Entry<String, Score> side : op.getValue().entrySet()) {
                if (side.getKey().equals("habla")) continue;
                Score sdk = side.getValue();
                double ratio = habla.value() / sdk.value();
                System.out.printf(Locale.ROOT, "%-14s %-12s %22s %22s %8.2fx  %s%n", op.getKey(), side.getKey(), fmt(habla), fmt(sdk), ratio,
                        ratio >= goal ? "ok" : "BELOW");
            }
        }
    }

    private static String fmt(Score s) {
        return String.format(Locale.ROOT, "%,.0f ± %,.0f", s.value(), s.error());
    }
}
