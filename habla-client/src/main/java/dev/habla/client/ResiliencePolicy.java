package dev.habla.client;

import dev.habla.time.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a {@link ResilientSession} keeps one conversation alive across connections: handover, reconnect, re-seeding,
 * the stall watchdog, compression, metrics and time. Immutable; built with {@link #create(Consumer)}; every default is
 * a named constant.
 *
 * <pre>{@code
 * ResiliencePolicy policy = ResiliencePolicy.create(p -> p
 *     .meterRegistry(registry)
 *     .proactiveHandoverAfter(Duration.ofMinutes(9))
 *     .maxReconnectAttempts(8)
 *     .reconnectOnStall(true));
 * }</pre>
 *
 * @param scheduler                 time source and timers (tests pass a {@code dev.habla.testing.FakeClock}, the same one the emulator runs on)
 * @param meterRegistry             where session-health metrics go; null = nowhere
 * @param metricTags                extra tags on every meter (e.g. a tenant), never null
 * @param makeBeforeBreak           open the next connection while the old one still streams (false: close first)
 * @param proactiveHandoverAfter    hand over after this long on one connection even without {@code goAway}; null = off
 * @param handoverDeadlineMargin    switch regardless of turn state this long before a {@code goAway}'s time is up
 * @param quietAudioBeforeHandover  only switch at a boundary where the user's audio has been quiet this long (audio
 *                                  time), so an utterance is not split across connections, and, after the user spoke,
 *                                  once the model's reply has started (at most {@code replyTimeout} after the last
 *                                  speech), so the server's reply to it is not lost with the old connection; zero =
 *                                  don't wait
 * @param quietLevelDbfs            10-ms audio frames below this level count as quiet
 * @param drainTimeout              how long a switch waits for the old connection to flush and close before aborting it
 * @param maxReconnectAttempts      connection attempts after an unexpected loss before giving up (≥ 1)
 * @param initialBackoff            wait before the second attempt (the first one is immediate)
 * @param maxBackoff                cap of the exponential backoff
 * @param backoffMultiplier         growth per attempt (≥ 1)
 * @param jitter                    ± fraction applied to each backoff (0..1)
 * @param reseedOnRefusedResumption when the server refuses the handle (1007 on resume), start a new session seeded
 *                                  with the transcript instead of failing
 * @param transcriptMaxTurns        text turns kept for re-seeding (oldest dropped first)
 * @param transcriptMaxChars        characters kept for re-seeding (oldest turns dropped first)
 * @param compression               add sliding-window context compression (server defaults) to every session whose
 *                                  config has none (default on): without it a session that sends audio ends after 15
 *                                  minutes of session time (2 with video) whatever its output modality, and a long
 *                                  text conversation ends when it fills the context window. Turn it off only to keep
 *                                  the whole context verbatim and accept those limits.
 * @param midTurnStallTimeout       the model mid-turn with no data for this long is a stall; null = off
 * @param replyTimeout              no reply this long after the user's turn ended is a stall; null = off
 * @param reconnectOnStall          reconnect (with the handle) after a stall, re-sending an unanswered text turn
 * @param prematureTurnCompleteHold a {@code turnComplete} that came without {@code generationComplete} is held this
 *                                  long; if the model keeps streaming it was premature and is dropped; zero = off
 */
public record ResiliencePolicy(
        Scheduler scheduler,
        MeterRegistry meterRegistry,
        Tags metricTags,
        boolean makeBeforeBreak,
        Duration proactiveHandoverAfter,
        Duration handoverDeadlineMargin,
        Duration quietAudioBeforeHandover,
        double quietLevelDbfs,
        Duration drainTimeout,
        int maxReconnectAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        double backoffMultiplier,
        double jitter,
        boolean reseedOnRefusedResumption,
        int transcriptMaxTurns,
        int transcriptMaxChars,
        boolean compression,
        Duration midTurnStallTimeout,
        Duration replyTimeout,
        boolean reconnectOnStall,
        Duration prematureTurnCompleteHold) {

    /** The documented connection lifetime is about 10 minutes; leave a minute of slack before the server's goAway. */
    public static final Duration DEFAULT_PROACTIVE_HANDOVER_AFTER = Duration.ofMinutes(9);
    /** goAway typically grants 5-10 s; 2 s leaves time for a close and, if needed, a fresh connect. */
    public static final Duration DEFAULT_HANDOVER_DEADLINE_MARGIN = Duration.ofSeconds(2);
    /** Above the usual 500 ms server end-of-speech silence, so the server has closed the user's utterance. */
    public static final Duration DEFAULT_QUIET_AUDIO_BEFORE_HANDOVER = Duration.ofMillis(700);
    /** A quiet room with a laptop microphone sits around -60 to -50 dBFS; speech is well above -45. */
    public static final double DEFAULT_QUIET_LEVEL_DBFS = -45;
    /** A healthy peer answers a close in milliseconds. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(2);
    /** 0 + 0.25 + 0.5 + 1 + 2 + 4 s: about 8 s of trying before giving up. */
    public static final int DEFAULT_MAX_RECONNECT_ATTEMPTS = 6;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(250);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(8);
    public static final double DEFAULT_BACKOFF_MULTIPLIER = 2.0;
    /** ±20 % spreads a fleet's reconnects after a server-side incident. */
    public static final double DEFAULT_JITTER = 0.2;
    /** Enough context to carry a conversation on; bounded so an hour-long session does not grow without end. */
    public static final int DEFAULT_TRANSCRIPT_MAX_TURNS = 200;
    /** About 8k tokens of text. */
    public static final int DEFAULT_TRANSCRIPT_MAX_CHARS = 32_000;
    /** Live audio arrives in bursts every few hundred ms; 5 s of nothing mid-turn is a hang (python-genai#2117). */
    public static final Duration DEFAULT_MID_TURN_STALL_TIMEOUT = Duration.ofSeconds(5);
    /** First audio normally comes within 1-2 s; long tool-less silences beyond 15 s are hangs. */
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(15);
    /** More than a network hiccup between two frames of one burst, little enough not to delay a real end of turn much. */
    public static final Duration DEFAULT_PREMATURE_TURN_COMPLETE_HOLD = Duration.ofMillis(300);

    public ResiliencePolicy {
        Objects.requireNonNull(scheduler, "scheduler");
        metricTags = metricTags == null ? Tags.empty() : metricTags;
        if (proactiveHandoverAfter != null) {
            positive("proactiveHandoverAfter", proactiveHandoverAfter);
        }
        nonNegative("handoverDeadlineMargin", handoverDeadlineMargin);
        nonNegative("quietAudioBeforeHandover", quietAudioBeforeHandover);
        if (!(quietLevelDbfs < 0)) {
            throw new IllegalArgumentException("quietLevelDbfs must be below 0 dBFS, was " + quietLevelDbfs);
        }
        positive("drainTimeout", drainTimeout);
        if (maxReconnectAttempts < 1) {
            throw new IllegalArgumentException("maxReconnectAttempts must be >= 1, was " + maxReconnectAttempts);
        }
        nonNegative("initialBackoff", initialBackoff);
        nonNegative("maxBackoff", maxBackoff);
        if (!(backoffMultiplier >= 1)) {
            throw new IllegalArgumentException("backoffMultiplier must be >= 1, was " + backoffMultiplier);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1], was " + jitter);
        }
        if (transcriptMaxTurns < 0 || transcriptMaxChars < 0) {
            throw new IllegalArgumentException("transcript limits must be >= 0");
        }
        if (midTurnStallTimeout != null) {
            positive("midTurnStallTimeout", midTurnStallTimeout);
        }
        if (replyTimeout != null) {
            positive("replyTimeout", replyTimeout);
        }
        nonNegative("prematureTurnCompleteHold", prematureTurnCompleteHold);
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + d);
        }
    }

    private static void nonNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + d);
        }
    }

    /** The defaults. */
    public static ResiliencePolicy defaults() {
        return new Builder().build();
    }

    /** Builds a validated policy. */
    public static ResiliencePolicy create(Consumer<Builder> spec) {
        Builder b = new Builder();
        spec.accept(b);
        return b.build();
    }

    /** A copy that derives from this one. */
    public ResiliencePolicy with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /**
     * The backoff before attempt {@code attempt} (1-based) of a reconnect: zero for the first, then
     * {@code initialBackoff × multiplier^(attempt-2)} capped at {@code maxBackoff}, times {@code 1 ± jitter·u} for
     * {@code u} in [-1, 1].
     */
    public Duration backoff(int attempt, double u) {
        if (attempt <= 1) {
            return Duration.ZERO;
        }
        double base = initialBackoff.toNanos() * Math.pow(backoffMultiplier, attempt - 2);
        base = Math.min(base, maxBackoff.toNanos());
        double factor = 1 + jitter * Math.max(-1, Math.min(1, u));
        return Duration.ofNanos((long) Math.max(0, base * factor));
    }

    /** Mutable builder; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private Scheduler scheduler = Scheduler.system();
        private MeterRegistry meterRegistry;
        private Tags metricTags = Tags.empty();
        private boolean makeBeforeBreak = true;
        private Duration proactiveHandoverAfter = DEFAULT_PROACTIVE_HANDOVER_AFTER;
        private Duration handoverDeadlineMargin = DEFAULT_HANDOVER_DEADLINE_MARGIN;
        private Duration quietAudioBeforeHandover = DEFAULT_QUIET_AUDIO_BEFORE_HANDOVER;
        private double quietLevelDbfs = DEFAULT_QUIET_LEVEL_DBFS;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private int maxReconnectAttempts = DEFAULT_MAX_RECONNECT_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private double backoffMultiplier = DEFAULT_BACKOFF_MULTIPLIER;
        private double jitter = DEFAULT_JITTER;
        private boolean reseedOnRefusedResumption = true;
        private int transcriptMaxTurns = DEFAULT_TRANSCRIPT_MAX_TURNS;
        private int transcriptMaxChars = DEFAULT_TRANSCRIPT_MAX_CHARS;
        private boolean compression = true;
        private Duration midTurnStallTimeout = DEFAULT_MID_TURN_STALL_TIMEOUT;
        private Duration replyTimeout = DEFAULT_REPLY_TIMEOUT;
        private boolean reconnectOnStall;
        private Duration prematureTurnCompleteHold = DEFAULT_PREMATURE_TURN_COMPLETE_HOLD;

        Builder() {}

        Builder(ResiliencePolicy p) {
            scheduler = p.scheduler;
            meterRegistry = p.meterRegistry;
            metricTags = p.metricTags;
            makeBeforeBreak = p.makeBeforeBreak;
            proactiveHandoverAfter = p.proactiveHandoverAfter;
            handoverDeadlineMargin = p.handoverDeadlineMargin;
            quietAudioBeforeHandover = p.quietAudioBeforeHandover;
            quietLevelDbfs = p.quietLevelDbfs;
            drainTimeout = p.drainTimeout;
            maxReconnectAttempts = p.maxReconnectAttempts;
            initialBackoff = p.initialBackoff;
            maxBackoff = p.maxBackoff;
            backoffMultiplier = p.backoffMultiplier;
            jitter = p.jitter;
            reseedOnRefusedResumption = p.reseedOnRefusedResumption;
            transcriptMaxTurns = p.transcriptMaxTurns;
            transcriptMaxChars = p.transcriptMaxChars;
            compression = p.compression;
            midTurnStallTimeout = p.midTurnStallTimeout;
            replyTimeout = p.replyTimeout;
            reconnectOnStall = p.reconnectOnStall;
            prematureTurnCompleteHold = p.prematureTurnCompleteHold;
        }

        public Builder scheduler(Scheduler s) { this.scheduler = s; return this; }
        public Builder meterRegistry(MeterRegistry r) { this.meterRegistry = r; return this; }
        public Builder metricTags(Tags tags) { this.metricTags = tags; return this; }
        /** Key/value pairs, e.g. {@code metricTags("tenant", "acme")}. */
        public Builder metricTags(String... keyValues) { this.metricTags = Tags.of(keyValues); return this; }
        public Builder makeBeforeBreak(boolean on) { this.makeBeforeBreak = on; return this; }
        /** Null turns the proactive timer off (handovers then only follow the server's goAway). */
        public Builder proactiveHandoverAfter(Duration d) { this.proactiveHandoverAfter = d; return this; }
        public Builder handoverDeadlineMargin(Duration d) { this.handoverDeadlineMargin = d; return this; }
        public Builder quietAudioBeforeHandover(Duration d) { this.quietAudioBeforeHandover = d; return this; }
        public Builder quietLevelDbfs(double dbfs) { this.quietLevelDbfs = dbfs; return this; }
        public Builder drainTimeout(Duration d) { this.drainTimeout = d; return this; }
        public Builder maxReconnectAttempts(int n) { this.maxReconnectAttempts = n; return this; }
        public Builder initialBackoff(Duration d) { this.initialBackoff = d; return this; }
        public Builder maxBackoff(Duration d) { this.maxBackoff = d; return this; }
        public Builder backoffMultiplier(double m) { this.backoffMultiplier = m; return this; }
        public Builder jitter(double j) { this.jitter = j; return this; }
        public Builder reseedOnRefusedResumption(boolean on) { this.reseedOnRefusedResumption = on; return this; }
        public Builder transcriptMaxTurns(int n) { this.transcriptMaxTurns = n; return this; }
        public Builder transcriptMaxChars(int n) { this.transcriptMaxChars = n; return this; }
        /** Sliding-window compression for sessions whose config has none (default on); see the record's doc. */
        public Builder compression(boolean on) { this.compression = on; return this; }
        /**
         * The old name of {@link #compression(boolean)}, from when only audio-answering sessions got compression.
         *
         * @deprecated compression now applies to every session (audio input hits the 15-minute limit whatever the
         *             output); use {@link #compression(boolean)}
         */
        @Deprecated
        public Builder compressionForAudio(boolean on) { return compression(on); }
        /** Null turns the mid-turn watchdog off. */
        public Builder midTurnStallTimeout(Duration d) { this.midTurnStallTimeout = d; return this; }
        /** Null turns the no-reply watchdog off. */
        public Builder replyTimeout(Duration d) { this.replyTimeout = d; return this; }
        public Builder reconnectOnStall(boolean on) { this.reconnectOnStall = on; return this; }
        public Builder prematureTurnCompleteHold(Duration d) { this.prematureTurnCompleteHold = d; return this; }

        /** Validates and builds. */
        public ResiliencePolicy build() {
            return new ResiliencePolicy(scheduler, meterRegistry, metricTags, makeBeforeBreak, proactiveHandoverAfter,
                    handoverDeadlineMargin, quietAudioBeforeHandover, quietLevelDbfs, drainTimeout, maxReconnectAttempts,
                    initialBackoff, maxBackoff, backoffMultiplier, jitter, reseedOnRefusedResumption, transcriptMaxTurns,
                    transcriptMaxChars, compression, midTurnStallTimeout, replyTimeout, reconnectOnStall,
                    prematureTurnCompleteHold);
        }
    }
}
