package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The 1,000-session harness (not in the default run): N emulated voice sessions, each sending 10 audio messages a
 * second (100 ms of 16 kHz PCM) and receiving 10 (the upstream echoes each as a 24 kHz model-turn chunk), through
 * (1) a raw TCP byte relay and (2) the gateway, each in its own JVM, against the same echo upstream (a third JVM).
 * The load generator (this JVM) and the echo are kept light so that the baseline measures the relay, not the
 * harness: {@link BenchWire}'s own framing on blocking sockets and virtual threads, pre-built frames in which only the
 * 24 base64 characters carrying a message's sequence number and send time change, and an echo that copies the base64
 * into its answer without decoding it. Prints, per path: CPU of the process under test, of the echo and of the load
 * generator (each from /proc), round-trip latency percentiles, messages sent, ticks skipped (the sender could not keep
 * its 100 ms pace: a saturated load generator), messages lost, heap per idle session, and the load average. Run:
 * {@code mvn -B -o -pl habla-gateway -am test -Dtest=GatewayBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dhabla.gateway.bench=true [-Dbench.sessions=1000 -Dbench.warmup=40 -Dbench.seconds=20
 * -Dbench.childArgs=-Dhabla.client.transport=jdk]}; figures in
 * target/surefire-reports/dev.habla.gateway.GatewayBenchmark-output.txt. Only "0 lost" is asserted.
 */
@EnabledIfSystemProperty(named = "habla.gateway.bench", matches = "true")
@Timeout(1800)
class GatewayBenchmark {
    static final String ADMIN_KEY = "bench-admin-key-0123456789";
    static final int SESSIONS = Integer.getInteger("bench.sessions", 1000);
    /**
     * Seconds of load before the measured window. 40 by default: the process under test is measured in its steady
     * state. The JIT compiles in bursts for ~25 s after start (a 1,000-session gateway: ~400 compilations per 5 s until
     * then, 5-100 after); on a machine with a few percent of CPU to spare those bursts leave a backlog that a window
     * starting 10 s in still measures (added p99 0.2-0.4 s; habla-gateway/README.md).
     */
    static final int WARMUP = Integer.getInteger("bench.warmup", 40);
    /**
     * WebSocket-aware reference paths measured between the byte relay and the gateway ({@link BenchChild}; also
     * {@code thin-ws}, {@code helidon-ws}, {@code jetty-netty-ws}); {@code -Dbench.references=} measures the relay and
     * the gateway only. {@code netty-jetty-ws} is the gateway's stack before its upstream moved from Jetty's client
     * to Netty's (kept as a reference).
     */
    static final List<String> REFERENCES = java.util.Arrays.stream(
            System.getProperty("bench.references", "netty-ws,netty-jetty-ws,jetty-ws").split(",")).map(String::strip).filter(m -> !m.isEmpty()).toList();
    static final int SECONDS = Integer.getInteger("bench.seconds", 20);
    static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    static final String PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent";

    /** Round-trip histogram: 10 µs buckets up to 10 s. */
    static final class Histogram {
        final AtomicLongArray b = new AtomicLongArray(1_000_001);
        final AtomicLong n = new AtomicLong();

        void add(long nanos) {
            b.incrementAndGet((int) Math.min(b.length() - 1, nanos / 10_000));
            n.incrementAndGet();
        }

        double pct(double p) {
            long target = (long) Math.ceil(n.get() * p);
            long seen = 0;
            for (int i = 0; i < b.length(); i++) {
                seen += b.get(i);
                if (seen >= target && target > 0) {
                    return i / 100.0;
                }
            }
            return Double.NaN;
        }
    }

    record Result(String mode, double cpuCores, double echoCores, double loadCores, double p50,
            double p99, double max, long sent, long skipped, long received, long lost, double idleBytesPerSession,
            double msgsPerSecond, String load) {}

    @Test
    void thousandVoiceSessions() throws Exception {
        Child echo = Child.start("echo", "-");
        try {
            String upstream = "http://127.0.0.1:" + echo.port;
            Result relay = run("relay", upstream, echo);
            List<Result> references = new ArrayList<>();
            for (String mode : REFERENCES) {
                references.add(run(mode, upstream, echo));
            }
            Result gateway = run("gateway", upstream, echo);
            PrintStream o = System.out;
            o.printf("%n1,000-session benchmark: %d sessions, 10 audio msgs/s up and 10 down each, %d s measured after %d s warm-up, "
                    + "%d cores; load generator (this JVM), echo upstream and the process under test in three JVMs%n", SESSIONS,
                    SECONDS, WARMUP, Runtime.getRuntime().availableProcessors());
            o.println("| path | CPU (cores) | CPU µs per message | echo CPU | load gen CPU | msgs/s both ways | RTT p50 ms | RTT p99 ms "
                    + "| RTT max ms | sent | skipped | lost | heap per idle session | load average |");
            o.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            List<Result> rows = new ArrayList<>(List.of(relay));
            rows.addAll(references);
            rows.add(gateway);
            for (Result r : rows) {
                o.printf("| %s | %.2f | %.1f | %.2f | %.2f | %.0f | %.1f | %.1f | %.1f | %d | %d | %d | %.1f KB | %s |%n", r.mode(),
                        r.cpuCores(), r.cpuCores() * 1e6 / r.msgsPerSecond(), r.echoCores(), r.loadCores(), r.msgsPerSecond(), r.p50(), r.p99(),
                        r.max(), r.sent(), r.skipped(), r.lost(), r.idleBytesPerSession() / 1024, r.load());
            }
            o.printf("gateway CPU per message / relay's = %.2f (when both keep up, the same as the CPU ratio)%n",
                    gateway.cpuCores() / gateway.msgsPerSecond() / (relay.cpuCores() / relay.msgsPerSecond()));
            o.printf("gateway CPU / relay CPU = %.2f (goal <= 1.2); added p99 = %.1f ms (goal <= 50); lost %d (goal 0); "
                    + "heap per idle gateway session %.1f KB (goal <= 100)%n", gateway.cpuCores() / relay.cpuCores(),
                    gateway.p99() - relay.p99(), gateway.lost(), gateway.idleBytesPerSession() / 1024);
            for (Result r : references) {
                o.printf("%s CPU / relay CPU = %.2f; gateway CPU / %s CPU = %.2f%n", r.mode(), r.cpuCores() / relay.cpuCores(),
                        r.mode(), gateway.cpuCores() / r.cpuCores());
            }
            assertThat(relay.lost()).isZero();
            for (Result r : references) {
                assertThat(r.lost()).as(r.mode()).isZero();
            }
            assertThat(gateway.lost()).isZero();
        } finally {
            echo.quit();
        }
    }

    /** A benchmark child process ({@link BenchChild}) and its command pipe. */
    record Child(Process process, BufferedReader out, PrintStream cmd, int port) {
        static Child start(String mode, String upstreamBase) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            Path log = Path.of("target", "bench-" + mode + ".log");
            List<String> command = new ArrayList<>(List.of(java, "-Dorg.slf4j.simpleLogger.log.dev.habla=info"));
            String extra = mode.equals("echo") ? "" : System.getProperty("bench.childArgs", ""); // e.g. -Dhabla.client.transport=jetty
            if (!extra.isBlank()) {
                command.addAll(List.of(extra.strip().split("\\s+")));
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchChild.class.getName(), mode, upstreamBase));
            Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
            System.out.println(mode + ": logs in " + log.toAbsolutePath());
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            PrintStream cmd = new PrintStream(p.getOutputStream(), true);
            int port = Integer.parseInt(expect(out, "PORT ").substring(5));
            return new Child(p, out, cmd, port);
        }

        long heap() throws Exception {
            cmd.println("mem");
            return Long.parseLong(expect(out, "MEM ").substring(4));
        }

        void quit() throws InterruptedException {
            cmd.println("quit");
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    Result run(String mode, String upstreamBase, Child echo) throws Exception {
        Child child = Child.start(mode, upstreamBase);
        try {
            String query = "?key=" + (mode.equals("gateway") ? ADMIN_KEY : "bench");
            long heap0 = child.heap();
            Histogram h = new Histogram();
            AtomicLong received = new AtomicLong();
            AtomicLong measuring = new AtomicLong(); // 1 while the latency window is open
            List<Client> clients = new ArrayList<>();
            try (var opener = Executors.newVirtualThreadPerTaskExecutor()) {
                Semaphore inFlight = new Semaphore(32);
                List<java.util.concurrent.Future<?>> opened = new ArrayList<>();
                for (int i = 0; i < SESSIONS; i++) {
                    Client c = new Client(h, received, measuring);
                    clients.add(c);
                    inFlight.acquire();
                    opened.add(opener.submit(() -> {
                        try {
                            c.open(child.port(), PATH + query);
                        } finally {
                            inFlight.release();
                        }
                        return null;
                    }));
                }
                for (var f : opened) {
                    f.get(300, TimeUnit.SECONDS);
                }
            }
            long heap1 = child.heap();
            long base = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).startSending(base + (i * PERIOD_NANOS) / clients.size());
            }
            TimeUnit.SECONDS.sleep(WARMUP); // the harness's own pacing: load runs for a fixed time
            long self = ProcessHandle.current().pid();
            long cpu0 = cpuTicks(child.process().pid());
            long echo0 = cpuTicks(echo.process().pid());
            long load0 = cpuTicks(self);
            String loadBefore = loadAverage();
            long recv0 = received.get();
            long t0 = System.nanoTime();
            measuring.set(1);
            TimeUnit.SECONDS.sleep(SECONDS);
            measuring.set(0);
            long cpu1 = cpuTicks(child.process().pid());
            long echo1 = cpuTicks(echo.process().pid());
            long load1 = cpuTicks(self);
            double wall = (System.nanoTime() - t0) / 1e9;
            long recv1 = received.get();
            String load = loadBefore + " → " + loadAverage();
            for (Client c : clients) {
                c.stopSending();
            }
            long sent = clients.stream().mapToLong(c -> c.sent.get()).sum();
            long skipped = clients.stream().mapToLong(c -> c.skipped).sum();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.get() < sent && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50); // draining what is in flight, bounded
            }
            long lost = sent - received.get();
            for (Client c : clients) {
                c.close();
            }
            double tick = TICKS_PER_SECOND * wall;
            return new Result(mode, (cpu1 - cpu0) / tick, (echo1 - echo0) / tick, (load1 - load0) / tick,
                    h.pct(0.5), h.pct(0.99), h.pct(1.0), sent, skipped, received.get(), lost,
                    (heap1 - heap0) / (double) SESSIONS, 2.0 * (recv1 - recv0) / wall, load);
        } finally {
            child.quit();
        }
    }

    /** The child's next line starting with {@code prefix} (JVM options such as JFR may print their own lines). */
    static String expect(BufferedReader out, String prefix) throws java.io.IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("the benchmark child ended before printing " + prefix);
    }

    /** utime + stime of a process, in clock ticks. */
    static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static String loadAverage() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final byte[] DATA = "\"data\":\"".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SETUP = ("{\"setup\":{\"model\":\"models/gemini-2.5-flash-native-audio-preview-09-2025\","
            + "\"generationConfig\":{\"responseModalities\":[\"AUDIO\"]}}}").getBytes(StandardCharsets.US_ASCII);
    static final String AUDIO_HEAD = "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\"";

    /**
     * One emulated voice client on {@link BenchWire}: a socket, a reader virtual thread that reads the echo's sequence
     * number and send time back, and a sender virtual thread that writes one pre-built audio frame every 100 ms (only
     * the 24 base64 characters carrying sequence and send time change). A tick the sender could not make in time (it
     * was not scheduled, or the socket would not take the frame) is skipped and counted, never sent late in a burst:
     * a baseline with skipped ticks is a saturated load generator, not a measurement.
     */
    static final class Client {
        final Histogram h;
        final AtomicLong received;
        final AtomicLong measuring;
        final AtomicLong sent = new AtomicLong();
        final CompletableFuture<Void> setupDone = new CompletableFuture<>();
        final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();
        final byte[] frame;
        final int stampAt;
        final byte[] stamp = new byte[18];
        volatile boolean sending;
        long skipped; // sender thread; read after it stopped
        Thread sender;
        Socket socket;
        OutputStream out;

        Client(Histogram h, AtomicLong received, AtomicLong measuring) {
            this.h = h;
            this.received = received;
            this.measuring = measuring;
            byte[] payload = (AUDIO_HEAD + Base64.getEncoder().encodeToString(new byte[3200]) + "\"}}}")
                    .getBytes(StandardCharsets.US_ASCII);
            frame = BenchWire.frame(BenchWire.TEXT, payload, true);
            stampAt = frame.length - payload.length + AUDIO_HEAD.length();
        }

        /** Connects, sends setup, starts the reader and waits for setupComplete (bounded). */
        void open(int port, String pathAndQuery) throws Exception {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            InputStream in = BenchWire.connect(socket, "127.0.0.1", port, pathAndQuery);
            out = socket.getOutputStream();
            write(BenchWire.frame(BenchWire.TEXT, SETUP, true));
            Thread.ofVirtual().name("bench-reader").start(() -> readLoop(in));
            try {
                setupDone.get(120, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // Say what this connection did see, so a lost setupComplete can be placed (harness, gateway, upstream).
                throw new IOException("no setupComplete in 120 s on local port " + socket.getLocalPort() + ": "
                        + framesBeforeSetup + " frames read before it " + firstFrames, e);
            }
        }

        // The reader thread's own record of what came before setupComplete (diagnostics for a timed-out open).
        volatile int framesBeforeSetup;
        final java.util.List<String> firstFrames = new java.util.concurrent.CopyOnWriteArrayList<>();

        private void write(byte[] f) throws IOException {
            writeLock.lock();
            try {
                out.write(f);
            } finally {
                writeLock.unlock();
            }
        }

        private void readLoop(InputStream in) {
            BenchWire.Message m = new BenchWire.Message();
            try {
                while (BenchWire.read(in, m)) {
                    switch (m.opcode) {
                        case BenchWire.PING -> write(BenchWire.frame(BenchWire.PONG, java.util.Arrays.copyOf(m.buf, m.length), true));
                        case BenchWire.CLOSE -> {
                            setupDone.completeExceptionally(new IOException("closed by the server"));
                            return;
                        }
                        case BenchWire.TEXT, BenchWire.BINARY -> frame(m);
                        default -> { }
                    }
                }
                // End of stream without a close frame: before setupComplete that is a failed open, not a wait.
                setupDone.completeExceptionally(new java.io.EOFException("connection ended without a close frame"));
            } catch (IOException e) {
                setupDone.completeExceptionally(e);
            }
        }

        private void frame(BenchWire.Message m) {
            if (!setupDone.isDone()) {
                framesBeforeSetup++;
                if (firstFrames.size() < 4) {
                    firstFrames.add(m.opcode + ":" + new String(m.buf, 0, Math.min(m.length, 200), StandardCharsets.UTF_8));
                }
            }
            int i = BenchWire.indexOf(m.buf, m.length, DATA);
            if (i < 0) {
                if (BenchWire.indexOf(m.buf, m.length, SETUP_COMPLETE) >= 0) {
                    setupDone.complete(null);
                }
                return;
            }
            byte[] head = Base64.getDecoder().decode(java.util.Arrays.copyOfRange(m.buf, i + DATA.length, i + DATA.length + 24));
            long sentAt = ByteBuffer.wrap(head).getLong(8);
            if (measuring.get() == 1) {
                h.add(System.nanoTime() - sentAt);
            }
            received.incrementAndGet();
        }

        /** Starts the sender: first frame at {@code firstAt} (System.nanoTime), then every 100 ms. */
        void startSending(long firstAt) {
            sending = true;
            sender = Thread.ofVirtual().name("bench-sender").start(() -> sendLoop(firstAt));
        }

        private void sendLoop(long next) {
            ByteBuffer stampBuf = ByteBuffer.wrap(stamp);
            try {
                while (sending) {
                    long now = System.nanoTime();
                    if (now < next) {
                        LockSupport.parkNanos(next - now);
                        continue;
                    }
                    long late = (now - next) / PERIOD_NANOS;
                    if (late > 0) {
                        skipped += late;
                        next += late * PERIOD_NANOS;
                    }
                    stampBuf.putLong(0, sent.get()).putLong(8, System.nanoTime());
                    byte[] b64 = Base64.getEncoder().encode(stamp);
                    writeLock.lock();
                    try {
                        System.arraycopy(b64, 0, frame, stampAt, 24);
                        out.write(frame);
                    } finally {
                        writeLock.unlock();
                    }
                    sent.incrementAndGet();
                    next += PERIOD_NANOS;
                }
            } catch (IOException e) {
                System.err.println("bench sender: " + e);
            }
        }

        void stopSending() throws InterruptedException {
            sending = false;
            if (sender != null) {
                LockSupport.unpark(sender);
                sender.join(5000);
            }
        }

        void close() {
            try {
                write(BenchWire.frame(BenchWire.CLOSE, new byte[] {3, (byte) 0xe8}, true));
                socket.shutdownOutput();
            } catch (IOException ignored) {
                // already gone
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    static final byte[] SETUP_COMPLETE = "setupComplete".getBytes(StandardCharsets.US_ASCII);
}
