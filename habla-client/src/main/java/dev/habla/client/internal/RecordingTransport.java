package dev.habla.client.internal;

import dev.habla.protocol.Cassette;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} that records what passes through another one to a cassette ({@link Cassette}): every
 * connection the client opens (numbered in open order, so a handover or reconnect is the next number), every frame both
 * ways with its time, and how each connection ended. A client-side tap, so it records the real service as well as the
 * emulator. Credentials are redacted before anything is written: the client's key or token and every credential header
 * value seen are literal secrets of the {@link Cassette} redaction.
 *
 * <p>Threads: the callbacks of all connections, and the session writers, append lines; {@code lock} guards the file
 * writer (one line at a time, flushed, so a crash leaves a readable cassette up to its last line). A write failure is
 * logged once and recording stops; it never fails the session.
 */
final class RecordingTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingTransport.class);

    private final Transport inner;
    private final Path file;
    private final Cassette.Audio audio;
    private final List<String> secrets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean failed = new AtomicBoolean();
    private final long startNanos = System.nanoTime();
    /** Guarded by {@code lock}; null once closed or failed. */
    private BufferedWriter out;

    RecordingTransport(Transport inner, Path file, Cassette.Audio audio, List<String> secrets) {
        this.inner = inner;
        this.file = file;
        this.audio = audio;
        secrets.stream().filter(s -> s != null && !s.isBlank()).forEach(this.secrets::add);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cassette " + file + ": " + e.getMessage(), e);
        }
        append(Cassette.header(audio, Instant.now()));
    }

    @Override
    public CompletableFuture<Connection> open(ConnectRequest request, Duration timeout, Listener listener) {
        int n = connections.incrementAndGet();
        request.headers().forEach((k, v) -> {
            if (k.equalsIgnoreCase("authorization") || k.equalsIgnoreCase("x-goog-api-key")) {
                String value = v.replaceFirst("(?i)^(bearer|token)\\s+", "");
                if (!secrets.contains(value)) {
                    secrets.add(value);
                }
            }
        });
        append(Cassette.open(millis(), n, request.uri().toString(), request.headers(), secrets));
        Tap tap = new Tap(n, listener);
        return inner.open(request, timeout, tap).thenApply(c -> tap.wrap(c));
    }

    /**
     * The listener and connection of one recorded connection. The session gets the wrapped connection from
     * {@link #onOpen} (it sends on that one), and the open future completes with the same wrapper.
     */
    private final class Tap implements Listener {
        private final int n;
        private final Listener listener;
        private final AtomicBoolean closeRecorded = new AtomicBoolean();
        private volatile Connection wrapped;

        Tap(int n, Listener listener) {
            this.n = n;
            this.listener = listener;
        }

        Connection wrap(Connection c) {
            Connection w = wrapped;
            if (w != null) {
                return w;
            }
            w = new Connection() {
                @Override
                public void sendText(String text) throws Exception {
                    // Before the send: the server's answer may arrive (and be appended by the reader) before sendText
                    // returns, and a replay must see the cause before its effect.
                    append(Cassette.frame(millis(), n, Cassette.Side.CLIENT, text, audio, secrets));
                    c.sendText(text);
                }

                @Override
                public CompletableFuture<?> sendPing() {
                    return c.sendPing();
                }

                @Override
                public CompletableFuture<?> sendClose(int code, String reason) {
                    if (closeRecorded.compareAndSet(false, true)) {
                        append(Cassette.close(millis(), n, Cassette.Side.CLIENT, code, reason, secrets));
                    }
                    return c.sendClose(code, reason);
                }

                @Override
                public void request(long count) {
                    c.request(count);
                }

                @Override
                public void abort() {
                    c.abort();
                }
            };
            wrapped = w;
            return w;
        }

        @Override
        public void onOpen(Connection connection) {
            listener.onOpen(wrap(connection));
        }

            @Override
        public void onMessage(InboundFrame frame) {
            append(Cassette.frame(millis(), n, Cassette.Side.SERVER, frame.asString(), audio, secrets));
            listener.onMessage(frame);
        }

        @Override
        public void onPong() {
            listener.onPong();
        }

        @Override
        public void onClose(int code, String reason) {
            append(Cassette.close(millis(), n, Cassette.Side.SERVER, code, reason, secrets));
            listener.onClose(code, reason);
        }

        @Override
        public void onError(Throwable error) {
            append(Cassette.broken(millis(), n, String.valueOf(error.getMessage() == null
                    ? error.getClass().getSimpleName() : error.getMessage()), secrets));
            listener.onError(error);
        }
    }

    private long millis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private void append(String line) {
        lock.lock();
        try {
            if (out == null) {
                return;
            }
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            if (failed.compareAndSet(false, true)) {
                LOG.warn("Recording to {} stopped: {}", file, e.toString());
            }
            closeQuietly();
        } finally {
            lock.unlock();
        }
    }

    private void closeQuietly() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException ignored) {
            // Best effort: the lines before were flushed.
        }
        out = null;
    }

    @Override
    public void close() {
        inner.close();
        lock.lock();
        try {
            closeQuietly();
        } finally {
            lock.unlock();
        }
    }
}
