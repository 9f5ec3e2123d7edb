package dev.habla.voice;

import dev.habla.voice.internal.SampleRing;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a stream of per-frame speech probabilities into {@link VadEvent.SpeechStarted} /
 * {@link VadEvent.SpeechStopped} events, with hysteresis, minimum durations and a pre-roll buffer.
 *
 * <p>States and transitions (thresholds and durations from {@link VadConfig}):
 * <pre>
 *   SILENCE   --p >= start-->                 CANDIDATE (start = this frame's first sample)
 *   CANDIDATE --p <  end-->                   SILENCE   (a blip: no event)
 *   CANDIDATE --speech lasted >= minSpeech--> SPEECH    emits SpeechStarted(start, preRoll)
 *   SPEECH    --p <  end-->                   SPEECH with a pending stop (silence starts at this frame)
 *   SPEECH    --p >= start-->                 cancels a pending stop
 *   SPEECH    --silence lasted >= minSilence--> SILENCE emits SpeechStopped(end = first silent sample)
 * </pre>
 * Probabilities between the two thresholds continue whatever is going on. Everything is counted in samples of
 * audio, so the same input always yields the same events at the same positions, whatever the wall clock does.
 *
 * <p>Two ways to feed it: {@link #accept(short[], float)} with a frame and a probability you computed (e.g. a
 * Silero probability zeroed by an {@link EchoGate} when the frame is echo), or {@link #process} with any amount of
 * audio and a detector, which slices it into the detector's frames.
 *
 * <p>Thread-safety: none; one segmenter per stream, used from that stream's thread.
 */
public final class VadSegmenter {

    private enum State { SILENCE, CANDIDATE, SPEECH }

    private final VadConfig config;
    private final long minSpeech;
    private final long minSilence;
    private final int preRoll;
    /** Recent audio for the pre-roll: pre-roll + confirmation delay + a frame of slack. */
    private final SampleRing history;

    private State state = State.SILENCE;
    /** Samples accepted so far = index of the next sample. */
    private long position;
    /** CANDIDATE/SPEECH: first sample of the utterance. */
    private long speechStart;
    /** SPEECH: first sample of the pending silence, or -1 if none. */
    private long silenceStart = -1;

    /** {@link #process}: a partial frame carried to the next call. */
    private short[] pending = new short[0];
    private int pendingLength;

    public VadSegmenter(VadConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.minSpeech = config.minSpeechSamples();
        this.minSilence = config.minSilenceSamples();
        this.preRoll = config.preRollSamples();
        long capacity = preRoll + minSpeech + 4L * config.sampleRate() / 10 + 8192;
        this.history = new SampleRing((int) Math.min(Integer.MAX_VALUE - 8, capacity));
    }

    /** A segmenter with {@link VadConfig#DEFAULTS}. */
    public VadSegmenter() {
        this(VadConfig.DEFAULTS);
    }

    public VadConfig config() {
        return config;
    }

    /**
     * Feeds one frame of audio and its speech probability.
     *
     * @param frame       the frame's samples (any non-zero length; normally the detector's frame size)
     * @param probability speech probability of the frame, 0 to 1
     * @return the event this frame caused, if any (at most one per frame)
     */
    public Optional<VadEvent> accept(short[] frame, float probability) {
        if (frame.length == 0) {
            throw new IllegalArgumentException("empty frame");
        }
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1], was " + probability);
        }
        long frameStart = position;
        history.append(frame, 0, frame.length);
        position += frame.length;
        return Optional.ofNullable(step(frameStart, probability));
    }

    /**
     * Slices {@code pcm} (any length; the remainder is kept for the next call) into {@code vad}'s frames, scores
     * each, and returns the events in order. {@code vad} must run at {@link VadConfig#sampleRate()}.
     */
    public List<VadEvent> process(VoiceActivityDetector vad, short[] pcm) {
        Objects.requireNonNull(vad, "vad");
        if (vad.sampleRate() != config.sampleRate()) {
            throw new IllegalArgumentException("detector runs at " + vad.sampleRate() + " Hz but the segmenter at "
                    + config.sampleRate() + " Hz");
        }
        int n = vad.frameSamples();
        if (pending.length != n) {
            if (pendingLength > 0) {
                throw new IllegalStateException("frame size changed from " + pending.length + " to " + n
                        + " with a partial frame pending");
            }
            pending = new short[n];
        }
        List<VadEvent> events = new ArrayList<>(1);
        int at = 0;
        while (at < pcm.length) {
            int take = Math.min(n - pendingLength, pcm.length - at);
            System.arraycopy(pcm, at, pending, pendingLength, take);
            pendingLength += take;
            at += take;
            if (pendingLength == n) {
                short[] frame = pending.clone();
                pendingLength = 0;
                accept(frame, vad.speechProbability(frame)).ifPresent(events::add);
            }
        }
        return events;
    }

    /**
     * Ends the stream: if speech is in progress, returns the {@link VadEvent.SpeechStopped} for it (ending at the
     * pending silence if one started, else at the current position). A partial frame held by {@link #process} is
     * dropped. The segmenter is then {@link #reset()}.
     */
    public Optional<VadEvent> finish() {
        VadEvent event = null;
        if (state == State.SPEECH) {
            long end = silenceStart >= 0 ? silenceStart : position;
            event = new VadEvent.SpeechStopped(speechStart, end, position, config.sampleRate());
        }
        reset();
        return Optional.ofNullable(event);
    }

    /** Back to silence at position 0, forgetting the pre-roll and any partial frame. */
    public void reset() {
        state = State.SILENCE;
        position = 0;
        silenceStart = -1;
        pendingLength = 0;
        history.clear();
    }

    /** Whether a {@link VadEvent.SpeechStarted} has been emitted and its stop has not. */
    public boolean isSpeaking() {
        return state == State.SPEECH;
    }

    /** Samples accepted so far (the index of the next sample). */
    public long position() {
        return position;
    }

    private VadEvent step(long frameStart, float p) {
        long frameEnd = position;
        switch (state) {
            case SILENCE -> {
                if (p >= config.startThreshold()) {
                    state = State.CANDIDATE;
                    speechStart = frameStart;
                    return confirmIfLongEnough(frameEnd);
                }
                return null;
            }
            case CANDIDATE -> {
                if (p < config.endThreshold()) {
                    state = State.SILENCE;
                    return null;
                }
                return confirmIfLongEnough(frameEnd);
            }
            case SPEECH -> {
                if (p >= config.startThreshold()) {
                    silenceStart = -1;
                } else if (p < config.endThreshold() && silenceStart < 0) {
                    silenceStart = frameStart;
                }
                if (silenceStart >= 0 && frameEnd - silenceStart >= minSilence) {
                    VadEvent stop = new VadEvent.SpeechStopped(speechStart, silenceStart, frameEnd,
                            config.sampleRate());
                    state = State.SILENCE;
                    silenceStart = -1;
                    return stop;
                }
                return null;
            }
        }
        throw new AssertionError(state);
    }

    private VadEvent confirmIfLongEnough(long frameEnd) {
        if (frameEnd - speechStart < Math.max(1, minSpeech)) {
            return null;
        }
        state = State.SPEECH;
        silenceStart = -1;
        long from = Math.max(Math.max(0, speechStart - preRoll), history.start());
        short[] audio = new short[(int) (frameEnd - from)];
        history.read(from, audio, 0, audio.length);
        return new VadEvent.SpeechStarted(speechStart, frameEnd, config.sampleRate(), audio);
    }
}
