package dev.habla.emulator;

import dev.habla.emulator.internal.EmulatorConfig;
import dev.habla.emulator.internal.EmulatorCore;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A wire-faithful local Gemini Live API server (WebSocket {@code BidiGenerateContent}) for tests and offline work.
 *
 * <pre>{@code
 * try (LiveEmulator emu = LiveEmulator.create(b -> b.apiKey("test-key"))) {
 *     URI uri = URI.create(emu.wsUrl("v1beta") + "?key=any");
 *     ...
 * }
 * }</pre>
 *
 * <p>It also speaks OpenAI Realtime at {@link #realtimeUrl()} (same port, same brain and faults).
 *
 * <p>Listens on 127.0.0.1 only. Without a {@link Script} each connection talks to the deterministic default brain
 * (see the module README). Thread-safe; {@link #close()} is idempotent.
 */
public final class LiveEmulator implements AutoCloseable {
    private final EmulatorCore core;

    private LiveEmulator(EmulatorConfig config) {
        this.core = new EmulatorCore(config);
    }

    /**
     * Configures, binds and starts an emulator: the one way to get one. {@code spec} sets what differs from the
     * defaults of {@link Builder}; the returned emulator is already serving (close it).
     *
     * @throws IllegalArgumentException if the configuration is inconsistent (e.g. goAwayLead exceeds the lifetime)
     * @throws IllegalStateException if the port cannot be bound
     */
    public static LiveEmulator create(Consumer<Builder> spec) {
        Builder b = new Builder();
        spec.accept(b);
        LiveEmulator emu = new LiveEmulator(b.config());
        try {
            emu.core.start();
        } catch (RuntimeException | Error e) {
            emu.close();
            throw e;
        }
        return emu;
    }

    /** {@link #create(Consumer)} with every default: a free port, any key, the system clock. */
    public static LiveEmulator create() {
        return create(b -> {});
    }

    /**
     * When the emulator sends {@code voiceActivity} messages. The doc says they exist (2026) and are driven by
     * automatic activity detection, not when or on which models; this is the emulator's choice, see the README.
     */
    public enum VoiceActivityMessages {
        /** Never. */
        NEVER,
        /** On Gemini 3.x Live models with automatic activity detection on (the default). */
        GEMINI_3_LIVE,
        /** On every model with automatic activity detection on. */
        ALWAYS
    }

    /** How a replay paces the recorded server frames ({@link Builder#replay(java.nio.file.Path, Pace)}). */
    public enum Pace {
        /** With the recorded gaps, measured from the client frame each answer followed (on the emulator clock). */
        RECORDED,
        /** As soon as the client frame they follow has matched. */
        FAST
    }

    /**
     * In replay mode, every mismatch found so far (oldest first): "Replay mismatch at cassette line N (connection C):
     * path: expected X, got Y". The close reason carries the same, cut to 123 bytes. Empty otherwise.
     */
    public List<String> replayMismatches() {
        return core.replayer() == null ? List.of() : core.replayer().mismatches();
    }

    /** The bound port. */
    public int port() {
        return core.port();
    }

    /** {@code http://127.0.0.1:PORT}: what the SDKs take as {@code baseUrl}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** The WebSocket URL of {@code BidiGenerateContent} for {@code v1}, {@code v1beta} or {@code v1alpha}, without credentials. */
    public String wsUrl(String apiVersion) {
        return "ws://127.0.0.1:" + port() + "/ws/google.ai.generativelanguage." + apiVersion
                + ".GenerativeService.BidiGenerateContent";
    }

    /** The WebSocket URL of {@code BidiGenerateContentConstrained} (ephemeral tokens). */
    public String constrainedWsUrl(String apiVersion) {
        return wsUrl(apiVersion) + "Constrained";
    }

    /**
     * The OpenAI Realtime WebSocket URL, {@code ws://127.0.0.1:PORT/v1/realtime} (add {@code ?model=gpt-realtime}).
     * The emulator speaks the GA Realtime protocol there (module README, <em>OpenAI Realtime</em>).
     */
    public String realtimeUrl() {
        return "ws://127.0.0.1:" + port() + "/v1/realtime";
    }

    /** {@code http://127.0.0.1:PORT/v1}: the {@code baseURL} of the OpenAI SDKs (client secrets are minted there). */
    public String openAiBaseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /**
     * The next text frame an OpenAI Realtime client sent (any session), as received, waiting up to {@code timeout};
     * null on timeout. Capped like {@link #takeClientMessage(Duration)}.
     */
    public ReceivedRealtimeEvent takeRealtimeEvent(Duration timeout) throws InterruptedException {
        return core.takeRealtimeEvent(timeout);
    }

    /** Queues a script for the next authenticated connection (FIFO). */
    public void enqueue(Script script) {
        core.enqueue(Objects.requireNonNull(script, "script"));
    }

    /**
     * The next client message of any session, in arrival order, waiting up to {@code timeout}; null on timeout.
     * At most {@link Builder#maxRecordedMessages(int)} messages are kept (the oldest are dropped).
     */
    public ReceivedMessage takeClientMessage(Duration timeout) throws InterruptedException {
        return core.takeClientMessage(timeout);
    }

    /** Applies a fault to the newest open session ({@link Fault.RefuseResumption} needs no open session). */
    public void inject(Fault fault) {
        core.inject(null, Objects.requireNonNull(fault, "fault"));
    }

    /** Applies a fault to one session; IllegalArgumentException if it is not open. */
    public void inject(String sessionId, Fault fault) {
        core.inject(Objects.requireNonNull(sessionId, "sessionId"), Objects.requireNonNull(fault, "fault"));
    }

    /** Snapshots of the open sessions, oldest first. */
    public List<EmulatorSession> sessions() {
        return core.sessions();
    }

    /**
     * A snapshot of one session, open or recently closed (the last {@link Builder#keepClosedSessions(int)} closed ones
     * are kept, 64 by default).
     */
    public Optional<EmulatorSession> session(String sessionId) {
        return core.session(sessionId);
    }

    /** The clock the emulator runs on. */
    public Scheduler clock() {
        return core.config().clock();
    }

    /** Closes every connection (1001, no reason) and stops the server. Idempotent. */
    @Override
    public void close() {
        core.close();
    }

    /** Configures a {@link LiveEmulator} inside {@link LiveEmulator#create(Consumer)}. Not thread-safe. */
    public static final class Builder {
        /** 64 MiB: about 35 minutes of 16 kHz PCM16 per logical session. */
        public static final long DEFAULT_MAX_RECORDED_AUDIO = 64L << 20;
        private int port;
        private String apiKey;
        private Scheduler clock = Scheduler.system();
        private Duration connectionLifetime = Duration.ofMinutes(10);
        private Duration goAwayLead = Duration.ofSeconds(5);
        private Models models = Models.defaults();
        private Duration resumptionHandleTtl = Duration.ofHours(2);
        private Duration textChunkDelay = Duration.ZERO;
        private int maxRecordedMessages = 10_000;
        private int keepClosedSessions = 64;
        private VoiceActivityMessages voiceActivityMessages = VoiceActivityMessages.GEMINI_3_LIVE;
        private Duration audioSessionLimit = Duration.ofMinutes(15);
        private Duration videoSessionLimit = Duration.ofMinutes(2);
        private long maxRecordedAudio = DEFAULT_MAX_RECORDED_AUDIO;
        private ReplyPolicy replies = ReplyPolicy.deterministic();
        private Duration realtimeSessionCap = Duration.ofMinutes(60);
        private dev.habla.protocol.Cassette.Recording replay;
        private Pace replayPace = Pace.FAST;

        private Builder() {}

        /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The only accepted API key; null (default) accepts any non-empty key. A missing or wrong key gets the
         * WebSocket upgrade and then close 1008 "API key not valid. Please pass a valid API key.".
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** The clock every protocol timer runs on (default {@link Scheduler#system()}). */
        public Builder clock(Scheduler clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How long a connection lives before the emulator closes it (1000, empty reason). Default 10 minutes. */
        public Builder connectionLifetime(Duration lifetime) {
            this.connectionLifetime = positive(lifetime, "connectionLifetime");
            return this;
        }

        /** How long before the end of a connection {@code goAway} is sent (its {@code timeLeft}). Default 5 s. */
        public Builder goAwayLead(Duration lead) {
            this.goAwayLead = Objects.requireNonNull(lead, "goAwayLead");
            return this;
        }

        /** Accepted models (default {@link Models#defaults()}). */
        public Builder models(Models models) {
            this.models = Objects.requireNonNull(models, "models");
            return this;
        }

        /** How long a resumption handle stays valid after it is issued. Default 2 hours. */
        public Builder resumptionHandleTtl(Duration ttl) {
            this.resumptionHandleTtl = positive(ttl, "resumptionHandleTtl");
            return this;
        }

        /**
         * Delay between the text chunks of a TEXT reply on the emulator clock. Default zero: a text reply is sent at
         * once. A non-zero delay makes text turns interruptible.
         */
        public Builder textChunkDelay(Duration delay) {
            this.textChunkDelay = Objects.requireNonNull(delay, "textChunkDelay");
            return this;
        }

        /** Cap of the {@link #takeClientMessage(Duration)} queue (default 10 000; 0 records nothing). */
        public Builder maxRecordedMessages(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxRecordedMessages: " + max);
            }
            this.maxRecordedMessages = max;
            return this;
        }

        /**
         * How many closed sessions {@link #session(String)} still reports (default 64), oldest dropped first. Each
         * snapshot holds a copy of its logical session's history and received audio; beyond the count, snapshots are
         * also dropped (oldest first, the newest always kept) while their audio together exceeds
         * {@link #maxRecordedAudio(long)}.
         */
        public Builder keepClosedSessions(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("keepClosedSessions: " + n);
            }
            this.keepClosedSessions = n;
            return this;
        }

        /**
         * When {@code voiceActivity{type, audioOffset}} messages are sent: at each start and end of speech that the
         * automatic activity detection commits. Default {@link VoiceActivityMessages#GEMINI_3_LIVE}.
         */
        public Builder voiceActivityMessages(VoiceActivityMessages when) {
            this.voiceActivityMessages = Objects.requireNonNull(when, "voiceActivityMessages");
            return this;
        }

        /**
         * Session time limits without {@code contextWindowCompression} (docs: audio-only 15 min, audio+video 2 min):
         * the session time of a logical session that has received audio (or video) is capped at {@code audioOnly}
         * (or {@code withVideo}); at the cap the connection closes 1000 and the session's handles stop resuming.
         * Null disables a limit.
         */
        public Builder sessionLimits(Duration audioOnly, Duration withVideo) {
            this.audioSessionLimit = audioOnly == null ? null : positive(audioOnly, "audioOnly");
            this.videoSessionLimit = withVideo == null ? null : positive(withVideo, "withVideo");
            return this;
        }

        /**
         * How much received audio each logical session keeps for {@link EmulatorSession#receivedAudio()}: the newest
         * {@code bytes}, older bytes dropped (default {@link #DEFAULT_MAX_RECORDED_AUDIO}; 0 keeps none). Closed-session
         * snapshots share this budget in total (see {@link #keepClosedSessions(int)}), so a long-lived emulator's memory
         * stays bounded.
         */
        public Builder maxRecordedAudio(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxRecordedAudio: " + bytes);
            }
            this.maxRecordedAudio = bytes;
            return this;
        }

        /** What the model answers (default {@link ReplyPolicy#deterministic()}); the protocol stays the emulator's. */
        public Builder replies(ReplyPolicy replies) {
            this.replies = Objects.requireNonNull(replies, "replies");
            return this;
        }

        /**
         * How long an OpenAI Realtime session may last (default 60 minutes, as the service): at the cap the emulator
         * closes it 1001 {@code Your session hit the maximum duration of 60 minutes.} (emulator clock; no warning
         * before, as the service). {@code session.expires_at} says when.
         */
        public Builder realtimeSessionCap(Duration cap) {
            this.realtimeSessionCap = positive(cap, "realtimeSessionCap");
            return this;
        }

        /**
         * Replay mode: the cassette (recorded with {@code ClientConfig.record(..)} or {@code habla chat|talk --record})
         * plays the server, {@link Pace#FAST}. See {@link #replay(java.nio.file.Path, Pace)}.
         */
        public Builder replay(java.nio.file.Path cassette) {
            return replay(cassette, Pace.FAST);
        }

        /**
         * Replay mode: the n-th connection replays the cassette's connection n; each client frame is checked against
         * the recorded one (tolerances in the README, "Record and replay") and answered with the server frames
         * recorded after it, at {@code pace}. A mismatch closes 1007 with a reason naming the cassette line. Faults
         * {@code GoAway}, {@code Close}, {@code DropConnection}, {@code DeadlineExpired} and {@code Stall} can be
         * injected on top; scripts, replies and the session inspection API do not apply.
         *
         * @throws IllegalArgumentException if the file is not a cassette (naming the line)
         * @throws java.io.UncheckedIOException if it cannot be read
         */
        public Builder replay(java.nio.file.Path cassette, Pace pace) {
            this.replay = dev.habla.emulator.internal.Replayer.read(Objects.requireNonNull(cassette, "cassette"));
            this.replayPace = Objects.requireNonNull(pace, "pace");
            return this;
        }

        private EmulatorConfig config() {
            if (goAwayLead.compareTo(connectionLifetime) > 0) {
                throw new IllegalArgumentException("goAwayLead " + goAwayLead + " exceeds connectionLifetime " + connectionLifetime);
            }
            return new EmulatorConfig(port, apiKey, clock, connectionLifetime, goAwayLead, models,
                    resumptionHandleTtl, textChunkDelay, maxRecordedMessages, keepClosedSessions, voiceActivityMessages,
                    audioSessionLimit, videoSessionLimit, maxRecordedAudio, replies, realtimeSessionCap, replay, replayPace);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
