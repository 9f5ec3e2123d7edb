package dev.habla.bench;

import dev.habla.bench.ThroughputClients.Receiver;
import dev.habla.bench.ThroughputClients.Sender;
import dev.habla.bench.ThroughputClients.Subject;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.zip.CRC32;

/**
 * Messages per second through a Live API client over loopback: Habla's {@code LiveSession} against the official Java
 * SDK 2.0.0's {@code AsyncSession}, both talking to the same server in the same JVM and the same run. A harness rather
 * than JMH: what is measured is a pipeline across threads and a socket, timed from the first send to the last arrival,
 * not a method call.
 *
 * <ul>
 *   <li><b>Send path</b>: N realtime audio messages (100 ms of 16 kHz PCM16, producer and sequence number in the first
 *       bytes) sent as fast as each client accepts them, from 1 and from 4 producer threads sharing one session; timed
 *       until the server has all of them. Habla {@code session.sendAudio}; the SDK's {@code sendRealtimeInput} used
 *       fire-and-forget (what applications write; each send runs on the common pool, so order is not guaranteed) and
 *       joined per send. The server checks per-producer order, duplicates and every payload byte.</li>
 *   <li><b>Bursts</b>: producers send at most {@code burst} messages (all threads together, default 1,800, about
 *       7.8 MB of JSON) and then wait until the server has them. Without that the SDK fails: its futures complete once
 *       a message is in OkHttp's queue, OkHttp closes the WebSocket (1001) when that queue passes 16 MiB, and the SDK
 *       ignores the {@code false} that {@code send} returns, so every later future still succeeds while nothing is
 *       sent. 1,800 also fits Habla's default 8 MiB send budget. The probe ({@code --no-probe} to skip) sends N in one
 *       burst with each client once, to show this.</li>
 *   <li><b>Decode path</b>: the server pushes M {@code serverContent} messages of 100 ms 24 kHz audio (4,800 bytes PCM)
 *       encoded in advance, as binary frames like the service; timed from the client's "go" until its listener has
 *       the PCM of all of them (Habla {@code LiveEvent.AudioChunk}; SDK {@code receive()} walking to
 *       {@code inlineData.data}). A CRC32 of the PCM in arrival order must equal that of what was sent.</li>
 *   <li><b>Ceilings</b>: the same runs with a bare {@code java.net.http.WebSocket}, pre-encoded frames out and no
 *       decoding in: how fast the server and loopback go with no client codec at all.</li>
 *   <li><b>Server</b>: by default a light Jetty core endpoint in this JVM ({@link ThroughputTargets.Light}): on 2 cores
 *       the emulator's own per-message work (Jetty text assembly, strict decode, recording) held the send-path ceiling
 *       down to what Habla already reached, so it measured the emulator. {@code --server emulator} runs the same
 *       against {@code habla-emulator}. Neither negotiates permessage-deflate with the SDK unless {@code --sdk-deflate}
 *       (the JDK client cannot compress; OkHttp offers it and Jetty accepts it by default, and compressing every audio
 *       message costs the SDK, and the server, several times more CPU).</li>
 * </ul>
 * Each variant runs warm-up rounds, then measured rounds interleaved across variants (round 1 of every variant, then
 * round 2...), each on a fresh session; medians are reported, with CPU time of the whole JVM per message beside them
 * (steadier than msgs/s on a shared machine). CLI output, so System.out is right here.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.habla.bench.ClientThroughput [--send N] [--decode M] [--burst B]
 * [--warmup W] [--rounds R] [--threads 1,4] [--server light|emulator] [--sdk-deflate] [--habla-deflate] [--no-ceiling] [--no-probe]
 * [--stall-seconds S] [--only REGEX]}; {@code bench/client.sh} builds and runs it.
 */
public final class ClientThroughput {
    /** Which server the clients talk to. */
    public enum ServerKind { EMULATOR, LIGHT }

    /**
     * What to run. {@code burst}: the send path sends at most this many messages (all producers together) before
     * waiting for them to arrive, because the SDK cannot take an unbounded burst (see the class documentation);
     * {@code probe} adds one unbounded burst per client to show what happens without that. {@code stall} ends a run
     * that made no progress for that long. {@code only} is a regex over e.g. {@code "send SDK_JOINED 4"}.
     */
    public record Options(int sendMessages, int decodeMessages, int burst, int warmups, int rounds, List<Integer> threads,
            boolean ceiling, ServerKind server, boolean sdkDeflate, boolean probe, Duration stall, String only,
            boolean hablaDeflate) {
        public static Options defaults() {
            return new Options(20_000, 20_000, 1_800, 1, 3, List.of(1, 4), true, ServerKind.LIGHT, false, true,
                    Duration.ofSeconds(10), null, false);
        }

        boolean selects(String path, Subject subject, int threads) {
            return only == null || (path + " " + subject + " " + threads).matches(".*(" + only + ").*");
        }
    }

    /** One variant: its measured rounds and what the checks found (summed over measured rounds). */
    public record Row(String path, Subject subject, int threads, int messages, List<Double> rates, List<Double> cpuMicros,
            long received, long reorders, long duplicates, long corrupt, Boolean checksumOk, List<String> problems) {
        /** Median msgs/s of the completed measured rounds; NaN if none completed. */
        public double median() {
            return medianOf(rates);
        }

        /** Median CPU time of the whole JVM (clients, server, harness, GC) per message, in microseconds. */
        public double cpuMedian() {
            return medianOf(cpuMicros);
        }

        public boolean failed() {
            return !problems.isEmpty();
        }

        public String label() {
            return subject.label;
        }
    }

    /** Everything one run measured. */
    public record Result(Options options, List<Row> rows) {
        public Row row(String path, Subject subject, int threads) {
            Row r = find(path, subject, threads);
            if (r == null) {
                throw new IllegalArgumentException("not measured: " + path + " " + subject + " " + threads);
            }
            return r;
        }

        /** The row, or null if that variant was not run. */
        public Row find(String path, Subject subject, int threads) {
            return rows.stream().filter(r -> r.path.equals(path) && r.subject == subject && r.threads == threads)
                    .findFirst().orElse(null);
        }
    }

    private ClientThroughput() {}

    static double medianOf(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        double[] r = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    // Strong references: JUL forgets levels of loggers that are garbage collected.
    private static final List<Logger> QUIET = new ArrayList<>();
    /** Close codes the SDK logged ("Live session closing with code: …"), newest last; read after a failed run. */
    private static final List<String> SDK_CLOSES = new CopyOnWriteArrayList<>();

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        Result r = run(o, System.out);
        System.out.println();
        print(r, System.out);
        System.exit(0); // OkHttp's and Jetty's pools would otherwise keep the JVM up for a while
    }

    /** Runs everything {@code o} asks for, logging progress to {@code log}. */
    public static Result run(Options o, PrintStream log) throws Exception {
        quietLogs();
        byte[] pcm16k = Fixtures.speechLikePcm(16_000, 1_600, 1);
        byte[] pcm24k = Fixtures.speechLikePcm(24_000, 2_400, 2);
        List<Variant> variants = new ArrayList<>();
        for (int t : o.threads()) {
            variants.add(new Variant("send", Subject.HABLA, t, o.burst()));
            variants.add(new Variant("send", Subject.HABLA_JDK, t, o.burst()));
            variants.add(new Variant("send", Subject.SDK_NAIVE, t, o.burst()));
            variants.add(new Variant("send", Subject.SDK_JOINED, t, o.burst()));
            if (o.ceiling() && t == 1) {
                variants.add(new Variant("send", Subject.RAW_JDK, 1, o.burst()));
            }
        }
        variants.add(new Variant("decode", Subject.HABLA, 1, 0));
        variants.add(new Variant("decode", Subject.HABLA_JDK, 1, 0));
        variants.add(new Variant("decode", Subject.SDK, 1, 0));
        if (o.ceiling()) {
            variants.add(new Variant("decode", Subject.RAW_JDK, 1, 0));
        }
        variants.removeIf(v -> !o.selects(v.path, v.subject, v.threads));
        List<Variant> probes = new ArrayList<>();
        if (o.probe()) {
            probes.add(new Variant("burst", Subject.HABLA, 1, o.sendMessages()));
            probes.add(new Variant("burst", Subject.SDK_NAIVE, 1, o.sendMessages()));
            probes.removeIf(v -> !o.selects(v.path, v.subject, v.threads));
        }

        // Decode path: distinct payloads (sequence number first), encoded like the service, built once.
        List<byte[]> decodePcm = new ArrayList<>(o.decodeMessages());
        CRC32 sent = new CRC32();
        for (int i = 0; i < o.decodeMessages(); i++) {
            byte[] pcm = pcm24k.clone();
            ThroughputTally.stamp(pcm, 0, i, 0);
            sent.update(pcm);
            decodePcm.add(pcm);
        }
        List<byte[]> frames = ThroughputTargets.serverAudioFrames(decodePcm);
        decodePcm = null;

        try (ThroughputTargets.Target target = o.server() == ServerKind.EMULATOR
                        ? new ThroughputTargets.Emulator(frames, o.sendMessages())
                        : new ThroughputTargets.Light(frames);
                ThroughputClients clients = new ThroughputClients(target, o.sdkDeflate(), o.hablaDeflate())) {
            log.println("server: " + target.describe() + "; SDK permessage-deflate " + (o.sdkDeflate() ? "offered" : "not offered")
                    + "; Habla (Jetty) permessage-deflate " + (o.hablaDeflate() ? "offered" : "not offered")
                    + "; common pool parallelism " + ForkJoinPool.getCommonPoolParallelism());
            Bench b = new Bench(o, target, clients, pcm16k, sent.getValue());
            for (int w = 0; w < o.warmups(); w++) {
                for (Variant v : variants) {
                    log.printf(Locale.ROOT, "warm-up %d/%d  %-6s %-22s %d thread(s) ... ", w + 1, o.warmups(), v.path, v.subject.label, v.threads);
                    log.println(b.runOnce(v).describe());
                }
            }
            for (int r = 0; r < o.rounds(); r++) {
                for (Variant v : variants) {
                    log.printf(Locale.ROOT, "round %d/%d    %-6s %-22s %d thread(s) ... ", r + 1, o.rounds(), v.path, v.subject.label, v.threads);
                    Run run = b.runOnce(v);
                    log.println(run.describe());
                    v.add(run);
                }
            }
            for (Variant v : probes) {
                log.printf(Locale.ROOT, "probe         one burst of %,d, %-22s ... ", o.sendMessages(), v.subject.label);
                Run run = b.runOnce(v);
                log.println(run.describe());
                v.add(run);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Variant v : variants) {
            rows.add(v.row());
        }
        for (Variant v : probes) {
            rows.add(v.row());
        }
        return new Result(o, rows);
    }

    // ---- one measured run -----------------------------------------------------------------------------------

    /** A variant and what its measured rounds found. */
    private static final class Variant {
        final String path;
        final Subject subject;
        final int threads;
        final int burst;
        final List<Double> rates = new ArrayList<>();
        final List<Double> cpu = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        int messages;
        long received;
        long reorders;
        long duplicates;
        long corrupt;
        Boolean checksumOk;

        Variant(String path, Subject subject, int threads, int burst) {
            this.path = path;
            this.subject = subject;
            this.threads = threads;
            this.burst = burst;
        }

        void add(Run r) {
            messages = r.messages;
            if (r.outcome.complete()) {
                rates.add(r.rate());
                cpu.add(r.cpuNanos / 1e3 / r.messages);
            }
            received += r.outcome.arrived();
            reorders += r.outcome.reorders();
            duplicates += r.outcome.duplicates();
            corrupt += r.outcome.corrupt();
            if (r.checksumOk != null) {
                checksumOk = (checksumOk == null || checksumOk) && r.checksumOk;
            }
            if (r.problem() != null) {
                problems.add(r.problem());
            }
        }

        Row row() {
            return new Row(path, subject, threads, messages, List.copyOf(rates), List.copyOf(cpu), received, reorders, duplicates, corrupt, checksumOk,
                    List.copyOf(problems));
        }
    }

    /** The result of one run of one variant. */
    private record Run(int messages, long startNanos, long cpuNanos, ThroughputTally.Outcome outcome, Boolean checksumOk,
            String clientProblems) {
        double rate() {
            return messages / ((outcome.completedAtNanos() - startNanos) / 1e9);
        }

        String problem() {
            List<String> p = new ArrayList<>();
            if (!outcome.complete()) {
                p.add(outcome.arrived() + " of " + messages + " arrived");
            }
            if (clientProblems != null) {
                p.add(clientProblems);
            }
            if (Boolean.FALSE.equals(checksumOk)) {
                p.add("checksum mismatch");
            }
            if (outcome.corrupt() > 0) {
                p.add(outcome.corrupt() + " corrupt payloads");
            }
            if (outcome.duplicates() > 0) {
                p.add(outcome.duplicates() + " duplicates");
            }
            return p.isEmpty() ? null : String.join("; ", p);
        }

        String describe() {
            String s = outcome.complete() ? String.format(Locale.ROOT, "%,.0f msgs/s, %.0f us CPU/msg", rate(), cpuNanos / 1e3 / messages)
                    : "FAILED";
            if (outcome.reorders() > 0) {
                s += ", " + outcome.reorders() + " reordered";
            }
            return problem() == null ? s : s + " (" + problem() + ")";
        }
    }

    /** Runs single variants; everything built before the clock starts is outside the measurement. */
    private record Bench(Options o, ThroughputTargets.Target target, ThroughputClients clients, byte[] pcm16k, long expectedCrc) {
        private static final AtomicInteger RUN_IDS = new AtomicInteger();

        Run runOnce(Variant v) throws Exception {
            return v.path.equals("decode") ? decode(v.subject) : send(v.subject, v.threads, v.burst, v.path.equals("burst"));
        }

        Run send(Subject subject, int threads, int burst, boolean unbounded) throws Exception {
            int per = o.sendMessages() / threads;
            int n = per * threads;
            int perBurst = Math.max(1, burst / threads); // per producer
            int runId = RUN_IDS.incrementAndGet();
            byte[][] payloads = new byte[n][];
            for (int p = 0; p < threads; p++) {
                for (int i = 0; i < per; i++) {
                    byte[] pcm = pcm16k.clone();
                    ThroughputTally.stamp(pcm, p, i, runId);
                    payloads[p * per + i] = pcm;
                }
            }
            ThroughputTally.Send tally = new ThroughputTally.Send(runId, threads, per, pcm16k);
            ThroughputTargets.Watch watch = target.expectSink(tally);
            int sdkCloses = SDK_CLOSES.size();
            Sender sender = clients.openSender(subject, payloads, unbounded);
            try {
                settle();
                CountDownLatch gate = new CountDownLatch(1);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                List<Thread> producers = new ArrayList<>();
                long stall = o.stall().toNanos();
                for (int p = 0; p < threads; p++) {
                    int base = p * per;
                    producers.add(Thread.ofPlatform().name("bench-producer-" + p).start(() -> {
                        try {
                            gate.await();
                            for (int from = 0; from < per; from += perBurst) {
                                int to = Math.min(per, from + perBurst);
                                for (int i = from; i < to; i++) {
                                    sender.send(base + i, payloads[base + i]);
                                }
                                // Every producer has sent `to` of its messages once all of them get here.
                                if (to < per && !tally.awaitAtLeast(threads * to, stall, watch)) {
                                    return; // the run failed; the main thread reports it
                                }
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    }));
                }
                long cpu0 = OS.getProcessCpuTime();
                long start = System.nanoTime();
                gate.countDown();
                ThroughputTally.Outcome outcome = tally.await(stall, watch);
                long cpu = OS.getProcessCpuTime() - cpu0;
                for (Thread t : producers) {
                    t.join(o.stall().toMillis());
                }
                List<String> problems = new ArrayList<>();
                if (sender.problems() != null) {
                    problems.add(sender.problems());
                }
                if (failure.get() != null) {
                    problems.add("producer failed: " + failure.get());
                }
                if (!outcome.complete() && watch.closed()) {
                    List<String> closes = SDK_CLOSES.subList(sdkCloses, SDK_CLOSES.size());
                    problems.add("connection closed" + (closes.isEmpty() || subject.habla() ? ""
                            : " by the SDK's OkHttp WebSocket with " + String.join(", ", closes)));
                }
                return new Run(n, start, cpu, outcome, null, problems.isEmpty() ? null : String.join("; ", problems));
            } finally {
                sender.close();
                target.done();
            }
        }

        Run decode(Subject subject) throws Exception {
            ThroughputTally.Decode tally = new ThroughputTally.Decode(o.decodeMessages(), expectedCrc);
            ThroughputTargets.Watch watch = target.expectSource();
            Receiver receiver = clients.openReceiver(subject, tally);
            try {
                settle();
                long cpu0 = OS.getProcessCpuTime();
                long start = System.nanoTime();
                receiver.go();
                ThroughputTally.Outcome outcome = tally.await(o.stall().toNanos(), watch);
                long cpu = OS.getProcessCpuTime() - cpu0;
                Boolean checksum = subject == Subject.RAW_JDK || !outcome.complete() ? null : tally.checksumOk();
                return new Run(o.decodeMessages(), start, cpu, outcome, checksum, null);
            } finally {
                receiver.close();
                target.done();
            }
        }

        /** Leftovers of the previous run (its garbage) should not be collected on this run's clock. */
        private static void settle() {
            System.gc();
        }
    }

    // ---- output ---------------------------------------------------------------------------------------------

    /** The table and the Habla/SDK ratios. */
    public static void print(Result r, PrintStream out) {
        Options o = r.options();
        out.printf(Locale.ROOT, "Client throughput over loopback, same run: %d cores, %s %s, server: %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
                o.server() == ServerKind.EMULATOR ? "habla-emulator" : "light Jetty endpoint");
        out.printf(Locale.ROOT, "send: %,d x 100 ms 16 kHz PCM16 (3,200 B) realtimeInput, bursts of %,d; decode: %,d x 100 ms 24 kHz (4,800 B) serverContent%n",
                o.sendMessages(), o.burst(), o.decodeMessages());
        out.printf(Locale.ROOT, "%d warm-up + %d measured rounds, median; SDK permessage-deflate %s%n%n", o.warmups(), o.rounds(),
                o.sdkDeflate() ? "offered (negotiated by Jetty's default)" : "not offered (like the JDK client)");
        if (o.hablaDeflate()) {
            out.println("Habla (Jetty) offers permessage-deflate (--habla-deflate); Habla (JDK WebSocket) cannot");
        }
        out.printf(Locale.ROOT, "%-7s %-22s %7s %9s  %-16s %10s %8s %8s  %s%n", "path", "client", "threads", "msgs/s", "rounds (k/s)",
                "Habla/this", "CPU us", "reorders", "checks");
        for (Row row : r.rows()) {
            if (row.path.equals("burst")) {
                continue;
            }
            Row habla = r.find(row.path, Subject.HABLA, row.threads);
            String ratio = habla == null || row.subject.habla() ? "" : ratio(habla.median(), row.median());
            StringBuilder rounds = new StringBuilder();
            for (double x : row.rates) {
                rounds.append(rounds.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.1f", x / 1000));
            }
            String checks = row.failed() ? String.join("; ", row.problems) : row.subject == Subject.RAW_JDK && row.path.equals("decode")
                    ? "frames counted only" : row.checksumOk != null ? "ok, CRC32 equal" : "ok";
            out.printf(Locale.ROOT, "%-7s %-22s %7d %9s  %-16s %10s %8s %8d  %s%n", row.path, row.label(), row.threads,
                    Double.isNaN(row.median()) ? "-" : String.format(Locale.ROOT, "%,.0f", row.median()), rounds, ratio,
                    Double.isNaN(row.cpuMedian()) ? "-" : String.format(Locale.ROOT, "%.0f", row.cpuMedian()), row.reorders, checks);
        }
        out.println();
        out.println("Habla/SDK, median against median (goal >= 3x):");
        for (Subject hs : new Subject[] {Subject.HABLA, Subject.HABLA_JDK}) {
            out.println("  " + hs.label + ":");
            for (int t : o.threads()) {
                Row h = r.find("send", hs, t);
                Row naive = r.find("send", Subject.SDK_NAIVE, t);
                Row joined = r.find("send", Subject.SDK_JOINED, t);
                if (h != null && naive != null && joined != null) {
                    out.printf(Locale.ROOT, "    send, %d thread%s: %s vs SDK fire-and-forget, %s vs SDK join per send"
                            + "   (CPU/msg: SDK/Habla %s, %s)%n", t, t == 1 ? " " : "s",
                            ratio(h.median(), naive.median()), ratio(h.median(), joined.median()),
                            ratio(naive.cpuMedian(), h.cpuMedian()), ratio(joined.cpuMedian(), h.cpuMedian()));
                }
            }
            Row hd = r.find("decode", hs, 1);
            Row sd = r.find("decode", Subject.SDK, 1);
            if (hd != null && sd != null) {
                out.printf(Locale.ROOT, "    decode:          %s vs SDK receive()   (CPU/msg: SDK/Habla %s)%n", ratio(hd.median(), sd.median()),
                        ratio(sd.cpuMedian(), hd.cpuMedian()));
            }
        }
        out.println("Reorders (per-producer sequence numbers in the order the server received them, all measured rounds):");
        for (Row row : r.rows()) {
            if (row.path.equals("send") && row.subject != Subject.RAW_JDK) {
                out.printf(Locale.ROOT, "  %-22s %d thread%s: %d of %,d%n", row.label(), row.threads, row.threads == 1 ? " " : "s",
                        row.reorders, row.received);
            }
        }
        List<Row> probes = r.rows().stream().filter(x -> x.path.equals("burst")).toList();
        if (!probes.isEmpty()) {
            out.printf(Locale.ROOT, "One unbounded burst of %,d messages (1 thread, no waiting):%n", o.sendMessages());
            for (Row p : probes) {
                out.printf(Locale.ROOT, "  %-22s %s%n", p.label(), p.failed() ? "FAILED: " + String.join("; ", p.problems)
                        : String.format(Locale.ROOT, "all arrived, %,.0f msgs/s, %d reordered", p.median(), p.reorders));
            }
        }
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "n/a" : String.format(Locale.ROOT, "%.2fx", a / b);
    }

    private static void quietLogs() {
        if (Boolean.getBoolean("bench.verbose")) {
            return; // keep every library's own logging, for diagnosing a stall
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // The SDK logs through java.util.logging: session open/close at INFO, and SEVERE when a server drops a
        // connection whose close frame it never answered (sdk-oracles.md §2 gotcha 4). Nothing is printed; the close
        // codes are kept to explain a failed run (OkHttp closes 1001 itself when its 16 MiB send queue overflows).
        Logger sdk = Logger.getLogger("com.google.genai");
        sdk.setUseParentHandlers(false);
        sdk.setLevel(Level.INFO);
        sdk.addHandler(new Handler() {
            @Override
            public void publish(LogRecord rec) {
                if (rec.getMessage() != null && rec.getMessage().startsWith("Live session closing with code")
                        && rec.getParameters() != null && rec.getParameters().length > 0) {
                    SDK_CLOSES.add("close " + rec.getParameters()[0]);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
        Logger ok = Logger.getLogger("okhttp3");
        ok.setLevel(Level.OFF);
        QUIET.add(sdk);
        QUIET.add(ok);
    }

    private static final String USAGE = """
            usage: ClientThroughput [options]
              --send N            messages per send-path run (default 20000)
              --decode M          messages per decode-path run (default 20000)
              --burst B           send at most B messages (all producers) before waiting for them to arrive (default 1800)
              --warmup W          warm-up rounds per variant (default 1)
              --rounds R          measured rounds per variant (default 3)
              --threads 1,4       producer thread counts for the send path
              --server KIND       light (default) or emulator
              --sdk-deflate       let the SDK offer permessage-deflate (stripped by default, like the JDK client)
              --habla-deflate     let Habla on the Jetty transport offer permessage-deflate (ClientConfig.permessageDeflate)
              --no-ceiling        skip the bare JDK WebSocket rows (transport ceilings)
              --no-probe          skip the one-unbounded-burst probe
              --stall-seconds S   fail a run after S seconds without progress (default 10)
              --only REGEX        run only variants matching e.g. "send SDK_JOINED 4" or "decode"
            """;

    static Options parse(String[] args) {
        Options d = Options.defaults();
        int send = d.sendMessages();
        int decode = d.decodeMessages();
        int burst = d.burst();
        int warm = d.warmups();
        int rounds = d.rounds();
        List<Integer> threads = d.threads();
        boolean ceiling = d.ceiling();
        ServerKind server = d.server();
        boolean deflate = d.sdkDeflate();
        boolean hablaDeflate = d.hablaDeflate();
        boolean probe = d.probe();
        Duration stall = d.stall();
        String only = d.only();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    System.exit(0);
                }
                case "--send" -> send = Integer.parseInt(args[++i]);
                case "--decode" -> decode = Integer.parseInt(args[++i]);
                case "--burst" -> burst = Integer.parseInt(args[++i]);
                case "--warmup" -> warm = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Arrays.stream(args[++i].split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--no-ceiling" -> ceiling = false;
                case "--server" -> server = ServerKind.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--sdk-deflate" -> deflate = true;
                case "--habla-deflate" -> hablaDeflate = true;
                case "--no-probe" -> probe = false;
                case "--stall-seconds" -> stall = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + a + "\n" + USAGE);
            }
        }
        return new Options(send, decode, burst, warm, rounds, threads, ceiling, server, deflate, probe, stall, only, hablaDeflate);
    }
}
