package dev.habla.assistant;

import static org.assertj.core.api.Assertions.fail;

import dev.habla.voice.Pcm16;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Assumptions;

/**
 * The PulseAudio test devices of {@code scripts/pulse-test-env.sh}: checks that they run, plays into the virtual
 * microphone ({@code paplay --device=vmic}), records the virtual speaker ({@code pacat --record
 * --device=vsink.monitor}). The test JVM gets {@code XDG_RUNTIME_DIR}/{@code PULSE_SERVER} of the test daemon from
 * surefire, and so do these child processes.
 */
final class PulseDevices {

    static final String HOW = "start them with: scripts/pulse-test-env.sh start (needs: apt-get install -y "
            + "--no-install-recommends pulseaudio pulseaudio-utils libasound2-plugins alsa-utils espeak-ng sox)";

    private PulseDevices() {
    }

    /**
     * Fails (when {@code CI=true}) or skips, loudly, unless the daemon answers and both virtual devices exist.
     */
    static void require() {
        String problem = problem();
        if (problem == null) {
            return;
        }
        String message = "PulseAudio test devices unavailable: " + problem + "; " + HOW;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: device-path tests must run)");
        }
        System.err.println("*** SKIPPING device-path test: " + message + " ***");
        Assumptions.abort(message);
    }

    private static String problem() {
        try {
            Result info = run(Duration.ofSeconds(5), "pactl", "info");
            if (info.code() != 0) {
                return "pactl info failed (" + info.output().strip() + ")";
            }
            Result sinks = run(Duration.ofSeconds(5), "pactl", "list", "short", "sinks");
            if (!sinks.output().contains("vsink") || !sinks.output().contains("vmic")) {
                return "sinks vsink/vmic missing (" + sinks.output().strip() + ")";
            }
            if (javax.sound.sampled.AudioSystem.getMixerInfo().length == 0) {
                return "Java Sound sees no mixer";
            }
        } catch (IOException e) {
            return "cannot run pactl (" + e.getMessage() + ")";
        }
        for (String tool : new String[] {"espeak-ng", "sox"}) {
            try {
                run(Duration.ofSeconds(5), tool, "--version");
            } catch (IOException e) {
                return tool + " is not installed";
            }
        }
        return null;
    }

    record Result(int code, String output) {}

    static Result run(Duration timeout, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** Speech made the documented way: espeak-ng, then sox to 16 kHz mono PCM16. */
    static Path espeak(Path dir, String name, String text) throws IOException {
        Path raw = dir.resolve(name + "-raw.wav");
        Path out = dir.resolve(name + "-16k.wav");
        Result e = run(Duration.ofSeconds(20), "espeak-ng", "-w", raw.toString(), text);
        if (e.code() != 0) {
            fail("espeak-ng failed: " + e.output());
        }
        Result s = run(Duration.ofSeconds(20), "sox", raw.toString(), "-r", "16000", "-c", "1", "-b", "16", "-e",
                "signed-integer", out.toString());
        if (s.code() != 0) {
            fail("sox failed: " + s.output());
        }
        return out;
    }

    /** Starts playing a WAV into the virtual microphone; the caller waits for the process. */
    static Process startPlayingIntoMic(Path wav) throws IOException {
        return new ProcessBuilder("paplay", "--device=vmic", wav.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Plays a WAV into the virtual microphone and waits (bounded) until it has been played. */
    static void playIntoMic(Path wav) throws IOException {
        Result r = run(Duration.ofSeconds(30), "paplay", "--device=vmic", wav.toString());
        if (r.code() != 0) {
            fail("paplay --device=vmic failed: " + r.output());
        }
    }

    /**
     * Records the virtual speaker's monitor (24 kHz mono PCM16) on a background thread, dating each block by its
     * arrival; {@link #close()} stops it.
     */
    static final class Recording implements AutoCloseable {
        private final Process process;
        private final Thread reader;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition grew = lock.newCondition();
        private short[] samples = new short[24_000 * 20];
        private int length;
        /** Arrival time (System.nanoTime) of each block: block start index → nanos. */
        private final java.util.TreeMap<Integer, Long> arrivals = new java.util.TreeMap<>();

        Recording() throws IOException {
            process = new ProcessBuilder("pacat", "--record", "--device=vsink.monitor", "--rate=24000", "--channels=1",
                    "--format=s16le", "--latency-msec=20", "--raw").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            reader = Thread.ofVirtual().name("pacat-reader").start(this::pump);
        }

        private void pump() {
            byte[] buf = new byte[4800];
            int carry = -1;
            try (InputStream in = process.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    long now = System.nanoTime();
                    lock.lock();
                    try {
                        arrivals.put(length, now);
                        int i = 0;
                        if (carry >= 0) {
                            append((short) ((carry & 0xff) | (buf[0] << 8)));
                            carry = -1;
                            i = 1;
                        }
                        for (; i + 1 < n; i += 2) {
                            append((short) ((buf[i] & 0xff) | (buf[i + 1] << 8)));
                        }
                        if (i < n) {
                            carry = buf[i] & 0xff;
                        }
                        grew.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (IOException ignored) {
                // The process was stopped.
            }
        }

        private void append(short s) {
            if (length == samples.length) {
                samples = java.util.Arrays.copyOf(samples, samples.length * 2);
            }
            samples[length++] = s;
        }

        /** Samples recorded so far. */
        short[] samples() {
            lock.lock();
            try {
                return java.util.Arrays.copyOf(samples, length);
            } finally {
                lock.unlock();
            }
        }

        int length() {
            lock.lock();
            try {
                return length;
            } finally {
                lock.unlock();
            }
        }

        /** When the block holding sample {@code index} arrived (System.nanoTime). */
        long arrivalOf(int index) {
            lock.lock();
            try {
                var e = arrivals.floorEntry(index);
                return e == null ? Long.MIN_VALUE : e.getValue();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until at least {@code samples} samples have been recorded; false on timeout. */
        boolean awaitLength(int samples, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            lock.lockInterruptibly();
            try {
                while (length < samples) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    grew.await(left, TimeUnit.NANOSECONDS);
                }
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** Samples in [from, to) that lie in inaudible runs of at least {@code minRun} samples. */
        int silentRuns(int from, int to, int minRun) {
            lock.lock();
            try {
                int total = 0;
                int run = 0;
                for (int i = from; i < Math.min(to, length); i++) {
                    if (Math.abs(samples[i]) > DeviceModelSink.AUDIBLE) {
                        total += run >= minRun ? run : 0;
                        run = 0;
                    } else {
                        run++;
                    }
                }
                return total + (run >= minRun ? run : 0);
            } finally {
                lock.unlock();
            }
        }

        /** Index of the last audible sample in [from, to), or -1. */
        int lastAudible(int from, int to) {
            lock.lock();
            try {
                for (int i = Math.min(to, length) - 1; i >= from; i--) {
                    if (Math.abs(samples[i]) > DeviceModelSink.AUDIBLE) {
                        return i;
                    }
                }
                return -1;
            } finally {
                lock.unlock();
            }
        }

        /**
         * Waits until audible audio after sample {@code from} has been recorded for {@code played}; returns the index
         * of its first audible sample, or -1 on timeout.
         */
        int awaitAudible(int from, Duration played, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            lock.lockInterruptibly();
            try {
                while (true) {
                    int first = -1;
                    for (int i = from; i < length; i++) {
                        if (Math.abs(samples[i]) > DeviceModelSink.AUDIBLE) {
                            first = i;
                            break;
                        }
                    }
                    if (first >= 0 && length - first >= played.toMillis() * 24) {
                        return first;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return -1;
                    }
                    grew.await(left, TimeUnit.NANOSECONDS);
                }
            } finally {
                lock.unlock();
            }
        }

        /**
         * Waits until the recording holds audible audio after sample {@code from} followed by {@code silence} of
         * silence; returns the audible span [first, last] in samples, or null on timeout.
         */
        int[] awaitUtterance(int from, Duration silence, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            int quiet = (int) (silence.toMillis() * 24);
            lock.lockInterruptibly();
            try {
                while (true) {
                    int first = -1;
                    int last = -1;
                    for (int i = from; i < length; i++) {
                        if (Math.abs(samples[i]) > DeviceModelSink.AUDIBLE) {
                            if (first < 0) {
                                first = i;
                            }
                            last = i;
                        }
                    }
                    if (first >= 0 && length - last >= quiet) {
                        return new int[] {first, last};
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    grew.await(left, TimeUnit.NANOSECONDS);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join(Duration.ofSeconds(2));
        }
    }

    static double dbfs(short[] s, int from, int to) {
        return Pcm16.dbfs(java.util.Arrays.copyOfRange(s, from, to));
    }

    static List<String> mixers() {
        List<String> names = new ArrayList<>();
        for (var m : javax.sound.sampled.AudioSystem.getMixerInfo()) {
            names.add(m.getName());
        }
        return names;
    }
}
