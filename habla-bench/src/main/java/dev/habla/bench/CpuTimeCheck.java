package dev.habla.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A cross-check for shared, loaded machines, where JMH's wall-clock scores swing with what else runs: the same
 * operations as {@link CodecBenchmark}, timed in operations per second of this thread's CPU time (which other
 * processes do not inflate), one after another in one JVM. Not a replacement for JMH (no forks, no blackhole; results
 * go to a volatile field), but its ratios are steady when the JMH error bars are not.
 *
 * <p>{@code java -cp habla-bench/target/benchmarks.jar dev.habla.bench.CpuTimeCheck [seconds-per-round]}. CLI output.
 */
public final class CpuTimeCheck {
    private static volatile Object sink;

    private CpuTimeCheck() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        CodecBenchmark b = new CodecBenchmark();
        b.setup();
        Map<String, Supplier<Object>> ops = new LinkedHashMap<>();
        ops.put("clientEncode_habla", b::clientEncode_habla);
        ops.put("clientEncode_sdk", b::clientEncode_sdk);
        ops.put("clientDecode_habla", b::clientDecode_habla);
        ops.put("clientDecode_sdk", b::clientDecode_sdk);
        ops.put("serverDecode_habla", b::serverDecode_habla);
        ops.put("serverDecode_sdk", b::serverDecode_sdk);
        ops.put("serverDecode_sdkSession", b::serverDecode_sdkSession);
        ops.put("serverEncode_habla", b::serverEncode_habla);
        ops.put("serverEncode_sdk", b::serverEncode_sdk);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long round = (long) (seconds * 1e9);
        Map<String, Double> median = new LinkedHashMap<>();
        for (Map.Entry<String, Supplier<Object>> op : ops.entrySet()) {
            Supplier<Object> f = op.getValue();
            run(mx, f, 2 * round); // warm-up
            double[] r = new double[5];
            for (int k = 0; k < r.length; k++) {
                r[k] = run(mx, f, round);
            }
            Arrays.sort(r);
            median.put(op.getKey(), r[2]);
            System.out.printf(Locale.ROOT, "%-26s %,12.0f ops per CPU-second (min %,.0f, max %,.0f)%n", op.getKey(), r[2], r[0], r[4]);
        }
        System.out.println();
        for (String op : new String[] {"clientEncode", "clientDecode", "serverDecode", "serverEncode"}) {
            for (String side : median.keySet()) {
                if (side.startsWith(op + "_") && !side.endsWith("_habla")) {
                    System.out.printf(Locale.ROOT, "%-14s vs %-12s %6.2fx%n", op, side.substring(op.length() + 1),
                            median.get(op + "_habla") / median.get(side));
                }
            }
        }
    }

    /** Operations per CPU-second over at least {@code cpuNanos} of this thread's CPU time. */
    private static double run(ThreadMXBean mx, Supplier<Object> f, long cpuNanos) {
        long start = mx.getCurrentThreadCpuTime();
        long n = 0;
        long used;
        do {
            for (int i = 0; i < 500; i++) {
                sink = f.get();
            }
            n += 500;
            used = mx.getCurrentThreadCpuTime() - start;
        } while (used < cpuNanos);
        return n / (used / 1e9);
    }
}
