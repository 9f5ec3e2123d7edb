package dev.habla.client;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ClientMessage.AudioTranscriptionConfig;
import dev.habla.protocol.ClientMessage.ContextWindowCompressionConfig;
import dev.habla.protocol.ClientMessage.ProactivityConfig;
import dev.habla.protocol.ClientMessage.SessionResumptionConfig;
import dev.habla.protocol.Content;
import dev.habla.protocol.GenerationConfig;
import dev.habla.protocol.GenerationConfig.MediaResolution;
import dev.habla.protocol.GenerationConfig.ThinkingConfig;
import dev.habla.protocol.GenerationConfig.ThinkingLevel;
import dev.habla.protocol.RealtimeInputConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.SpeechConfig;
import dev.habla.protocol.Tool;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * What one live session asks for: model, output modality, voice, instructions, sampling, transcription, tools,
 * resumption, compression. Immutable and validated on creation, so a bad value fails here with a clear
 * {@link IllegalArgumentException} instead of as a close code from the server.
 *
 * <pre>{@code
 * SessionConfig config = SessionConfig.create(b -> b
 *     .model("gemini-2.0-flash-live-001")
 *     .responseModality(ResponseModality.TEXT)
 *     .systemInstruction("Answer briefly."));
 * }</pre>
 *
 * <p>Nulls and {@code false} mean "unset": the server's default applies and nothing is sent on the wire. The
 * configuration of a connection cannot change while it is open; to change it (except the model), reconnect with
 * {@link #withResumptionHandle(String)}.
 *
 * @param model                    model id ({@code gemini-…}, {@code models/gemini-…} or a Vertex resource name); required
 * @param responseModality         {@code TEXT} or {@code AUDIO}; null = server default
 * @param voice                    a prebuilt voice, canonical spelling (see {@link Voices})
 * @param languageCode             BCP-47 speech language, e.g. {@code en-US}
 * @param systemInstruction        system instruction text
 * @param temperature              0..2
 * @param topP                     0..1
 * @param topK                     ≥ 1
 * @param maxOutputTokens          ≥ 1
 * @param seed                     sampling seed
 * @param inputTranscription       transcribe the user's audio
 * @param outputTranscription      transcribe the model's audio
 * @param realtimeInputConfig      VAD and turn settings
 * @param tools                    tools (never null; empty = none)
 * @param resumption               ask for resumption handles
 * @param resumptionHandle         resume this earlier session (implies {@code resumption})
 * @param contextWindowCompression sliding-window compression, or null
 * @param mediaResolution          token cost per video frame
 * @param thinkingBudget           thinking tokens (2.5 models; 0 disables, -1 dynamic); exclusive with {@code thinkingLevel}
 * @param thinkingLevel            thinking level (3.x models)
 * @param includeThoughts          stream thought text ({@link LiveEvent.TextDelta#thought()})
 * @param affectiveDialog          native audio: adapt tone to the user's emotion
 * @param proactiveAudio           native audio: let the model stay silent on irrelevant input
 * @param setupOverride            escape hatch applied last by {@link #toSetup}: edits the wire setup for fields this
 *                                 record does not cover (language hints…); not validated; may be null
 * @param initialHistory           earlier turns (roles {@code user} and {@code model}) the conversation starts from,
 *                                 sent once right after {@code setupComplete}, before anything else, as the model's
 *                                 {@link ModelFamily} wants it (Gemini 3 Live: {@code historyConfig} in the setup, then
 *                                 {@code clientContent} with {@code turnComplete:true}; others: {@code clientContent}
 *                                 with {@code turnComplete:false}); never null; empty = none. Not with a
 *                                 {@code resumptionHandle} (a resumed session already has its history).
 */
public record SessionConfig(
        String model,
        ResponseModality responseModality,
        String voice,
        String languageCode,
        String systemInstruction,
        Double temperature,
        Double topP,
        Integer topK,
        Integer maxOutputTokens,
        Integer seed,
        boolean inputTranscription,
        boolean outputTranscription,
        RealtimeInputConfig realtimeInputConfig,
        List<Tool> tools,
        boolean resumption,
        String resumptionHandle,
        ContextWindowCompression contextWindowCompression,
        MediaResolution mediaResolution,
        Integer thinkingBudget,
        ThinkingLevel thinkingLevel,
        Boolean includeThoughts,
        boolean affectiveDialog,
        boolean proactiveAudio,
        UnaryOperator<ClientMessage.Setup> setupOverride,
        List<Content> initialHistory) {

    private static final Pattern LANGUAGE = Pattern.compile("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*");

    /**
     * Sliding-window context compression. Null fields take the server defaults (trigger: 80 % of the context window;
     * target: half the trigger).
     */
    public record ContextWindowCompression(Long triggerTokens, Long targetTokens) {
        public ContextWindowCompression {
            if (triggerTokens != null && triggerTokens <= 0) {
                throw new IllegalArgumentException("contextWindowCompression triggerTokens must be > 0, was " + triggerTokens);
            }
            if (targetTokens != null && targetTokens <= 0) {
                throw new IllegalArgumentException("contextWindowCompression targetTokens must be > 0, was " + targetTokens);
            }
            if (triggerTokens != null && targetTokens != null && targetTokens >= triggerTokens) {
                throw new IllegalArgumentException("contextWindowCompression targetTokens (" + targetTokens
                        + ") must be below triggerTokens (" + triggerTokens + ")");
            }
        }
    }

    public SessionConfig {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must not be empty");
        }
        model = model.strip();
        if (responseModality != null && responseModality != ResponseModality.TEXT && responseModality != ResponseModality.AUDIO) {
            throw new IllegalArgumentException("responseModality must be TEXT or AUDIO, was " + responseModality);
        }
        ModelFamily family = ModelFamily.of(model);
        if (responseModality == ResponseModality.TEXT && !family.supportsTextOutput()) {
            throw new UnsupportedByModelException(model, family, family.textOutputRefusal(model));
        }
        if (voice != null) {
            voice = Voices.canonical(voice);
        }
        if (languageCode != null && !LANGUAGE.matcher(languageCode).matches()) {
            throw new IllegalArgumentException("languageCode must be a BCP-47 tag like en-US, was '" + languageCode + "'");
        }
        checkRange("temperature", temperature, 0, 2);
        checkRange("topP", topP, 0, 1);
        if (topK != null && topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, was " + topK);
        }
        if (maxOutputTokens != null && maxOutputTokens < 1) {
            throw new IllegalArgumentException("maxOutputTokens must be >= 1, was " + maxOutputTokens);
        }
        if (thinkingBudget != null && thinkingBudget < -1) {
            throw new IllegalArgumentException("thinkingBudget must be -1 (dynamic), 0 (off) or positive, was " + thinkingBudget);
        }
        if (thinkingBudget != null && thinkingLevel != null) {
            throw new IllegalArgumentException("set thinkingBudget (2.5 models) or thinkingLevel (3.x models), not both");
        }
        if (thinkingLevel == ThinkingLevel.UNRECOGNIZED || mediaResolution == MediaResolution.UNRECOGNIZED) {
            throw new IllegalArgumentException("UNRECOGNIZED is a decoding placeholder, not a value to send");
        }
        tools = tools == null ? List.of() : List.copyOf(tools);
        initialHistory = initialHistory == null ? List.of() : List.copyOf(initialHistory);
        for (int i = 0; i < initialHistory.size(); i++) {
            Content turn = initialHistory.get(i);
            if (!"user".equals(turn.role()) && !"model".equals(turn.role())) {
                throw new IllegalArgumentException("initialHistory[" + i + "] needs the role \"user\" or \"model\", was "
                        + (turn.role() == null ? "none" : "\"" + turn.role() + "\""));
            }
            if (turn.parts() == null || turn.parts().isEmpty()) {
                throw new IllegalArgumentException("initialHistory[" + i + "] has no parts");
            }
        }
        if (resumptionHandle != null && !initialHistory.isEmpty()) {
            throw new IllegalArgumentException("initialHistory and resumptionHandle exclude each other: a resumed session "
                    + "already has its history");
        }
        if (resumptionHandle != null) {
            if (resumptionHandle.isBlank()) {
                throw new IllegalArgumentException("resumptionHandle must not be blank (use null for a fresh session)");
            }
            resumption = true;
        }
    }

    private static void checkRange(String name, Double v, double min, double max) {
        if (v != null && !(v >= min && v <= max)) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + v);
        }
    }

    /** Builds a validated config. */
    public static SessionConfig create(Consumer<Builder> spec) {
        Builder b = new Builder();
        spec.accept(b);
        return b.build();
    }

    /** A builder pre-filled with this config's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A copy that derives from this one. */
    public SessionConfig with(Consumer<Builder> change) {
        Builder b = toBuilder();
        change.accept(b);
        return b.build();
    }

    /**
     * The same config, resuming the session behind {@code handle} (resumption stays enabled so new handles keep
     * coming). This is what a reconnect after {@code goAway} uses.
     */
    public SessionConfig withResumptionHandle(String handle) {
        return with(b -> b.resumption(true).resumptionHandle(handle).initialHistory(List.of()));
    }

    /** The rules of this config's model ({@link ModelFamily#of(String)}). */
    public ModelFamily modelFamily() {
        return ModelFamily.of(model);
    }

    /**
     * True for models that generate audio natively and therefore refuse {@code TEXT} output (the native-audio 2.5
     * models and the Gemini 3 Live models): {@code !ModelFamily.of(model).supportsTextOutput()}.
     */
    public static boolean isNativeAudioModel(String model) {
        return model != null && !ModelFamily.of(model).supportsTextOutput();
    }

    /**
     * The message that carries {@link #initialHistory()}, or null if there is none: {@code clientContent} with
     * {@code turnComplete:true} on families that announce it with {@code historyConfig} (it ends the history phase
     * without asking for an answer), {@code turnComplete:false} on the others (true would ask for an answer).
     */
    public ClientMessage.ClientContent initialHistoryMessage() {
        return initialHistory.isEmpty() ? null
                : new ClientMessage.ClientContent(initialHistory, modelFamily().initialHistoryNeedsHistoryConfig());
    }

    /**
     * The wire {@code setup} message of this config.
     *
     * @param modelResourceName the model as the endpoint wants it ({@code models/…} on the Gemini API, the full
     *                          {@code projects/…/models/…} name on Vertex)
     */
    public ClientMessage.Setup toSetup(String modelResourceName) {
        Objects.requireNonNull(modelResourceName, "modelResourceName");
        SpeechConfig speech = voice == null && languageCode == null ? null
                : new SpeechConfig(voice == null ? null : new SpeechConfig.VoiceConfig(new SpeechConfig.PrebuiltVoiceConfig(voice)),
                        null, languageCode);
        ThinkingConfig thinking = thinkingBudget == null && thinkingLevel == null && includeThoughts == null ? null
                : new ThinkingConfig(includeThoughts, thinkingBudget, thinkingLevel);
        GenerationConfig gc = new GenerationConfig(null, null, maxOutputTokens, temperature, topP, topK, seed, null, null,
                null, null, null, null, null, null, null,
                responseModality == null ? null : List.of(responseModality),
                speech, thinking, null, mediaResolution, affectiveDialog ? Boolean.TRUE : null);
        if (gc.equals(GenerationConfig.EMPTY)) {
            gc = null;
        }
        Content instruction = systemInstruction == null ? null : Content.text("user", systemInstruction);
        ContextWindowCompressionConfig compression = contextWindowCompression == null ? null
                : new ContextWindowCompressionConfig(contextWindowCompression.triggerTokens(),
                        new ContextWindowCompressionConfig.SlidingWindow(contextWindowCompression.targetTokens()));
        ClientMessage.Setup setup = new ClientMessage.Setup(
                modelResourceName,
                gc,
                instruction,
                tools.isEmpty() ? null : tools,
                realtimeInputConfig,
                resumption ? new SessionResumptionConfig(resumptionHandle, null) : null,
                compression,
                inputTranscription ? AudioTranscriptionConfig.ENABLED : null,
                outputTranscription ? AudioTranscriptionConfig.ENABLED : null,
                proactiveAudio ? new ProactivityConfig(true) : null,
                !initialHistory.isEmpty() && modelFamily().initialHistoryNeedsHistoryConfig()
                        ? new ClientMessage.HistoryConfig(true) : null);
        return setupOverride == null ? setup : Objects.requireNonNull(setupOverride.apply(setup), "setupOverride returned null");
    }

    /** Mutable builder; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private String model;
        private ResponseModality responseModality;
        private String voice;
        private String languageCode;
        private String systemInstruction;
        private Double temperature;
        private Double topP;
        private Integer topK;
        private Integer maxOutputTokens;
        private Integer seed;
        private boolean inputTranscription;
        private boolean outputTranscription;
        private RealtimeInputConfig realtimeInputConfig;
        private List<Tool> tools = List.of();
        private boolean resumption;
        private String resumptionHandle;
        private ContextWindowCompression contextWindowCompression;
        private MediaResolution mediaResolution;
        private Integer thinkingBudget;
        private ThinkingLevel thinkingLevel;
        private Boolean includeThoughts;
        private boolean affectiveDialog;
        private boolean proactiveAudio;
        private UnaryOperator<ClientMessage.Setup> setupOverride;
        private List<Content> initialHistory = List.of();

        Builder() {}

        Builder(SessionConfig c) {
            model = c.model;
            responseModality = c.responseModality;
            voice = c.voice;
            languageCode = c.languageCode;
            systemInstruction = c.systemInstruction;
            temperature = c.temperature;
            topP = c.topP;
            topK = c.topK;
            maxOutputTokens = c.maxOutputTokens;
            seed = c.seed;
            inputTranscription = c.inputTranscription;
            outputTranscription = c.outputTranscription;
            realtimeInputConfig = c.realtimeInputConfig;
            tools = c.tools;
            resumption = c.resumption;
            resumptionHandle = c.resumptionHandle;
            contextWindowCompression = c.contextWindowCompression;
            mediaResolution = c.mediaResolution;
            thinkingBudget = c.thinkingBudget;
            thinkingLevel = c.thinkingLevel;
            includeThoughts = c.includeThoughts;
            affectiveDialog = c.affectiveDialog;
            proactiveAudio = c.proactiveAudio;
            setupOverride = c.setupOverride;
            initialHistory = c.initialHistory;
        }

        public Builder model(String model) { this.model = model; return this; }
        public Builder responseModality(ResponseModality m) { this.responseModality = m; return this; }
        public Builder voice(String voice) { this.voice = voice; return this; }
        public Builder languageCode(String languageCode) { this.languageCode = languageCode; return this; }
        public Builder systemInstruction(String text) { this.systemInstruction = text; return this; }
        public Builder temperature(Double t) { this.temperature = t; return this; }
        public Builder topP(Double p) { this.topP = p; return this; }
        public Builder topK(Integer k) { this.topK = k; return this; }
        public Builder maxOutputTokens(Integer n) { this.maxOutputTokens = n; return this; }
        public Builder seed(Integer seed) { this.seed = seed; return this; }
        public Builder inputTranscription(boolean on) { this.inputTranscription = on; return this; }
        public Builder outputTranscription(boolean on) { this.outputTranscription = on; return this; }
        public Builder realtimeInputConfig(RealtimeInputConfig c) { this.realtimeInputConfig = c; return this; }
        public Builder tools(List<Tool> tools) { this.tools = tools == null ? List.of() : tools; return this; }
        public Builder resumption(boolean on) { this.resumption = on; return this; }
        /** Resume an earlier session; also enables resumption. */
        public Builder resumptionHandle(String handle) { this.resumptionHandle = handle; return this; }
        /** Sliding-window compression with explicit token counts (either may be null for the server default). */
        public Builder contextWindowCompression(Long triggerTokens, Long targetTokens) {
            this.contextWindowCompression = new ContextWindowCompression(triggerTokens, targetTokens);
            return this;
        }
        /** Sliding-window compression with the server's defaults. */
        public Builder contextWindowCompression() { return contextWindowCompression(null, null); }
        /** Removes compression. */
        public Builder noContextWindowCompression() { this.contextWindowCompression = null; return this; }
        public Builder mediaResolution(MediaResolution r) { this.mediaResolution = r; return this; }
        public Builder thinkingBudget(Integer tokens) { this.thinkingBudget = tokens; return this; }
        public Builder thinkingLevel(ThinkingLevel level) { this.thinkingLevel = level; return this; }
        public Builder includeThoughts(Boolean on) { this.includeThoughts = on; return this; }
        public Builder affectiveDialog(boolean on) { this.affectiveDialog = on; return this; }
        public Builder proactiveAudio(boolean on) { this.proactiveAudio = on; return this; }
        /** Edits the wire setup after it is built (not validated): for fields this config does not cover. */
        public Builder setupOverride(UnaryOperator<ClientMessage.Setup> override) { this.setupOverride = override; return this; }
        /**
         * Turns ({@code user}/{@code model}) the conversation starts from, sent right after setup; null or empty = none.
         * The only way to give a Gemini 3 Live model earlier turns (it refuses {@code clientContent} mid-session).
         */
        public Builder initialHistory(List<Content> turns) { this.initialHistory = turns == null ? List.of() : turns; return this; }

        /** Validates and builds. */
        public SessionConfig build() {
            return new SessionConfig(model, responseModality, voice, languageCode, systemInstruction, temperature, topP, topK,
                    maxOutputTokens, seed, inputTranscription, outputTranscription, realtimeInputConfig, tools, resumption,
                    resumptionHandle, contextWindowCompression, mediaResolution, thinkingBudget, thinkingLevel,
                    includeThoughts, affectiveDialog, proactiveAudio, setupOverride, initialHistory);
        }
    }
}
