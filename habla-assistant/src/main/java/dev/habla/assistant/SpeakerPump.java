package dev.habla.assistant;

import dev.habla.time.Scheduler;
import dev.habla.assistant.internal.SpeakerConverter;
import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSink;
import dev.habla.voice.DuplexPolicy;
import dev.habla.voice.Pcm16;
import dev.habla.voice.PlaybackBuffer;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The speaker pump ({@code habla-<id>-speaker}, a virtual thread): takes 20 ms pieces out of the playback buffer
 * and writes them to the sink, at most one device buffer ({@link VoiceLoopConfig#deviceBuffer()}) ahead of real
 * time, and records each piece as the far-end reference of the duplex policy with the time it will play.
 *
 * <p>Everything it does with the sink happens under the loop's speaker lock, after checking that no flush happened
 * since it read the piece: a barge-in (which flushes under the same lock) therefore leaves no window in which audio
 * of the cut turn could still be written.
 */
final class SpeakerPump implements Runnable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SpeakerPump.class);

    /** Piece size: small enough that pacing is smooth, large enough to keep wake-ups cheap. */
    static final Duration PIECE = Duration.ofMillis(20);
    /** How long one wait for playable audio lasts before re-checking for close (real time). */
    private static final Duration IDLE_WAIT = Duration.ofMillis(50);
    /** Pieces quieter than this count as silence (for "assistant speaking" and the echo window). */
    static final double AUDIBLE_DBFS = -60;

    private final VoiceLoop loop;
    private final Speaker speaker;
    private final PlaybackBuffer buffer;
    private final AudioSink sink;
    private final DuplexPolicy policy;
    private final Scheduler clock;
    private final boolean paced;
    private final long leadNanos;
    private final long outputLatencyNanos;
    private final SpeakerConverter converter;
    private final int pieceBytes;

    // Guarded by speaker.speakerLock.
    /** Clock time at which the next sample written will play (the end of what the device holds). */
    private long playhead = Long.MIN_VALUE / 2;
    /** Audio went through the converter since its tail was last let out. */
    private boolean tailPending;
    private boolean speaking;
    private long underrunsSeen;

    /** Clock time until which the pump waits before reading the next piece; written under the lock. */
    private volatile long resumeAt;
    /** Clock time at which the last audible sample written will have played (incl. output latency). */
    private volatile long lastAudibleEnd = Long.MIN_VALUE / 2;
    private volatile double level = Double.NEGATIVE_INFINITY;
    private volatile boolean stopped;
    private volatile Thread thread;

    SpeakerPump(VoiceLoop loop, Speaker speaker, PlaybackBuffer buffer, AudioSink sink, DuplexPolicy policy,
                Scheduler clock, VoiceLoopConfig config) {
        this.loop = loop;
        this.speaker = speaker;
        this.buffer = buffer;
        this.sink = sink;
        this.policy = policy;
        this.clock = clock;
        this.paced = config.pacedSpeaker();
        this.leadNanos = config.deviceBuffer().toNanos();
        this.outputLatencyNanos = config.outputLatency().toNanos();
        AudioFormat out = sink.format();
        this.converter = new SpeakerConverter(VoiceLoop.MODEL_FORMAT.sampleRate(), out);
        this.pieceBytes = (int) VoiceLoop.MODEL_FORMAT.bytesFor(PIECE);
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        byte[] piece = new byte[pieceBytes];
        try {
            while (!stopped) {
                long generation = speaker.flushGeneration;
                int n = buffer.read(piece, 0, piece.length, IDLE_WAIT);
                if (stopped || buffer.state() == PlaybackBuffer.State.CLOSED) {
                    return;
                }
                if (n == 0) {
                    idle();
                    continue;
                }
                if (!write(piece, n, generation)) {
                    continue;
                }
                if (paced) {
                    long until;
                    while (!stopped && clock.nanoTime() < (until = resumeAt)) {
                        clock.parkUntil(until);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("speaker pump failed; playback stops", e);
        }
    }

    /** Writes one piece unless a flush happened since it was read. */
    private boolean write(byte[] piece, int n, long generation) {
        long underruns;
        boolean startedSpeaking = false;
        long epoch;
        speaker.speakerLock.lock();
        try {
            if (generation != speaker.flushGeneration || stopped) {
                return false;   // read before a flush: audio of a cut turn
            }
            long now = clock.nanoTime();
            if (playhead < now) {
                // Starting, or the device ran dry: playback resumes now. (Short gaps in arrival that the device
                // bridges with what it still holds keep the timeline, so it never runs ahead of the device.)
                playhead = now;
                speaking = false;
            }
            tailPending = true;
            byte[] out = converter.convert(piece, n);
            if (out.length > 0) {
                sink.write(out);
            }
            short[] samples = Pcm16.toShorts(piece, 0, n);
            policy.onPlayed(samples, playhead + outputLatencyNanos);
            double db = Pcm16.dbfs(samples);
            long duration = VoiceLoop.MODEL_FORMAT.durationOf(n).toNanos();
            level = db;
            if (db > AUDIBLE_DBFS) {
                lastAudibleEnd = playhead + duration + outputLatencyNanos;
                if (!speaking) {
                    speaking = true;
                    startedSpeaking = true;
                }
            }
            playhead += duration;
            resumeAt = playhead - leadNanos;
            epoch = buffer.epoch();
            // What the speaker really wrote of this answer (its turn epoch), for providers that truncate the answer to
            // what was played on barge-in (OpenAI). Under the lock, so a barge-in's final report cannot be overtaken.
            speaker.reportPlayback(VoiceLoop.MODEL_FORMAT.durationOf(buffer.cursor(epoch).playedBytes()));
            underruns = buffer.stats().underruns();
            if (underruns == underrunsSeen) {
                underruns = -1;
            } else {
                underrunsSeen = underruns;
            }
        } finally {
            speaker.speakerLock.unlock();
        }
        if (startedSpeaking) {
            loop.emit(new AssistantEvent.AssistantSpeaking(epoch));
        }
        if (underruns >= 0) {
            loop.emit(new AssistantEvent.Underrun(underruns));
        }
        return true;
    }

    /**
     * No playable audio right now. The timeline is kept (the device may still be playing what it holds); at the end
     * of a turn the resampler's tail is let out.
     */
    private void idle() {
        speaker.speakerLock.lock();
        try {
            if (clock.nanoTime() >= playhead) {
                level = Double.NEGATIVE_INFINITY;
            }
            PlaybackBuffer.State state = buffer.state();
            boolean turnOver = state == PlaybackBuffer.State.IDLE || (state == PlaybackBuffer.State.BUFFERING
                    && buffer.queuedBytes() == 0 && buffer.cursor(buffer.epoch()).complete());
            if (tailPending && turnOver) {
                tailPending = false;
                byte[] tail = converter.drainTail();
                if (tail.length > 0) {
                    sink.write(tail);
                    playhead = Math.max(playhead, clock.nanoTime())
                            + sink.format().durationOf(tail.length).toNanos();
                }
            }
        } finally {
            speaker.speakerLock.unlock();
        }
        loop.signalState();
    }

    /**
     * Called by {@link Speaker#silence} under the speaker lock after the flush: forgets the timeline and returns
     * how far ahead of now the pump had written (audio the sink's flush dropped).
     */
    long cutTimeline() {
        long now = clock.nanoTime();
        long ahead = Math.max(0, playhead - now);
        playhead = now;   // the sink's flush dropped what the device held
        tailPending = false;
        speaking = false;
        resumeAt = now;
        level = Double.NEGATIVE_INFINITY;
        converter.reset();
        if (lastAudibleEnd > now + outputLatencyNanos) {
            lastAudibleEnd = now + outputLatencyNanos;
        }
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        return ahead;
    }

    /** Under the speaker lock: stop writing for good. */
    void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    long lastAudibleEnd() {
        return lastAudibleEnd;
    }

    double level() {
        return level;
    }
}
