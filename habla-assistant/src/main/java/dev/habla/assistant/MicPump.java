package dev.habla.assistant;

import dev.habla.time.Scheduler;
import dev.habla.assistant.AssistantEvent.PauseReason;
import dev.habla.assistant.AssistantEvent.Trigger;
import dev.habla.assistant.internal.MicConverter;
import dev.habla.audio.AudioSource;
import dev.habla.audio.PcmChunk;
import dev.habla.client.LiveSession;
import dev.habla.voice.DuplexPolicy;
import dev.habla.voice.Pcm16;
import dev.habla.voice.Resampler;
import dev.habla.voice.VadConfig;
import dev.habla.voice.VadEvent;
import dev.habla.voice.VadSegmenter;
import dev.habla.voice.VoiceActivityDetector;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mic pump ({@code habla-<id>-mic}, a virtual thread): reads the source, converts to 16 kHz mono, cuts 32 ms
 * frames, and for each frame asks the duplex policy whether it may be the user, runs the local VAD on it (a frame
 * the policy rejects counts as silence), feeds the segmenter, and decides what goes up the session according to the
 * {@link VadMode}:
 * <ul>
 *   <li>server VAD (OFF, ASSIST): every frame is sent, except that while the speaker may be echoing, frames are
 *       replaced by silence unless the (echo-gated) local VAD says the user is speaking; after
 *       {@link VoiceLoopConfig#streamEndAfterSilence()} of silence, {@code audioStreamEnd} and a pause until a frame the
 *       local VAD scores as likely speech (the audio just before it is sent first; the server's VAD judges). ASSIST also silences playback on a local speech start.</li>
 *   <li>MANUAL: {@code activityStart}, the pre-roll, the utterance, then {@code activityEnd} once the send queue has
 *       drained (a second guard: the client already keeps stream signals behind queued audio); nothing is sent
 *       between utterances.</li>
 *   <li>PUSH_TO_TALK: as MANUAL, but the key decides (pre-roll {@value #PTT_PRE_ROLL_MS} ms).</li>
 * </ul>
 * No microphone sample goes up twice: a pre-roll (or catch-up) only carries samples after the last real one sent
 * ({@link #sentThrough}); frames replaced by silence over echo do not count as sent. With a resilient session the
 * uplink needs nothing else across a handover or reconnect: the session buffers what is sent during the switch and
 * delivers it in order on the next connection, and the client keeps {@code audioStreamEnd}/{@code activityEnd}
 * behind the audio sent before them (the waits before them, {@link LoopSession#awaitSendQueueEmpty}, are a second guard).
 *
 * All state here belongs to this thread, except the flags it reads from the loop (muted, push-to-talk).
 */
final class MicPump implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(MicPump.class);
    /** The rate the mic pipeline and the local VAD run at. */
    static final int RATE = VoiceActivityDetector.SAMPLE_RATE;
    /**
     * Audio sent before a push-to-talk start (a key is often pressed just after speech begins), and when a paused
     * stream reopens on a likely speech frame.
     */
    static final int PTT_PRE_ROLL_MS = 300;
    /** Longest wait for the send queue to drain before a control message at the end of input. */
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(2);
    /** Longest wait per frame for the send queue to drain before a pending end of turn or stream. */
    private static final Duration PENDING_WAIT = Duration.ofMillis(100);

    private final VoiceLoop loop;
    private final AudioSource source;
    private final VoiceActivityDetector detector;
    private final DuplexPolicy policy;
    private final Scheduler clock;
    private final VadMode mode;
    private final VadConfig vadConfig;
    private final VadSegmenter segmenter;
    private final MicConverter converter;
    /** The rate audio is sent at (the session provider's input rate, or the config's). */
    private final int uplinkRate;
    /**
     * {@link #RATE} to {@link #uplinkRate} when they differ (OpenAI Realtime takes 24 kHz), else null. Streaming: one
     * resampler for the whole uplink, so chunk boundaries leave no seams; its latency (a few samples) holds back the
     * last moment of a segment until the next one, which is silence the VAD hangover added anyway.
     */
    private final Resampler uplink;
    private final int frameSamples;
    private final long frameNanos;
    private final long streamEndSamples;
    private final boolean gateUplink;
    private final short[] zeros;

    // Mic-thread state.
    private short[] frame;
    private int fill;
    private long frameStart;
    /** Server VAD: whether audio is being streamed (false after audioStreamEnd until speech resumes). */
    private boolean streaming = true;
    private boolean pendingStreamEnd;
    private PauseReason pendingReason;
    private long silentSamples;
    /** Manual/PTT: an activity is open. */
    private boolean inActivity;
    private boolean pendingActivityEnd;
    /** The current local utterance: its first sample (segmenter index) and capture time; -1 when none. */
    private long onsetSample = -1;
    private long onsetNanos;
    /**
     * Whether the current utterance counts as the user's: at once when no echo is possible, after
     * {@link #doubleTalkSamples} more speech while the speaker may be echoing (see {@link VoiceLoopConfig#doubleTalkConfirm()}).
     */
    private boolean confirmed;
    private final long minSpeechSamples;
    private final long doubleTalkSamples;
    /** Recent audio: the push-to-talk pre-roll, the audio before a reopened stream, the catch-up after confirmation. */
    private final short[] recent;
    private int recentAt;
    /** Samples captured so far (the absolute index just past the current frame once it is remembered). */
    private long recentCount;
    /** Absolute index just past the last microphone sample sent (real audio, not substituted silence). */
    private long sentThrough;
    private boolean wasMuted;

    private volatile double level = Double.NEGATIVE_INFINITY;
    private volatile boolean detectorClosed;

    MicPump(VoiceLoop loop, VoiceLoopConfig config, VoiceActivityDetector detector, DuplexPolicy policy, Scheduler clock,
            int uplinkRate) {
        this.loop = loop;
        this.source = config.microphone();
        this.detector = detector;
        this.policy = policy;
        this.clock = clock;
        this.mode = config.vadMode();
        this.vadConfig = config.vadConfig();
        this.segmenter = new VadSegmenter(vadConfig);
        this.converter = new MicConverter(source.format(), RATE);
        this.uplinkRate = uplinkRate;
        this.uplink = uplinkRate == RATE ? null : Resampler.create(RATE, uplinkRate);
        this.frameSamples = detector.frameSamples();
        if (detector.sampleRate() != RATE) {
            throw new IllegalArgumentException("the detector must run at " + RATE + " Hz, runs at " + detector.sampleRate());
        }
        this.frameNanos = frameSamples * 1_000_000_000L / RATE;
        this.streamEndSamples = config.streamEndAfterSilence() == null ? Long.MAX_VALUE
                : config.streamEndAfterSilence().toNanos() * RATE / 1_000_000_000L;
        this.gateUplink = policy != DuplexPolicy.fullDuplex();
        this.zeros = new short[frameSamples];
        this.frame = new short[frameSamples];
        this.minSpeechSamples = Math.max(1, vadConfig.minSpeechSamples());
        this.doubleTalkSamples = config.doubleTalkConfirm().toNanos() * RATE / 1_000_000_000L;
        // Enough for the catch-up of a confirmation (minSpeech + double-talk + a frame) and the pre-rolls.
        this.recent = new short[(int) Math.max(PTT_PRE_ROLL_MS * RATE / 1000,
                minSpeechSamples + doubleTalkSamples + 2L * frameSamples)];
    }

    double level() {
        return level;
    }

    /** After the thread has ended (or given up): release the detector. */
    void closeDetector() {
        if (!detectorClosed) {
            detectorClosed = true;
            detector.close();
        }
    }

    @Override
    public void run() {
        Throwable error = null;
        try {
            while (!loop.isClosing()) {
                PcmChunk chunk = source.read();
                if (chunk == null) {
                    break;
                }
                short[] samples = converter.convert(chunk);
                long t = chunk.captureNanos() - converter.latencyNanos();
                feed(samples, t);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (!loop.isClosing()) {
                error = e;
                log.warn("microphone input failed: {}", e.toString());
            }
        }
        if (!loop.isClosing()) {
            endOfInput();
        }
        loop.noteInputEnded(error);
    }

    private void feed(short[] samples, long firstSampleNanos) {
        int at = 0;
        while (at < samples.length) {
            if (fill == 0) {
                frameStart = firstSampleNanos + at * 1_000_000_000L / RATE;
            }
            int take = Math.min(frameSamples - fill, samples.length - at);
            System.arraycopy(samples, at, frame, fill, take);
            fill += take;
            at += take;
            if (fill == frameSamples) {
                short[] full = frame;
                frame = new short[frameSamples];
                fill = 0;
                processFrame(full, frameStart);
            }
        }
    }

    /** One 32 ms frame captured from {@code t}. */
    void processFrame(short[] f, long t) {
        long cpuStart = System.nanoTime();
        VoiceMetrics metrics = loop.metricsSink();
        metrics.framesProcessed.incrementAndGet();
        level = Pcm16.dbfs(f);
        remember(f);
        LiveSession session = loop.sessionOrNull();
        if (session == null) {
            return;
        }
        if (loop.muted()) {
            whileMuted(session);
            return;
        }
        if (wasMuted) {
            wasMuted = false;
            if (mode.serverDetects() && !streaming) {
                streaming = true;
                pendingStreamEnd = false;
                loop.emit(new AssistantEvent.StreamResumed());
            }
        }

        boolean farActive = loop.farEndActive(t);
        boolean user = policy.isLikelyUserSpeech(f, t);
        if (!user) {
            metrics.echoFrames.incrementAndGet();
        }
        long vadStart = System.nanoTime();
        float p = detector.speechProbability(f);
        metrics.vadPerFrame.record(System.nanoTime() - vadStart);
        float gated = user ? p : 0f;
        Optional<VadEvent> event = segmenter.accept(f, gated);
        long frameEnd = t + frameNanos;

        VadEvent.SpeechStarted started = null;
        if (event.isPresent()) {
            switch (event.get()) {
                case VadEvent.SpeechStarted s -> {
                    started = s;
                    onsetSample = s.startSample();
                    onsetNanos = frameEnd - (s.detectedSample() - s.startSample()) * 1_000_000_000L / RATE;
                    confirmed = false;
                    loop.emit(new AssistantEvent.UserSpeechStarted(onsetNanos, frameEnd, loop.assistantAudible()));
                    loop.noteUserInput();
                }
                case VadEvent.SpeechStopped s -> {
                    onsetSample = -1;
                    confirmed = false;
                    long end = frameEnd - (s.detectedSample() - s.endSample()) * 1_000_000_000L / RATE;
                    if (mode.serverDetects()) {
                        loop.userTurnEnded(end);   // before the event: whoever reacts finds the session told
                    }
                    loop.emit(new AssistantEvent.UserSpeechStopped(end, s.speech()));
                }
            }
        }
        // Confirmation: over possible echo, speech must last a little longer before it counts as the user's (a
        // few frames of echo that the gate misjudges must not interrupt the assistant).
        boolean justConfirmed = false;
        if (onsetSample >= 0 && !confirmed) {
            long needed = minSpeechSamples + (gateUplink && farActive ? doubleTalkSamples : 0);
            if (segmenter.position() - onsetSample >= needed) {
                confirmed = true;
                justConfirmed = true;
                if ((mode == VadMode.ASSIST || mode == VadMode.MANUAL) && loop.assistantAudible()) {
                    loop.silence(Trigger.LOCAL_VAD, onsetNanos, frameEnd);
                }
            }
        }

        switch (mode) {
            case OFF, ASSIST -> serverVadUplink(session, f, gated, farActive, started, justConfirmed, event);
            case MANUAL -> manualUplink(session, f, started, justConfirmed, event);
            case PUSH_TO_TALK -> pushToTalkUplink(session, f);
        }
        metrics.micFramePerFrame.record(System.nanoTime() - cpuStart);
    }

    private void serverVadUplink(LiveSession session, short[] f, float gated, boolean farActive,
                                 VadEvent.SpeechStarted started, boolean justConfirmed, Optional<VadEvent> event) {
        // Silence is counted from the end of speech (not from when the segmenter confirms it): frames the VAD
        // scores below its end threshold, in a row.
        if (gated >= vadConfig.endThreshold()) {
            silentSamples = 0;
        } else {
            silentSamples += f.length;
        }
        boolean pass = !gateUplink || !farActive || confirmed;
        if (!streaming) {
            if (started == null && gated < vadConfig.startThreshold()) {
                sendPendingStreamEnd(session);
                return;   // paused: nothing goes up until the user (maybe) speaks again
            }
            // The first frame that may be speech reopens the stream, with the audio before it: the server's VAD
            // judges (waiting for the local VAD to confirm would lose short words like "wait").
            streaming = true;
            pendingStreamEnd = false;
            loop.emit(new AssistantEvent.StreamResumed());
            short[] pre = started != null ? started.preRoll() : recentAudio(PTT_PRE_ROLL_MS * RATE / 1000);
            if (pass) {
                sendEndingNow(session, pre);   // ends with this frame
            } else {
                send(session, zeros, 0, f.length);   // over the echo: silence until confirmed, as below
            }
            return;
        }
        if (justConfirmed && gateUplink && farActive) {
            // The frames since the onset went up as silence (not yet confirmed over the echo): send them now.
            sendSinceOnset(session, f.length);
        }
        if (pass) {
            sendEndingNow(session, f);
        } else {
            send(session, zeros, 0, f.length);
        }
        if (silentSamples >= streamEndSamples && event.isEmpty()) {
            streaming = false;
            pendingStreamEnd = true;
            pendingReason = PauseReason.SILENCE;
        }
        sendPendingStreamEnd(session);
    }

    /** Sends the audio from the current utterance's onset up to (not including) the current frame. */
    private void sendSinceOnset(LiveSession session, int currentFrame) {
        long n = segmenter.position() - onsetSample - currentFrame;
        if (n > 0) {
            short[] all = recentAudio((int) Math.min(recent.length, n + currentFrame));
            int len = (int) Math.max(0, all.length - currentFrame);
            sendEndingAt(session, all, len, recentCount - currentFrame);
        }
    }

    private void manualUplink(LiveSession session, short[] f, VadEvent.SpeechStarted started, boolean justConfirmed,
                              Optional<VadEvent> event) {
        if (justConfirmed) {
            startActivity(session);
            if (started != null) {
                sendEndingNow(session, started.preRoll());   // ends with this frame
            } else {
                // Confirmed later (over echo): from the onset on, then this frame.
                sendSinceOnset(session, f.length);
                sendEndingNow(session, f);
            }
        } else if (inActivity) {
            sendEndingNow(session, f);
        }
        if (inActivity && event.isPresent() && event.get() instanceof VadEvent.SpeechStopped) {
            inActivity = false;
            pendingActivityEnd = true;
        }
        sendPendingActivityEnd(session);
    }

    private void pushToTalkUplink(LiveSession session, short[] f) {
        boolean pressed = loop.pushToTalkPressed();
        if (pressed && !inActivity) {
            startActivity(session);
            short[] pre = recentAudio(PTT_PRE_ROLL_MS * RATE / 1000);
            sendEndingNow(session, pre);   // ends with this frame
        } else if (inActivity) {
            sendEndingNow(session, f);
            if (!pressed) {
                inActivity = false;
                pendingActivityEnd = true;
            }
        }
        sendPendingActivityEnd(session);
    }

    private void startActivity(LiveSession session) {
        if (pendingActivityEnd) {
            // The previous activity's end is still waiting for its audio to leave; it must go before the new start.
            LoopSession.awaitSendQueueEmpty(session, Duration.ofMillis(200));
            session.activityEnd();
            pendingActivityEnd = false;
            loop.emit(new AssistantEvent.Activity(false));
        }
        session.activityStart();
        inActivity = true;
        loop.emit(new AssistantEvent.Activity(true));
    }

    /**
     * The end of a turn or stream must not overtake the audio before it. The client now keeps stream signals behind
     * the audio queued before them (habla-client's ordered lane), so this wait for the send queue to drain (briefly
     * here: it normally drains in a millisecond or two; else at a later frame) is a second guard, kept until the
     * loop's timing tests have been re-validated without it.
     */
    private void sendPendingActivityEnd(LiveSession session) {
        if (pendingActivityEnd && LoopSession.awaitSendQueueEmpty(session, PENDING_WAIT)) {
            session.activityEnd();
            pendingActivityEnd = false;
            loop.emit(new AssistantEvent.Activity(false));
        }
    }

    private void sendPendingStreamEnd(LiveSession session) {
        if (pendingStreamEnd && LoopSession.awaitSendQueueEmpty(session, PENDING_WAIT)) {
            session.audioStreamEnd();
            pendingStreamEnd = false;
            loop.metricsSink().streamEnds.incrementAndGet();
            loop.emit(new AssistantEvent.StreamPaused(pendingReason));
        }
    }

    private void whileMuted(LiveSession session) {
        if (!wasMuted) {
            wasMuted = true;
            segmenter.reset();
            detector.reset();
            onsetSample = -1;
            confirmed = false;
            if (mode.serverDetects()) {
                if (streaming) {
                    streaming = false;
                    pendingStreamEnd = true;
                    pendingReason = PauseReason.MUTED;
                }
            } else if (inActivity) {
                inActivity = false;
                pendingActivityEnd = true;
            }
        }
        sendPendingStreamEnd(session);
        sendPendingActivityEnd(session);
    }

    /** The source ended: close the user's turn properly so the model answers what it heard. */
    private void endOfInput() {
        segmenter.finish().ifPresent(e -> {
            if (e instanceof VadEvent.SpeechStopped s) {
                loop.emit(new AssistantEvent.UserSpeechStopped(clock.nanoTime(), s.speech()));
            }
        });
        LiveSession session = loop.sessionOrNull();
        if (session == null) {
            return;
        }
        if (mode.serverDetects()) {
            if (streaming || pendingStreamEnd) {
                LoopSession.awaitSendQueueEmpty(session, DRAIN_WAIT);
                session.audioStreamEnd();
                streaming = false;
                pendingStreamEnd = false;
                loop.metricsSink().streamEnds.incrementAndGet();
                loop.emit(new AssistantEvent.StreamPaused(PauseReason.END_OF_INPUT));
            }
        } else if (inActivity || pendingActivityEnd) {
            LoopSession.awaitSendQueueEmpty(session, DRAIN_WAIT);
            session.activityEnd();
            inActivity = false;
            pendingActivityEnd = false;
            loop.emit(new AssistantEvent.Activity(false));
        }
    }

    /** Sends microphone audio that ends with the current frame, minus what already went up. */
    private void sendEndingNow(LiveSession session, short[] samples) {
        sendEndingAt(session, samples, samples.length, recentCount);
    }

    /**
     * Sends the first {@code length} samples of {@code samples}, which end at absolute index {@code end}, skipping
     * those at or before {@link #sentThrough} (a pre-roll reaching back into audio that was sent already).
     */
    private void sendEndingAt(LiveSession session, short[] samples, int length, long end) {
        long start = end - length;
        int skip = (int) Math.max(0, Math.min(length, sentThrough - start));
        send(session, samples, skip, length - skip);
        sentThrough = Math.max(sentThrough, end);
    }

    private void send(LiveSession session, short[] samples, int offset, int length) {
        if (length > 0) {
            if (uplink == null) {
                session.sendAudio(Pcm16.toBytes(samples, offset, length), RATE);
            } else {
                short[] out = uplink.process(samples, offset, length);
                if (out.length > 0) {
                    session.sendAudio(Pcm16.toBytes(out, 0, out.length), uplinkRate);
                }
            }
        }
    }

    private void remember(short[] f) {
        for (short s : f) {
            recent[recentAt] = s;
            recentAt = (recentAt + 1) % recent.length;
        }
        recentCount += f.length;
    }

    /** The last {@code max} samples (fewer at the start), oldest first, ending with the current frame. */
    private short[] recentAudio(int max) {
        int n = (int) Math.min(Math.min(recent.length, max), recentCount);
        short[] out = new short[n];
        int start = Math.floorMod(recentAt - n, recent.length);
        for (int i = 0; i < n; i++) {
            out[i] = recent[(start + i) % recent.length];
        }
        return out;
    }
}
