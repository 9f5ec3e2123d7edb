package dev.habla.emulator;

import dev.habla.testing.FakeClock;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A harness (not a test): streams an emulated hour (or {@code --minutes}) of 16 kHz speech-like audio (3 s of tone, 1 s
 * of silence, in 100 ms chunks) through {@code --sessions} sessions of one emulator on a {@link FakeClock}, as fast as
 * the machine goes, and prints the heap retained after GC every 5 emulated minutes. Sessions run like real clients:
 * context window compression on (so no 15-minute limit), resumption on, and a new connection with the latest handle on
 * each goAway (the emulator ends connections every 10 emulated minutes), so closed snapshots and idle logical sessions
 * pile up if anything is unbounded. The heap includes this JVM's small client side.
 *
 * <p>Run: {@code bench/emulator-memory.sh [--sessions 2] [--minutes 60] [--max-recorded-audio-mb 64]}.
 */
public final class EmulatorMemoryHarness {
    static final String MODEL = "models/gemini-2.0-flash-live-001";
    static final int RATE = 16_000;
    static final int CHUNK_MS = 100;
    static final Pattern HANDLE = Pattern.compile("\"newHandle\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        int sessions = 2;
        int minutes = 60;
        long capMb = LiveEmulator.Builder.DEFAULT_MAX_RECORDED_AUDIO >> 20;
        int recordedMessages = 10_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sessions" -> sessions = Integer.parseInt(args[++i]);
                case "--minutes" -> minutes = Integer.parseInt(args[++i]);
                case "--max-recorded-audio-mb" -> capMb = Long.parseLong(args[++i]);
                case "--recorded-messages" -> recordedMessages = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: [--sessions N] [--minutes M] [--max-recorded-audio-mb MB] [--recorded-messages N]");
                    System.exit(2);
                }
            }
        }
        FakeClock clock = new FakeClock();
        long cap = capMb << 20;
        int recorded = recordedMessages;
        try (LiveEmulator emu = LiveEmulator.create(b -> b.clock(clock).maxRecordedAudio(cap).maxRecordedMessages(recorded));
                HttpClient http = HttpClient.newHttpClient()) {
            String url = emu.wsUrl("v1beta") + "?key=harness";
            List<Driver> drivers = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                drivers.add(new Driver(http, url));
            }
            byte[][] cycle = speechCycle();
            long steps = minutes * 60_000L / CHUNK_MS;
            long wall0 = System.nanoTime();
            System.out.printf(Locale.ROOT, "emulator memory: %d session(s), %d emulated min of 16 kHz audio, maxRecordedAudio %d MiB, "
                    + "maxRecordedMessages %d, max heap %d MiB%n", sessions, minutes, capMb, recordedMessages,
                    Runtime.getRuntime().maxMemory() >> 20);
            System.out.println("minute  heapAfterGC(MiB)  audio sent/session(MiB)  audio held by open sessions(MiB)  "
                    + "connections  turns answered  wall(s)");
            report(0, emu, drivers, 0, wall0);
            for (long step = 1; step <= steps; step++) {
                byte[] chunk = cycle[(int) (step % cycle.length)];
                for (Driver d : drivers) {
                    d.send(chunk);
                }
                clock.advance(Duration.ofMillis(CHUNK_MS));
                if (step % (5 * 60_000 / CHUNK_MS) == 0) {
                    report(step * CHUNK_MS / 60_000, emu, drivers, step * CHUNK_MS * RATE * 2 / 1000, wall0);
                }
            }
            for (Driver d : drivers) {
                d.close();
            }
        }
    }

    /** 4 s: 3 s of a 220 Hz tone, 1 s of silence, as 100 ms chunks of PCM16. */
    static byte[][] speechCycle() {
        int per = RATE * CHUNK_MS / 1000;
        byte[][] chunks = new byte[40][];
        for (int c = 0; c < 40; c++) {
            byte[] b = new byte[per * 2];
            if (c < 30) {
                for (int i = 0; i < per; i++) {
                    int s = (int) (8000 * Math.sin(2 * Math.PI * 220 * (c * per + i) / RATE));
                    b[2 * i] = (byte) s;
                    b[2 * i + 1] = (byte) (s >> 8);
                }
            }
            chunks[c] = b;
        }
        return chunks;
    }

    static void report(long minute, LiveEmulator emu, List<Driver> drivers, long sentBytes, long wall0) {
        // Per logical session (during a handover two connections show the same one).
        java.util.Map<String, Integer> byLogical = new java.util.HashMap<>();
        for (EmulatorSession s : emu.sessions()) {
            if (s.logicalSessionId() != null) {
                byLogical.put(s.logicalSessionId(), s.receivedAudio().length);
            }
        }
        long held = byLogical.values().stream().mapToLong(Integer::longValue).sum();
        long heap = heapAfterGc();
        long connections = drivers.stream().mapToLong(d -> d.connections).sum();
        long turns = drivers.stream().mapToLong(d -> d.turns.get()).sum();
        System.out.printf(Locale.ROOT, "%6d  %16.1f  %23.1f  %32.1f  %11d  %14d  %7.1f%n", minute, heap / 1048576.0,
                sentBytes / 1048576.0, held / 1048576.0, connections, turns, (System.nanoTime() - wall0) / 1e9);
    }

    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** One client session: sends audio, follows handles, moves to a new connection on goAway. Driver thread only sends. */
    static final class Driver {
        final HttpClient http;
        final String url;
        final AtomicLong turns = new AtomicLong();
        volatile String handle;
        long connections;
        Conn current;

        Driver(HttpClient http, String url) throws Exception {
            this.http = http;
            this.url = url;
            current = open();
        }

        Conn open() throws Exception {
            Conn c = new Conn();
            c.ws = http.newWebSocketBuilder().buildAsync(URI.create(url), c).get(10, TimeUnit.SECONDS);
            String resumption = handle == null ? "{}" : "{\"handle\":\"" + handle + "\"}";
            c.ws.sendText("{\"setup\":{\"model\":\"" + MODEL + "\",\"generationConfig\":{\"responseModalities\":[\"TEXT\"]},"
                    + "\"sessionResumption\":" + resumption + ",\"contextWindowCompression\":{\"slidingWindow\":{}}}}", true)
                    .get(10, TimeUnit.SECONDS);
            if (!c.setUp.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no setupComplete");
            }
            connections++;
            return c;
        }

        void send(byte[] pcm) throws Exception {
            if (current.goAway || current.closed) {
                Conn old = current;
                current = open();
                old.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
            }
            String json = "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\""
                    + Base64.getEncoder().encodeToString(pcm) + "\"}}}";
            current.ws.sendText(json, true).get(10, TimeUnit.SECONDS);
        }

        void close() {
            current.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
        }

        /** One connection's listener: whole messages, scanned for the few things the driver needs. */
        final class Conn implements WebSocket.Listener {
            WebSocket ws;
            final CountDownLatch setUp = new CountDownLatch(1);
            volatile boolean goAway;
            volatile boolean closed;
            private final StringBuilder text = new StringBuilder();
            private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                binary.writeBytes(b);
                if (last) {
                    onMessage(binary.toString(StandardCharsets.UTF_8));
                    binary = new java.io.ByteArrayOutputStream();
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    onMessage(text.toString());
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }

            private void onMessage(String json) {
                if (json.startsWith("{\"setupComplete\"")) {
                    setUp.countDown();
                } else if (json.contains("\"goAway\"")) {
                    goAway = true;
                } else if (json.contains("\"turnComplete\":true")) {
                    turns.incrementAndGet();
                } else if (json.contains("\"newHandle\"")) {
                    Matcher m = HANDLE.matcher(json);
                    if (m.find()) {
                        handle = m.group(1);
                    }
                }
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                closed = true;
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed = true;
            }
        }
    }
}
