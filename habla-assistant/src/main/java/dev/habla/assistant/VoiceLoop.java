package dev.habla.assistant;

import dev.habla.time.Scheduler;
import dev.habla.assistant.AssistantEvent.Trigger;
import dev.habla.audio.AudioFormat;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveSession;
import dev.habla.client.ResilientSession;
import dev.habla.client.SendResult;
import dev.habla.voice.DuplexPolicy;
import dev.habla.voice.EchoGate;
import dev.habla.voice.HalfDuplex;
import dev.habla.voice.PlaybackBuffer;
import dev.habla.voice.VoiceActivityDetector;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A spoken conversation with a Live model: microphone in, speaker out, barge-in, turn-taking, echo handling and a
 * transcript of what was heard.
 *
 * <h2>Data path</h2>
 * <pre>
 *  AudioSource ─► mic pump ─► (to 16 kHz mono) ─► duplex policy ─► local VAD ─► segmenter ─► session.sendAudio
 *   (habla-&lt;id&gt;-mic)         MicConverter      (echo gate)      (Silero)     (pre-roll)    activityStart/End
 *                                                    ▲                                       audioStreamEnd
 *                                                    │ far-end reference (what was written, when)
 *  session reader ─► AudioChunk ─► PlaybackBuffer(epoch) ─► speaker pump ─► (to device format) ─► AudioSink
 *   (the client's)    Interrupted ─► flush(newEpoch) ──────►  (habla-&lt;id&gt;-speaker, paced one device buffer ahead)
 * </pre>
 * What is sent is resampled from 16 kHz to the session provider's input rate when it differs
 * ({@link dev.habla.client.Capabilities#inputSampleRate()}: 24 kHz on OpenAI Realtime), and the speaker pump reports
 * what it wrote of each answer ({@link LiveSession#reportPlayback}; on barge-in, what was heard).
 * Stages are wired here by hand; they do not forward anything to each other. Both pumps are named virtual threads.
 * The queues are bounded: the playback buffer by its capacity, the session's send queue by its byte budget, the
 * sink by its own bound.
 *
 * <h2>Barge-in</h2>
 * Every server turn gets a playback epoch. On {@code interrupted} the session reader calls {@link Speaker#silence}
 * directly (not through a queue behind audio): under the speaker lock it bumps the epoch, flushes the playback buffer
 * and the sink (which drops what the device holds), and resets the pump's timeline; the pump re-checks a flush
 * generation under the same lock before every write, so no audio of the cut turn can be written after the flush.
 * Late chunks of the cut turn are stale and dropped by the buffer. In {@link VadMode#ASSIST} and
 * {@link VadMode#MANUAL} the mic pump does the same as soon as the local VAD (gated by the duplex policy) hears
 * speech; {@link #pushToTalk(boolean) pressing the key} does it from the caller's thread. The transcript entry of the
 * cut turn is cut at the playback cursor ({@link Transcript}).
 *
 * <h2>Across connections</h2>
 * By default the session is a {@link ResilientSession} ({@link VoiceLoopConfig#resilience()}): the service's
 * ~10-minute connection limit (goAway) is crossed by a make-before-break handover at a turn boundary where the user's
 * audio is quiet, and a dropped connection is resumed with the latest handle. The loop sees one continuous session
 * on one reader thread, so barge-in, the playback epochs and the transcript work unchanged; what it adds:
 * <ul>
 *   <li>a model turn that a lost connection cut short (the session closes it with a {@code TurnComplete} without
 *       usage, and neither {@code generationComplete} nor {@code interrupted} came) ends its playback epoch normally
 *       (what arrived plays out, nothing is flushed mid-sample) and its transcript entry is marked
 *       {@link Transcript.Entry#connectionLost()};</li>
 *   <li>the local VAD tells the session when the user stopped speaking ({@link ResilientSession#markUserTurnEnded()}),
 *       so the no-reply watchdog and the time-to-first-audio metric work with server VAD, where the audio stream
 *       ends only a second later;</li>
 *   <li>connection events become {@link AssistantEvent.Connection};</li>
 *   <li>the mic pump does not wait for the send queue to drain while the session is reconnecting (input is buffered
 *       in order by the session then); a pending {@code audioStreamEnd}/{@code activityEnd} goes out after it.</li>
 * </ul>
 *
 * <h2>Lifecycle</h2>
 * {@link #start} connects (blocking until {@code setupComplete}) and starts the pumps. {@link #close()} closes the
 * microphone first (no more user audio), then the session, then the speaker; it is idempotent. The loop owns the
 * source and sink of its config and closes them; it does not own the {@link LiveClient}.
 */
public final class VoiceLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(VoiceLoop.class);

    /** Model audio is 24 kHz mono; the playback buffer and the echo reference work at this rate. */
    static final AudioFormat MODEL_FORMAT = AudioFormat.PCM_24K_MONO;
    /** How long after the last audible sample the speaker counts as a possible echo source. */
    static final long ECHO_TAIL_NANOS = 500_000_000L;
    private static final AtomicInteger IDS = new AtomicInteger();
    /** {@link #awaitConversationIdle}: how long to wait for an answer to speech the server has not answered yet. */
    public static final Duration UNANSWERED_GRACE = Duration.ofSeconds(4);

    private final VoiceLoopConfig config;
    private final Scheduler clock;
    private final String id;
    private final PlaybackBuffer buffer;
    private final DuplexPolicy policy;
    private final Transcript transcript = new Transcript();
    private final VoiceMetrics metrics = new VoiceMetrics();
    private final AssistantObserver observer;

    /** The speaker pump, the speaker lock and barge-in. */
    private final Speaker speaker;
    /** The state the waits wait for, guarded by its own lock. */
    private final ConversationState state;
    /** The session listener, on the client's reader thread. */
    private final SessionReader reader;
    private MicPump micPump;
    private Thread micThread;
    /** The session: how it is opened, what the pumps ask of it. */
    private final LoopSession loopSession;

    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean pushToTalk = new AtomicBoolean();
    private volatile boolean muted;

    private VoiceLoop(VoiceLoopConfig config) {
        this.config = config;
        this.clock = config.clock();
        this.id = Integer.toString(IDS.incrementAndGet());
        this.observer = config.observer();
        this.buffer = PlaybackBuffer.create(MODEL_FORMAT, b -> b.preBuffer(config.preBuffer())
                .clock(clock::now));
        this.policy = config.duplexPolicy() != null ? config.duplexPolicy() : switch (config.duplex()) {
            case HEADPHONES -> DuplexPolicy.fullDuplex();
            case ECHO_GATE -> EchoGate.create(MODEL_FORMAT.sampleRate(),
                    g -> g.assumedEchoGainDb(config.assumedEchoGainDb()));
            case HALF_DUPLEX -> new HalfDuplex(MODEL_FORMAT.sampleRate());
        };
        this.metrics.underruns = () -> buffer.stats().underruns();
        this.state = new ConversationState(clock);
        this.speaker = new Speaker(this, state, config, id, buffer, policy, transcript, metrics);
        this.reader = new SessionReader(this, state, speaker, buffer, transcript, metrics, clock, id);
        this.loopSession = new LoopSession(config);
    }

    /** Connects and starts a loop configured by {@code spec}; see {@link #start(LiveClient, VoiceLoopConfig)}. */
    public static VoiceLoop start(LiveClient client, Consumer<VoiceLoopConfig.Builder> spec) throws LiveException {
        return start(client, VoiceLoopConfig.create(spec));
    }

    /**
     * Opens the session (blocking until {@code setupComplete}) and starts the speaker and mic pumps.
     *
     * @throws LiveException if the session cannot be opened; the source and sink are closed then
     */
    public static VoiceLoop start(LiveClient client, VoiceLoopConfig config) throws LiveException {
        Objects.requireNonNull(client, "client");
        VoiceLoop loop = new VoiceLoop(Objects.requireNonNull(config, "config"));
        try {
            loop.open(client);
            return loop;
        } catch (LiveException | RuntimeException e) {
            loop.close();
            throw e;
        }
    }

    private void open(LiveClient client) throws LiveException {
        VoiceActivityDetector detector = config.microphone() == null ? null : config.detector().get();
        try {
            speaker.start();
            loopSession.open(client, reader::onSessionEvent);
            if (config.microphone() != null) {
                int uplinkRate = config.uplinkSampleRate() != null ? config.uplinkSampleRate()
                        : loopSession.session().capabilities().inputSampleRate();
                micPump = new MicPump(this, config, detector, policy, clock, uplinkRate);
                detector = null;   // owned by the pump from now on
                micThread = Thread.ofVirtual().name("habla-" + id + "-mic").start(micPump);
            }
        } finally {
            if (detector != null) {
                detector.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Public API
    // ------------------------------------------------------------------------------------------------------------

    /** The open session (for tool bindings, resumption handles, counters). */
    public LiveSession session() {
        return loopSession.session();
    }

    /**
     * The session as a {@link ResilientSession} (handovers, reconnects, its metrics), or null when the loop runs a
     * plain session ({@link VoiceLoopConfig.Builder#plainSession()}).
     */
    public ResilientSession resilientSession() {
        return loopSession.resilient();
    }

    public VoiceLoopConfig config() {
        return config;
    }

    /** Client-local id used in thread names ({@code habla-<id>-mic}). */
    public String id() {
        return id;
    }

    /**
     * Sends a typed line into the same conversation: realtime text under server VAD (it interrupts a reply like
     * speech would), a {@code clientContent} turn with manual turn-taking.
     */
    public SendResult sendText(String text) {
        Objects.requireNonNull(text, "text");
        return sendText(text, s -> config.vadMode().serverDetects() ? s.sendRealtimeText(text) : s.sendText(text));
    }

    /**
     * Typed text the user wrote, sent by {@code send} (for a turn that carries more than the text, such as retrieved
     * passages from habla-knowledge-live); the transcript and the {@link AssistantEvent.UserText} event show
     * {@code text} as {@link #sendText(String)} does. {@code send} runs on this thread.
     */
    public SendResult sendText(String text, java.util.function.Function<LiveSession, SendResult> send) {
        Objects.requireNonNull(text, "text");
        LiveSession s = loopSession.session();
        if (s == null) {
            return SendResult.CLOSED;
        }
        SendResult r = send.apply(s);
        if (r == SendResult.QUEUED) {
            transcript.userTyped(text);
            noteUserInput();
            emit(new AssistantEvent.UserText(text, true, true));
        }
        return r;
    }

    /**
     * Mutes or unmutes the microphone. Muted, nothing is sent: under server VAD the loop sends
     * {@code audioStreamEnd}; with manual turn-taking an activity in progress ends.
     */
    public void mute(boolean on) {
        muted = on;
    }

    public boolean isMuted() {
        return muted;
    }

    /**
     * Push-to-talk ({@link VadMode#PUSH_TO_TALK}): pressed, the assistant is silenced at once and the user's turn
     * starts (with a short pre-roll); released, it ends and the model answers. Callable from any thread.
     *
     * @throws IllegalStateException in another VAD mode
     */
    public void pushToTalk(boolean pressed) {
        if (config.vadMode() != VadMode.PUSH_TO_TALK) {
            throw new IllegalStateException("push-to-talk needs VadMode.PUSH_TO_TALK, the loop runs " + config.vadMode());
        }
        boolean was = pushToTalk.getAndSet(pressed);
        if (pressed && !was && assistantAudible()) {
            long now = clock.nanoTime();
            silence(Trigger.PUSH_TO_TALK, now, now);
        }
    }

    /** Toggles push-to-talk; returns the new state (true = talking). */
    public boolean togglePushToTalk() {
        boolean next = !pushToTalk.get();
        pushToTalk(next);
        return next;
    }

    /** Whether push-to-talk is pressed. */
    public boolean isTalking() {
        return pushToTalk.get();
    }

    /** The conversation so far, heard versus generated. */
    public Transcript transcript() {
        return transcript;
    }

    public VoiceMetrics.Snapshot metrics() {
        return metrics.snapshot();
    }

    /** Latest levels, for a meter. */
    public Levels levels() {
        return new Levels(micPump == null ? Double.NEGATIVE_INFINITY : micPump.level(), speaker.level());
    }

    public PlaybackBuffer.Stats playbackStats() {
        return buffer.stats();
    }

    /** The session's terminal event, or null while it is open. */
    public LiveEvent.Closed closedEvent() {
        return state.closedEvent();
    }

    /** Whether the audio source has ended (end of file, or failed). */
    public boolean inputEnded() {
        return state.inputEnded();
    }

    /** Waits up to {@code timeout} for the session to end; returns its terminal event or null. */
    public LiveEvent.Closed awaitClosed(Duration timeout) throws InterruptedException {
        return state.awaitClosed(timeout);
    }

    /**
     * For file-to-file runs: waits until the input has ended, no turn is in progress, playback is idle, and all that
     * has held for {@code settle} (clock time). If the local VAD heard speech (or a line was typed) after the latest
     * assistant turn started, the quiet must last {@link #UNANSWERED_GRACE} instead: the server may still answer it,
     * or its VAD may not have counted it as an utterance. While a resilient session is reconnecting nothing counts as
     * quiet (the answer may come once it is back). Returns false on {@code timeout} (real time), or when the session
     * ends first.
     */
    public boolean awaitConversationIdle(Duration settle, Duration timeout) throws InterruptedException {
        return state.awaitConversationIdle(settle, timeout, speaker::playbackIdle, loopSession::reconnecting);
    }

    /**
     * Waits until the assistant is quiet: no turn in progress, nothing queued, and the last audible sample written has
     * played (as far as the loop knows; a device may still be emptying its own buffer). Returns false on
     * {@code timeout} (real time).
     */
    public boolean awaitPlaybackIdle(Duration timeout) throws InterruptedException {
        return state.awaitPlaybackIdle(timeout, speaker::playbackIdle);
    }

    /**
     * Closes the microphone (no more user audio), then the session (gracefully, bounded by the client's close
     * timeout), then the speaker (playback stops, the sink is closed). Idempotent.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        // 1. Microphone.
        if (config.microphone() != null) {
            config.microphone().close();
        }
        if (micThread != null) {
            join(micThread, Duration.ofSeconds(2));
        }
        if (micPump != null) {
            micPump.closeDetector();
        }
        // 2. Session.
        LiveSession s = loopSession.session();
        if (s != null) {
            s.close();
        }
        // 3. Speaker.
        speaker.close();
        signalState();
    }

    static void join(Thread t, Duration max) {
        try {
            if (!t.join(max)) {
                log.warn("{} did not stop within {} ms", t.getName(), max.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isClosing() {
        return closing.get();
    }

    // ------------------------------------------------------------------------------------------------------------
    // For the pumps and the parts (package-private)
    // ------------------------------------------------------------------------------------------------------------

    LiveSession sessionOrNull() {
        return loopSession.session();
    }

    /** Whether the assistant is talking or about to: a turn in progress, audio queued, or audio still playing. */
    boolean assistantAudible() {
        return speaker.assistantAudible();
    }

    /** Whether speaker output may still be coming back into the mic at capture time {@code t}. */
    boolean farEndActive(long t) {
        return speaker.farEndActive(t);
    }

    /** Silences the speaker at once (barge-in); see {@link Speaker#silence}. Callable from any thread. */
    void silence(Trigger trigger, long arrivalNanos, long detectNanos) {
        speaker.silence(trigger, arrivalNanos, detectNanos);
    }

    VoiceMetrics metricsSink() {
        return metrics;
    }

    boolean muted() {
        return muted;
    }

    boolean pushToTalkPressed() {
        return pushToTalk.get();
    }

    /** Mic pump: the local VAD heard the user start speaking (counts as input that awaits an answer). */
    void noteUserInput() {
        state.noteUserInput();
    }

    /**
     * Mic pump, server VAD modes: the local VAD heard the user stop speaking at {@code speechEndNanos} (capture time).
     * Tells a resilient session the user's turn ended (no-reply watchdog, time to first audio), unless a server turn
     * has started since: the server's VAD was quicker and the reply is under way (marking now would wait for a second
     * reply that never comes). MANUAL and push-to-talk need nothing: {@code activityEnd} marks it.
     */
    void userTurnEnded(long speechEndNanos) {
        loopSession.userTurnEnded(speechEndNanos, reader.lastTurnStartNanos());
    }

    /** Mic pump: the source ended. */
    void noteInputEnded(Throwable error) {
        state.noteInputEnded();
        emit(new AssistantEvent.InputEnded(error));
    }

    /** Wakes the waits ({@link ConversationState#signal()}). Any thread. */
    void signalState() {
        state.signal();
    }

    /** Delivers to the observer; an observer failure is logged, never propagated (it would fail the session). */
    void emit(AssistantEvent event) {
        try {
            observer.onEvent(event);
        } catch (RuntimeException e) {
            log.warn("observer failed on {}: {}", event.getClass().getSimpleName(), e.toString());
        }
    }

    @Override
    public String toString() {
        return "VoiceLoop[" + id + ", " + config.vadMode() + ", " + config.duplex() + ", " + buffer + "]";
    }
}
