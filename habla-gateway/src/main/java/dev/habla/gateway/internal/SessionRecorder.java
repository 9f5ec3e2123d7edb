package dev.habla.gateway.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the upstream side of the sessions of the apps configured for it (off by default): each such conversation
 * gets its own upstream {@link LiveClient} with {@link ClientConfig.Builder#record} on
 * {@code <dir>/<app>-<UTC time>-<conversation>.jsonl}, so the cassette holds exactly one session (its handovers and
 * reconnects included) and replays with {@code habla emulator --replay}. Retention: before each new recording the
 * app's folder keeps at most {@code maxFiles - 1} older cassettes, none older than {@code maxAge}.
 *
 * <p>Thread-safe: {@code lock} serialises pruning and file naming; clients are owned by their conversation.
 */
public final class SessionRecorder {
    private static final Logger log = LoggerFactory.getLogger(SessionRecorder.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** Where and how much to keep for one app. */
    public record Settings(Path dir, int maxFiles, Duration maxAge) {
        public Settings {
            if (maxFiles < 1) {
                throw new IllegalArgumentException("maxFiles must be >= 1, was " + maxFiles);
            }
            if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("maxAge must be positive, was " + maxAge);
            }
        }
    }

    private final Consumer<ClientConfig.Builder> upstream;
    private final Map<String, Settings> apps;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();

    public SessionRecorder(Consumer<ClientConfig.Builder> upstream, Map<String, Settings> apps, Clock clock) {
        this.upstream = upstream;
        this.apps = Map.copyOf(apps);
        this.clock = clock;
    }

    /**
     * A new upstream client recording conversation {@code id} of {@code app}, or null when the app does not record
     * (or its folder cannot be written: logged, the session goes on unrecorded). The caller closes it.
     */
    public LiveClient open(String app, long id) {
        Settings s = apps.get(app);
        if (s == null) {
            return null;
        }
        Path file;
        lock.lock();
        try {
            Files.createDirectories(s.dir());
            prune(app, s);
            file = s.dir().resolve(app + "-" + STAMP.format(clock.instant()) + "-" + id + ".jsonl");
        } catch (IOException e) {
            log.warn("Not recording conversation {} of app {}: {}", id, app, e.toString());
            return null;
        } finally {
            lock.unlock();
        }
        try {
            return LiveClient.create(c -> {
                upstream.accept(c);
                c.record(file);
            });
        } catch (RuntimeException e) {
            log.warn("Not recording conversation {} of app {}: {}", id, app, e.toString());
            return null;
        }
    }

    /** Deletes the app's cassettes older than maxAge, then the oldest beyond maxFiles - 1 (room for the new one). */
    private void prune(String app, Settings s) throws IOException {
        Instant oldest = clock.instant().minus(s.maxAge());
        List<Path> mine;
        try (Stream<Path> files = Files.list(s.dir())) {
            mine = files.filter(p -> p.getFileName().toString().startsWith(app + "-")
                            && p.getFileName().toString().endsWith(".jsonl"))
                    .sorted(Comparator.comparing((Path p) -> stamp(app, p)).thenComparingLong(p -> number(app, p))).toList();
        }
        int keep = s.maxFiles() - 1;
        for (int i = 0; i < mine.size(); i++) {
            Path p = mine.get(i);
            if (i < mine.size() - keep || modified(p).isBefore(oldest)) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The UTC time part of {@code <app>-<time>-<n>.jsonl}: creation order to the second. */
    private static String stamp(String app, Path p) {
        String rest = p.getFileName().toString().substring(app.length() + 1);
        int dash = rest.indexOf('-');
        return dash < 0 ? rest : rest.substring(0, dash);
    }

    /** The conversation number of {@code <app>-<time>-<n>.jsonl} (they increase): order within one second. */
    private static long number(String app, Path p) {
        String name = p.getFileName().toString();
        try {
            return Long.parseLong(name.substring(name.lastIndexOf('-') + 1, name.length() - ".jsonl".length()));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return -1;
        }
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH; // gone or unreadable: first to go
        }
    }
}
