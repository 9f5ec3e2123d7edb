package dev.habla.assistant;

import dev.habla.assistant.AssistantEvent.Trigger;
import dev.habla.audio.AudioSink;
import dev.habla.client.LiveSession;
import dev.habla.client.ResilientSession;
import dev.habla.time.Scheduler;
import dev.habla.voice.DuplexPolicy;
import dev.habla.voice.PlaybackBuffer;
import dev.habla.voice.PlaybackCursor;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The speaker side of a {@link VoiceLoop}: the speaker pump and its thread, the speaker lock, and barge-in.
 * {@link #silence} flushes the playback buffer and the sink under the speaker lock, works out what the user heard of
 * the cut answer (written minus what the device still held), cuts the transcript there and tells the session
 * ({@link #reportPlayback}, which the pump also calls, under the same lock, after each write). It also answers
 * whether the assistant is audible and whether playback is idle.
 */
final class Speaker {

    /** Logged under the loop's name, as all of the loop's own story. */
    private static final Logger log = LoggerFactory.getLogger(VoiceLoop.class);

    private final VoiceLoop loop;
    private final ConversationState state;
    private final VoiceLoopConfig config;
    private final Scheduler clock;
    private final String id;
    private final PlaybackBuffer buffer;
    private final AudioSink sink;
    private final Transcript transcript;
    private final VoiceMetrics metrics;

    /**
     * Guards every write to and flush of the sink, the speaker pump's timeline, and increments of
     * {@link #flushGeneration}. Held only for queue operations and non-blocking sink calls.
     */
    final ReentrantLock speakerLock = new ReentrantLock();
    /** Bumped under {@link #speakerLock} by every flush; the pump compares it before writing what it read. */
    volatile long flushGeneration;

    private final SpeakerPump speakerPump;
    private final Thread speakerThread;

    Speaker(VoiceLoop loop, ConversationState state, VoiceLoopConfig config, String id, PlaybackBuffer buffer,
            DuplexPolicy policy, Transcript transcript, VoiceMetrics metrics) {
        this.loop = loop;
        this.state = state;
        this.config = config;
        this.clock = config.clock();
        this.id = id;
        this.buffer = buffer;
        this.sink = config.speaker();
        this.transcript = transcript;
        this.metrics = metrics;
        this.speakerPump = new SpeakerPump(loop, this, buffer, sink, policy, clock, config);
        this.speakerThread = Thread.ofVirtual().name("habla-" + id + "-speaker").unstarted(speakerPump);
    }

    /** Starts the speaker pump ({@code habla-<id>-speaker}). */
    void start() {
        speakerThread.start();
    }

    /**
     * Loop close, after the session: closes the playback buffer, stops the pump and flushes the sink under the speaker
     * lock, waits (bounded) for the pump to end and closes the sink.
     */
    void close() {
        buffer.close();
        speakerLock.lock();
        try {
            flushGeneration++;
            speakerPump.stop();
            sink.flush();
        } finally {
            speakerLock.unlock();
        }
        VoiceLoop.join(speakerThread, Duration.ofSeconds(1));
        sink.close();
    }

    /** Latest level written, in dBFS. */
    double level() {
        return speakerPump.level();
    }

    /** Whether the assistant is talking or about to: a turn in progress, audio queued, or audio still playing. */
    boolean assistantAudible() {
        return state.turn() != null || buffer.queuedBytes() > 0 || clock.nanoTime() < speakerPump.lastAudibleEnd();
    }

    /** Whether speaker output may still be coming back into the mic at capture time {@code t}. */
    boolean farEndActive(long t) {
        return t <= speakerPump.lastAudibleEnd() + VoiceLoop.ECHO_TAIL_NANOS;
    }

    /** Whether nothing is queued or still playing (called under the state lock by the waits). */
    boolean playbackIdle() {
        if (buffer.queuedBytes() > 0 || clock.nanoTime() < speakerPump.lastAudibleEnd()) {
            return false;
        }
        PlaybackBuffer.State s = buffer.state();
        // After an underrun the buffer waits in BUFFERING for more audio; when the turn then ends with nothing more
        // queued, it stays there (habla-voice's PlaybackBuffer leaves BUFFERING only when audio is read), so an empty
        // buffer whose current turn is complete counts as idle too.
        return s == PlaybackBuffer.State.IDLE || s == PlaybackBuffer.State.CLOSED
                || (s == PlaybackBuffer.State.BUFFERING && buffer.cursor(buffer.epoch()).complete());
    }

    /**
     * Silences the speaker at once: flushes the playback buffer (a new epoch, so late audio of the cut turn is
     * dropped) and the sink, and cuts the transcript at what was heard. Callable from any thread; this is what the
     * session reader calls on {@code interrupted}, directly.
     *
     * @param arrivalNanos the trigger's time (event arrival, speech onset, key press)
     * @param detectNanos  when the trigger was recognised (local VAD: end of the confirming frame)
     */
    void silence(Trigger trigger, long arrivalNanos, long detectNanos) {
        SessionReader.Turn open = state.turn();
        long silenced;
        long discarded;
        long aheadNanos;
        long epoch;
        PlaybackCursor current;
        PlaybackCursor previous;
        speakerLock.lock();
        try {
            epoch = buffer.epoch();
            current = buffer.cursor(epoch);
            previous = epoch > 0 ? buffer.cursor(epoch - 1) : null;
            flushGeneration++;
            discarded = buffer.flush(epoch + 1);
            aheadNanos = speakerPump.cutTimeline();
            sink.flush();
            silenced = clock.nanoTime();
            if (discarded > 0 || aheadNanos > 0) {
                // The cut answer was heard up to here (written minus what the device still held): the final position
                // for the provider (OpenAI truncates the answer to it; Gemini ignores it). Under the speaker lock, as
                // the pump's reports are, so no report of an earlier write can follow it.
                reportPlayback(VoiceLoop.MODEL_FORMAT.durationOf(heardBytes(current, aheadNanos)));
            }
        } finally {
            speakerLock.unlock();
        }
        long heardBytes = heardBytes(current, aheadNanos);
        boolean cutSomething = discarded > 0 || aheadNanos > 0 || open != null;
        if (discarded > 0 || aheadNanos > 0 || (open != null && open.epoch == epoch)) {
            transcript.cut(epoch, heardBytes);
        }
        if (previous != null && previous.receivedBytes() > previous.playedBytes() + previous.discardedBytes()) {
            transcript.cut(epoch - 1, previous.playedBytes());
        }
        if (open != null && open.epoch != epoch) {
            transcript.cut(open.epoch, buffer.cursor(open.epoch).playedBytes());
        }
        metrics.flushedBytes.addAndGet(discarded);
        switch (trigger) {
            case SERVER_INTERRUPTED -> {
                metrics.serverBargeIns.incrementAndGet();
                metrics.interruptToSilence.record(silenced - arrivalNanos);
            }
            case LOCAL_VAD -> {
                metrics.localBargeIns.incrementAndGet();
                metrics.localOnsetToSilence.record(silenced - arrivalNanos);
                metrics.localDetectToSilence.record(silenced - detectNanos);
            }
            case PUSH_TO_TALK -> metrics.pushToTalkBargeIns.incrementAndGet();
        }
        ResilientSession r = loop.resilientSession();
        if (r != null && trigger != Trigger.SERVER_INTERRUPTED && cutSomething) {
            // The session's barge-in meter: user speech start (or key press) to silence.
            r.metrics().recordBargeIn(Duration.ofNanos(Math.max(0, silenced - arrivalNanos)));
        }
        if (cutSomething || trigger == Trigger.SERVER_INTERRUPTED) {
            loop.emit(new AssistantEvent.BargeIn(trigger, epoch, arrivalNanos, silenced,
                    VoiceLoop.MODEL_FORMAT.durationOf(discarded
                            + VoiceLoop.MODEL_FORMAT.bytesFor(Duration.ofNanos(aheadNanos))),
                    VoiceLoop.MODEL_FORMAT.durationOf(heardBytes)));
        }
        state.signal();
    }

    /** Of the epoch {@code current} describes: bytes written minus what the device still held when it was cut. */
    private long heardBytes(PlaybackCursor current, long aheadNanos) {
        long aheadBytes = VoiceLoop.MODEL_FORMAT.bytesFor(Duration.ofNanos(aheadNanos + config.outputLatency().toNanos()));
        return Math.max(0, current.playedBytes() - aheadBytes);
    }

    /**
     * Tells the session how much of the current answer was played ({@link LiveSession#reportPlayback}). Called under
     * {@link #speakerLock} by the speaker pump (after each write) and by whoever silences (on barge-in), so reports
     * reach the session in playback order; the call only queues (non-blocking). A session that refuses it must not
     * stop playback.
     */
    void reportPlayback(Duration played) {
        LiveSession s = loop.session();
        if (s == null) {
            return;
        }
        try {
            s.reportPlayback(played);
        } catch (RuntimeException e) {
            log.debug("loop {}: playback report refused: {}", id, e.toString());
        }
    }
}
