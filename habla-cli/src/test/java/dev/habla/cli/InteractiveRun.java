package dev.habla.cli;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import picocli.CommandLine;

/**
 * Runs {@link Main} on a virtual thread with stdin fed line by line and stdout watched as it is written, for
 * conversations whose next step depends on what was printed.
 */
final class InteractiveRun implements AutoCloseable {

    private static final byte[] EOF = new byte[0];

    private final BlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition printed = lock.newCondition();
    /** Guarded by lock. */
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicInteger exit = new AtomicInteger(Integer.MIN_VALUE);
    private final Thread thread;

    InteractiveRun(Path workDir, Path home, Map<String, String> env, String... args) {
        this(workDir, home, env, cl -> { }, args);
    }

    /** With {@code prepare} applied to the command tree first (see {@link Main#run(CliContext, Consumer, String...)}). */
    InteractiveRun(Path workDir, Path home, Map<String, String> env, Consumer<CommandLine> prepare, String... args) {
        InputStream in = new InputStream() {
            private byte[] current = new byte[0];
            private int at;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (current == EOF) {
                    return -1;
                }
                while (at >= current.length) {
                    try {
                        current = input.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return -1;
                    }
                    at = 0;
                    if (current == EOF) {
                        return -1;
                    }
                }
                int n = Math.min(len, current.length - at);
                System.arraycopy(current, at, b, off, n);
                at += n;
                return n;
            }
        };
        OutputStream watched = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                lock.lock();
                try {
                    out.write(b, off, len);
                    printed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        };
        CliContext ctx = new CliContext(in, new PrintStream(watched, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, workDir, home, false);
        thread = Thread.ofVirtual().name("interactive-habla").start(() -> {
            exit.set(Main.run(ctx, prepare, args));
            lock.lock();
            try {
                printed.signalAll();
            } finally {
                lock.unlock();
            }
        });
    }

    void type(String line) {
        input.add((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    String out() {
        lock.lock();
        try {
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            lock.unlock();
        }
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Waits (bounded) until stdout satisfies {@code condition}. */
    String awaitOut(String what, Duration timeout, Predicate<String> condition) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            String s;
            while (!condition.test(s = out.toString(StandardCharsets.UTF_8))) {
                if (nanos <= 0 || exit.get() != Integer.MIN_VALUE) {
                    fail("No " + what + " within " + timeout + " (exit " + exit.get() + "). stdout:\n" + s
                            + "\nstderr:\n" + err());
                }
                nanos = printed.awaitNanos(nanos);
            }
            return s;
        } finally {
            lock.unlock();
        }
    }

    /** Waits at most {@code timeout} for stdout to satisfy {@code condition}; whether it does. */
    boolean awaitOutQuietly(Duration timeout, Predicate<String> condition) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (!condition.test(out.toString(StandardCharsets.UTF_8))) {
                if (nanos <= 0 || exit.get() != Integer.MIN_VALUE) {
                    return false;
                }
                nanos = printed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits (bounded) for the exit code without closing stdin (the chat ends on its own). */
    int awaitExitWithoutEof(Duration timeout) throws InterruptedException {
        if (!thread.join(timeout)) {
            fail("habla did not exit within " + timeout + ". stdout:\n" + out() + "\nstderr:\n" + err());
        }
        return exit.get();
    }

    /** Closes stdin and waits (bounded) for the exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        input.add(EOF);
        if (!thread.join(timeout)) {
            fail("habla did not exit within " + timeout + ". stdout:\n" + out() + "\nstderr:\n" + err());
        }
        return exit.get();
    }

    @Override
    public void close() throws InterruptedException {
        input.add(EOF);
        thread.join(Duration.ofSeconds(10));
    }
}
