package dev.habla.gateway.internal;

import dev.habla.gateway.AppUsage;
import dev.habla.gateway.GatewayApp;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.UsageMetadata;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Apps, their limits and their usage. Session admission (concurrency, minutes per UTC day) and the usage counters
 * (tokens by modality from {@code usageMetadata}, audio seconds, session seconds) per app, mirrored into Micrometer
 * ({@code habla_gateway_*} in {@code /metrics}). {@code lock} guards every {@link AppState}; thread-safe.
 */
public final class Accounting {
    /** Google's quota close reason family (live-protocol.md §5.10: quota closes are 1011). */
    public static final String REASON_CONCURRENCY = "Resource has been exhausted (e.g. check quota): too many concurrent sessions for this app.";
    public static final String REASON_MINUTES = "You exceeded your current quota: session minutes per day for this app.";

    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<String, GatewayApp> apps = new LinkedHashMap<>();
    private final Map<String, GatewayApp> byKeyHash = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, AppState> state = new HashMap<>(); // guarded by lock (the map and each state's fields)

    /** One app's counters; fields guarded by {@link #lock}. */
    private final class AppState {
        final GatewayApp app;
        int active;
        long started;
        LocalDate day;
        double closedSecondsToday;
        final Map<Long, Instant> openSince = new HashMap<>();
        final Map<String, Long> prompt = new TreeMap<>();
        final Map<String, Long> response = new TreeMap<>();
        double audioIn;
        double audioOut;
        /** The audio-seconds counters, looked up once (audio is counted per chunk). */
        Counter audioInSeconds;
        Counter audioOutSeconds;

        AppState(GatewayApp app) {
            this.app = app;
            Gauge.builder("habla.gateway.sessions.active", this, s -> s.active).tag("app", app.id())
                    .description("sessions open now, including ones in their resumption grace period").register(registry);
        }
    }

    private final boolean localConcurrency;

    public Accounting(List<GatewayApp> appList, Clock clock, MeterRegistry registry) {
        this(appList, clock, registry, true);
    }

    /**
     * @param localConcurrency whether {@link #open} enforces the apps' concurrency and minutes (false in a cluster:
     *                         {@link Admission} enforces them cluster-wide, with its queue)
     */
    public Accounting(List<GatewayApp> appList, Clock clock, MeterRegistry registry, boolean localConcurrency) {
        this.localConcurrency = localConcurrency;
        this.clock = clock;
        this.registry = registry;
        for (GatewayApp a : appList) {
            if (apps.put(a.id(), a) != null) {
                throw new IllegalArgumentException("duplicate app id " + a.id());
            }
            if (byKeyHash.put(Secrets.hash(a.adminKey()), a) != null) {
                throw new IllegalArgumentException("two apps share an admin key (" + a.id() + ")");
            }
            state.put(a.id(), new AppState(a));
        }
    }

    /** The app whose admin key is {@code key}, or null. Compares hashes, so timing says nothing about the key. */
    public GatewayApp appForKey(String key) {
        return key == null || key.isEmpty() ? null : byKeyHash.get(Secrets.hash(key));
    }

    public GatewayApp app(String id) {
        return apps.get(id);
    }

    public List<GatewayApp> apps() {
        return List.copyOf(apps.values());
    }

    /** A refusal: the close code and reason a new session gets. */
    public record Refusal(int code, String reason, String metric) {}

    /** Admits a new session of {@code app} under id {@code sessionKey}, or says why not. */
    public Refusal open(String app, long sessionKey) {
        lock.lock();
        try {
            AppState s = state.get(app);
            rollDay(s);
            if (localConcurrency && s.app.maxConcurrentSessions() > 0 && s.active >= s.app.maxConcurrentSessions()) {
                return new Refusal(1011, REASON_CONCURRENCY, "concurrency");
            }
            if (localConcurrency && s.app.maxMinutesPerDay() > 0 && secondsToday(s) >= s.app.maxMinutesPerDay() * 60.0) {
                return new Refusal(1011, REASON_MINUTES, "minutes");
            }
            s.active++;
            s.started++;
            s.openSince.put(sessionKey, clock.instant());
            registry.counter("habla.gateway.sessions.started", "app", app).increment();
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** The session {@code sessionKey} of {@code app} ended: its time is added to the day's. Idempotent. */
    public void close(String app, long sessionKey) {
        lock.lock();
        try {
            AppState s = state.get(app);
            Instant since = s.openSince.remove(sessionKey);
            if (since == null) {
                return;
            }
            s.active--;
            rollDay(s);
            Instant now = clock.instant();
            Instant dayStart = s.day.atStartOfDay(ZoneOffset.UTC).toInstant();
            double secs = Duration.between(since.isBefore(dayStart) ? dayStart : since, now).toMillis() / 1000.0;
            s.closedSecondsToday += Math.max(0, secs);
            counter("habla.gateway.session.seconds", app).increment(Math.max(0, Duration.between(since, now).toMillis() / 1000.0));
        } finally {
            lock.unlock();
        }
    }

    /**
     * When {@code app}'s minutes of today run out if its open sessions all stay open (they use them up together):
     * now if they already have; null if the app has no daily limit or no open session.
     */
    public Instant minutesRunOut(String app) {
        if (apps.get(app).maxMinutesPerDay() <= 0) {
            return null;
        }
        lock.lock();
        try {
            AppState s = state.get(app);
            rollDay(s);
            int open = s.openSince.size();
            if (open == 0) {
                return null;
            }
            Instant now = clock.instant();
            double left = s.app.maxMinutesPerDay() * 60.0 - secondsToday(s);
            return left <= 0 ? now : now.plusMillis((long) Math.ceil(left * 1000 / open));
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code app} has used up its minutes today (open sessions included). */
    public boolean minutesExceeded(String app) {
        // An app without a daily limit needs neither the lock nor the sum over its open sessions.
        if (apps.get(app).maxMinutesPerDay() <= 0) {
            return false;
        }
        lock.lock();
        try {
            AppState s = state.get(app);
            rollDay(s);
            return s.app.maxMinutesPerDay() > 0 && secondsToday(s) >= s.app.maxMinutesPerDay() * 60.0;
        } finally {
            lock.unlock();
        }
    }

    /** Adds one {@code usageMetadata} of {@code app}. */
    public void usage(String app, UsageMetadata u) {
        if (u == null) {
            return;
        }
        lock.lock();
        try {
            AppState s = state.get(app);
            add(s.prompt, app, "prompt", u.promptTokenCount(), u.promptTokensDetails());
            add(s.response, app, "response", u.responseTokenCount(), u.responseTokensDetails());
        } finally {
            lock.unlock();
        }
    }

    private void add(Map<String, Long> into, String app, String direction, int total, List<UsageMetadata.ModalityTokenCount> details) {
        into.merge("TOTAL", (long) total, Long::sum);
        if (details != null) {
            for (UsageMetadata.ModalityTokenCount d : details) {
                String m = d.modality() == null ? "UNSPECIFIED" : d.modality().name();
                into.merge(m, (long) d.tokenCount(), Long::sum);
                registry.counter("habla.gateway.tokens", "app", app, "direction", direction, "modality", m).increment(d.tokenCount());
            }
        }
        registry.counter("habla.gateway.tokens", "app", app, "direction", direction, "modality", "TOTAL").increment(total);
    }

    /**
     * The PCM audio of a client's realtime input relayed for {@code app}: its audio and its media chunks whose MIME type
     * is {@code audio/pcm} (16 kHz unless the type names a rate); other media are not counted.
     */
    public void audioIn(String app, ClientMessage.RealtimeInput r) {
        audioIn(app, r.audio());
        if (r.mediaChunks() != null) {
            r.mediaChunks().forEach(b -> audioIn(app, b));
        }
    }

    private void audioIn(String app, Blob b) {
        if (b != null && b.mimeType() != null && b.mimeType().startsWith("audio/pcm") && b.data() != null) {
            audio(app, true, b.data().length, Blob.sampleRate(b.mimeType(), 16_000));
        }
    }

    /** {@code bytes} of 16-bit mono PCM at {@code rate} Hz relayed for {@code app}; {@code in}: from the client. */
    public void audio(String app, boolean in, int bytes, int rate) {
        if (rate <= 0) {
            return;
        }
        double secs = bytes / 2.0 / rate;
        Counter counter;
        lock.lock();
        try {
            AppState s = state.get(app);
            if (in) {
                s.audioIn += secs;
                if (s.audioInSeconds == null) {
                    s.audioInSeconds = registry.counter("habla.gateway.audio.seconds", "app", app, "direction", "in");
                }
                counter = s.audioInSeconds;
            } else {
                s.audioOut += secs;
                if (s.audioOutSeconds == null) {
                    s.audioOutSeconds = registry.counter("habla.gateway.audio.seconds", "app", app, "direction", "out");
                }
                counter = s.audioOutSeconds;
            }
        } finally {
            lock.unlock();
        }
        counter.increment(secs);
    }

    /** A refused session or token (reason: a short metric tag). */
    public void refused(String reason) {
        registry.counter("habla.gateway.refusals", "reason", reason).increment();
    }

    public AppUsage snapshot(String app) {
        lock.lock();
        try {
            AppState s = state.get(app);
            rollDay(s);
            return new AppUsage(app, s.active, s.started, secondsToday(s), s.prompt, s.response, s.audioIn, s.audioOut);
        } finally {
            lock.unlock();
        }
    }

    private Counter counter(String name, String app) {
        return registry.counter(name, "app", app);
    }

    private double secondsToday(AppState s) {
        Instant now = clock.instant();
        Instant dayStart = s.day.atStartOfDay(ZoneOffset.UTC).toInstant();
        double open = 0;
        for (Instant since : s.openSince.values()) {
            open += Duration.between(since.isBefore(dayStart) ? dayStart : since, now).toMillis() / 1000.0;
        }
        return s.closedSecondsToday + open;
    }

    private void rollDay(AppState s) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (!today.equals(s.day)) {
            s.day = today;
            s.closedSecondsToday = 0;
        }
    }
}
