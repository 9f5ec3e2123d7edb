package dev.habla.assistant;

import dev.habla.time.Scheduler;
import dev.habla.audio.AudioSink;
import dev.habla.audio.AudioSource;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.tools.ToolRunner;
import dev.habla.voice.DuplexPolicy;
import dev.habla.voice.VadConfig;
import dev.habla.voice.VoiceActivityDetector;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Everything a {@link VoiceLoop} is built from. Immutable; build with {@link #create(Consumer)}:
 *
 * <pre>{@code
 * VoiceLoopConfig config = VoiceLoopConfig.create(c -> c
 *     .session(SessionConfig.create(s -> s.model("gemini-2.5-flash-native-audio-latest").voice("Kore")))
 *     .microphone(JavaSoundMicrophone.open())
 *     .speaker(DeviceSpeaker.open())
 *     .vadMode(VadMode.ASSIST));
 * }</pre>
 *
 * @param session               the Live session to open; the loop sets AUDIO output, transcription of both sides
 *                              (unless {@code transcription} is false) and the realtime input config for the VAD mode
 * @param microphone            where the user's voice comes from, or null (typed text only); owned by the loop
 * @param speaker               where the assistant's voice goes; owned by the loop (closed last)
 * @param vadMode               turn-taking; see {@link VadMode}
 * @param serverVad             server VAD settings (sent unless the mode disables automatic detection)
 * @param vadConfig             local VAD thresholds, minimum speech/silence and pre-roll
 * @param detector              makes the local voice-activity detector (Silero v5 by default, falling back to an
 *                              energy detector if onnxruntime cannot load)
 * @param duplex                echo handling
 * @param duplexPolicy          a custom policy instead of {@code duplex} (null = from {@code duplex}); must take
 *                              far-end audio at 24 kHz
 * @param assumedEchoGainDb     {@link DuplexMode#ECHO_GATE}: how loud the echo is assumed to be, relative to what is
 *                              played, until the gate has measured the echo path (see
 *                              {@link dev.habla.voice.EchoGate.Config#assumedEchoGainDb()})
 * @param doubleTalkConfirm     while the speaker may be echoing (echo gate or half duplex on), local speech must last
 *                              this much longer than the VAD's {@code minSpeech} before it interrupts the assistant
 *                              or goes up the session: a few echo frames the gate misjudges then do not barge in
 * @param streamEndAfterSilence with server VAD: send {@code audioStreamEnd} and pause the uplink after this much
 *                              silence (resumed, pre-roll first, when speech starts); null = never pause
 * @param preBuffer             playback jitter buffer: audio held back before a turn starts playing
 * @param deviceBuffer          how far ahead of real time the speaker pump writes (the device buffer it keeps
 *                              full); a barge-in flushes it with the sink
 * @param pacedSpeaker          true for real-time sinks (speakers); false for files, which are written as fast
 *                              as audio arrives
 * @param outputLatency         what the device adds after the sink (added to the echo reference's play times and
 *                              subtracted from "heard"); 0 if unknown
 * @param transcription         ask the server for input and output transcription
 * @param clock                 the loop's clock; sources must date chunks on it
 * @param observer              sees every {@link AssistantEvent}
 * @param tools                 answers the model's tool calls (its declarations are added to the session), or null
 * @param listenerDecorator     wraps the loop's session listener (e.g. a display of tool activity), or null
 * @param resilience            how the conversation outlives its connections: the loop opens a
 *                              {@link dev.habla.client.ResilientSession} with this policy (goAway handover at turn
 *                              boundaries, reconnect with the resumption handle, stall watchdog); null = a plain
 *                              {@link dev.habla.client.LiveSession} that ends with its connection. Default
 *                              {@link ResiliencePolicy#defaults()}
 * @param uplinkSampleRate      the PCM rate the microphone audio is sent at; null (the default) = the rate the session's
 *                              provider takes ({@link dev.habla.client.Capabilities#inputSampleRate()}: 16 kHz on
 *                              Gemini, 24 kHz on OpenAI Realtime). The local VAD runs at 16 kHz whatever this is.
 */
public record VoiceLoopConfig(SessionConfig session, AudioSource microphone, AudioSink speaker, VadMode vadMode,
                              ServerVad serverVad, VadConfig vadConfig, Supplier<VoiceActivityDetector> detector,
                              DuplexMode duplex, DuplexPolicy duplexPolicy, double assumedEchoGainDb,
                              Duration doubleTalkConfirm, Duration streamEndAfterSilence,
                              Duration preBuffer, Duration deviceBuffer, boolean pacedSpeaker, Duration outputLatency,
                              boolean transcription, Scheduler clock, AssistantObserver observer, ToolRunner tools,
                              UnaryOperator<SessionListener> listenerDecorator, ResiliencePolicy resilience,
                              Integer uplinkSampleRate) {

    /** Local barge-in by default: the speaker stops as soon as the user starts talking. */
    public static final VadMode DEFAULT_VAD_MODE = VadMode.ASSIST;
    /**
     * -6 dB: echo from laptop and desk speakers measures -6 to -20 dB; the echo gate's own 0 dB default also rejects
     * a user who talks over the very start of a reply quieter than the reply is played. Measured in
     * {@code EchoTest}: with -6 dB, no false barge-in and every user barge-in detected in 40 + 40 trials; with 0 dB,
     * 1-2 of 20 early barge-ins missed.
     */
    public static final double DEFAULT_ASSUMED_ECHO_GAIN_DB = -6;
    /**
     * None by default: in {@code EchoTest} (60 + 60 replies) an extra 64-96 ms made no measurable difference to false
     * or missed barge-ins, and costs that much latency on every barge-in over the assistant's voice. A knob for
     * rooms with strong, fast-changing echo.
     */
    public static final Duration DEFAULT_DOUBLE_TALK_CONFIRM = Duration.ZERO;
    /** "Silent for over a second" ends the audio stream. */
    public static final Duration DEFAULT_STREAM_END_AFTER_SILENCE = Duration.ofSeconds(1);
    /** Covers the Live API's usual inter-burst gaps; see {@link dev.habla.voice.PlaybackBuffer}. */
    public static final Duration DEFAULT_PRE_BUFFER = Duration.ofMillis(dev.habla.voice.PlaybackBuffer.DEFAULT_PRE_BUFFER_MS);
    /** Three 20 ms pieces ahead: no device underruns on a busy machine; flushed on barge-in anyway. */
    public static final Duration DEFAULT_DEVICE_BUFFER = Duration.ofMillis(60);

    public VoiceLoopConfig {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(speaker, "speaker");
        Objects.requireNonNull(vadMode, "vadMode");
        Objects.requireNonNull(serverVad, "serverVad");
        Objects.requireNonNull(vadConfig, "vadConfig");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(duplex, "duplex");
        Objects.requireNonNull(preBuffer, "preBuffer");
        Objects.requireNonNull(deviceBuffer, "deviceBuffer");
        Objects.requireNonNull(outputLatency, "outputLatency");
        Objects.requireNonNull(doubleTalkConfirm, "doubleTalkConfirm");
        if (doubleTalkConfirm.isNegative() || doubleTalkConfirm.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("doubleTalkConfirm must be 0..1 s, was " + doubleTalkConfirm);
        }
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(observer, "observer");
        if (!Double.isFinite(assumedEchoGainDb)) {
            throw new IllegalArgumentException("assumedEchoGainDb must be a number, was " + assumedEchoGainDb);
        }
        if (vadConfig.sampleRate() != VoiceActivityDetector.SAMPLE_RATE) {
            throw new IllegalArgumentException("vadConfig must be for " + VoiceActivityDetector.SAMPLE_RATE
                    + " Hz (the loop's mic rate), was " + vadConfig.sampleRate());
        }
        if (streamEndAfterSilence != null && (streamEndAfterSilence.isNegative() || streamEndAfterSilence.isZero())) {
            throw new IllegalArgumentException("streamEndAfterSilence must be > 0 or null, was " + streamEndAfterSilence);
        }
        if (preBuffer.isNegative() || outputLatency.isNegative()) {
            throw new IllegalArgumentException("preBuffer and outputLatency must be >= 0");
        }
        if (uplinkSampleRate != null && (uplinkSampleRate < 8_000 || uplinkSampleRate > 48_000)) {
            throw new IllegalArgumentException("uplinkSampleRate must be 8000..48000 Hz or null, was " + uplinkSampleRate);
        }
        if (deviceBuffer.isNegative() || deviceBuffer.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("deviceBuffer must be 0..1 s, was " + deviceBuffer);
        }
    }

    /** Builds a validated config. */
    public static VoiceLoopConfig create(Consumer<Builder> spec) {
        Builder b = new Builder();
        spec.accept(b);
        return b.build();
    }

    /** A copy with {@code change} applied. */
    public VoiceLoopConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private SessionConfig session;
        private AudioSource microphone;
        private AudioSink speaker;
        private VadMode vadMode = DEFAULT_VAD_MODE;
        private ServerVad serverVad = ServerVad.DEFAULTS;
        private VadConfig vadConfig = VadConfig.DEFAULTS;
        private Supplier<VoiceActivityDetector> detector = Detectors::silero;
        private DuplexMode duplex = DuplexMode.ECHO_GATE;
        private DuplexPolicy duplexPolicy;
        private double assumedEchoGainDb = DEFAULT_ASSUMED_ECHO_GAIN_DB;
        private Duration doubleTalkConfirm = DEFAULT_DOUBLE_TALK_CONFIRM;
        private Duration streamEndAfterSilence = DEFAULT_STREAM_END_AFTER_SILENCE;
        private Duration preBuffer = DEFAULT_PRE_BUFFER;
        private Duration deviceBuffer = DEFAULT_DEVICE_BUFFER;
        private boolean pacedSpeaker = true;
        private Duration outputLatency = Duration.ZERO;
        private boolean transcription = true;
        private Scheduler clock = Scheduler.system();
        private AssistantObserver observer = AssistantObserver.none();
        private ToolRunner tools;
        private UnaryOperator<SessionListener> listenerDecorator;
        private ResiliencePolicy resilience = ResiliencePolicy.defaults();
        private Integer uplinkSampleRate;

        private Builder() {
        }

        private Builder(VoiceLoopConfig c) {
            session = c.session;
            microphone = c.microphone;
            speaker = c.speaker;
            vadMode = c.vadMode;
            serverVad = c.serverVad;
            vadConfig = c.vadConfig;
            detector = c.detector;
            duplex = c.duplex;
            duplexPolicy = c.duplexPolicy;
            assumedEchoGainDb = c.assumedEchoGainDb;
            doubleTalkConfirm = c.doubleTalkConfirm;
            streamEndAfterSilence = c.streamEndAfterSilence;
            preBuffer = c.preBuffer;
            deviceBuffer = c.deviceBuffer;
            pacedSpeaker = c.pacedSpeaker;
            outputLatency = c.outputLatency;
            transcription = c.transcription;
            clock = c.clock;
            observer = c.observer;
            tools = c.tools;
            listenerDecorator = c.listenerDecorator;
            resilience = c.resilience;
            uplinkSampleRate = c.uplinkSampleRate;
        }

        public Builder session(SessionConfig v) { session = v; return this; }
        public Builder microphone(AudioSource v) { microphone = v; return this; }
        public Builder speaker(AudioSink v) { speaker = v; return this; }
        public Builder vadMode(VadMode v) { vadMode = v; return this; }
        public Builder serverVad(ServerVad v) { serverVad = v; return this; }
        public Builder vadConfig(VadConfig v) { vadConfig = v; return this; }
        public Builder detector(Supplier<VoiceActivityDetector> v) { detector = v; return this; }
        public Builder duplex(DuplexMode v) { duplex = v; return this; }
        public Builder duplexPolicy(DuplexPolicy v) { duplexPolicy = v; return this; }
        public Builder assumedEchoGainDb(double v) { assumedEchoGainDb = v; return this; }
        public Builder doubleTalkConfirm(Duration v) { doubleTalkConfirm = v; return this; }
        public Builder streamEndAfterSilence(Duration v) { streamEndAfterSilence = v; return this; }
        public Builder preBuffer(Duration v) { preBuffer = v; return this; }
        public Builder deviceBuffer(Duration v) { deviceBuffer = v; return this; }
        public Builder pacedSpeaker(boolean v) { pacedSpeaker = v; return this; }
        public Builder outputLatency(Duration v) { outputLatency = v; return this; }
        public Builder transcription(boolean v) { transcription = v; return this; }
        public Builder clock(Scheduler v) { clock = v; return this; }
        public Builder observer(AssistantObserver v) { observer = v; return this; }
        public Builder tools(ToolRunner v) { tools = v; return this; }
        public Builder listenerDecorator(UnaryOperator<SessionListener> v) { listenerDecorator = v; return this; }
        /** The resilient session's policy (null = {@link #plainSession()}). */
        public Builder resilience(ResiliencePolicy v) { resilience = v; return this; }
        /** Opt out of resilience: one plain connection; the conversation ends with it (goAway, drop, ~10 minutes). */
        public Builder plainSession() { resilience = null; return this; }
        /** The rate microphone audio is sent at; null (default) = the session provider's input rate. */
        public Builder uplinkSampleRate(Integer hz) { uplinkSampleRate = hz; return this; }

        public VoiceLoopConfig build() {
            return new VoiceLoopConfig(session, microphone, speaker, vadMode, serverVad, vadConfig, detector, duplex,
                    duplexPolicy, assumedEchoGainDb, doubleTalkConfirm, streamEndAfterSilence, preBuffer, deviceBuffer, pacedSpeaker, outputLatency,
                    transcription, clock, observer, tools, listenerDecorator, resilience, uplinkSampleRate);
        }
    }
}
