package dev.habla.client;

import dev.habla.client.internal.GeminiSetup;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.GenerationConfig.MediaResolution;
import dev.habla.protocol.GenerationConfig.ThinkingLevel;
import dev.habla.protocol.RealtimeInputConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Tool;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * What one live session asks for: a provider-neutral core (model, output modality, voice, instructions, sampling,
 * transcription, turn detection, tools, initial history) and the options only one provider has ({@link #gemini()}:
 * resumption, compression, media resolution, thinking, affective dialog, proactivity, setup override). Immutable and
 * validated on creation, so a bad value fails here with a clear {@link IllegalArgumentException} instead of as a close
 * code from the server. Each provider maps the core to its wire and reads its own options; a provider refuses options
 * of another provider (and core settings it cannot honour) with an {@link IllegalArgumentException} before connecting.
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
 * <p>Models and voices the client does not know are used as given, with a warning logged once when a session connects
 * (the services add them faster than this library is released); known voices are canonicalised
 * ({@code kore} → {@code Kore}).
 *
 * @param model               model id ({@code gemini-…}, {@code models/gemini-…}, a Vertex resource name, or another
 *                            provider's id); required
 * @param responseModality    {@code TEXT} or {@code AUDIO}; null = the model's default ({@link Capabilities})
 * @param voice               a voice name; documented names are canonicalised (see {@link Voices}), others kept as given
 * @param languageCode        BCP-47 speech language, e.g. {@code en-US}
 * @param systemInstruction   system instruction text
 * @param temperature         0..2
 * @param maxOutputTokens     ≥ 1
 * @param inputTranscription  transcribe the user's audio
 * @param outputTranscription transcribe the model's audio
 * @param realtimeInputConfig turn detection: automatic activity detection (server VAD) and its settings, or manual turns
 *                            ({@code automaticActivityDetection.disabled}); every provider maps it to its own form
 * @param tools               tools (never null; empty = none)
 * @param initialHistory      earlier turns (roles {@code user} and {@code model}) the conversation starts from, sent
 *                            once right after the connection is set up, before anything else, in the form the
 *                            provider's model wants ({@link Capabilities#initialHistoryViaHistoryConfig()}); never
 *                            null; empty = none. Not with a Gemini {@code resumptionHandle} (a resumed session already
 *                            has its history).
 * @param gemini              the Gemini-only options (never null; {@link GeminiOptions#NONE} = none)
 * @param openai              the OpenAI-Realtime-only options (never null; {@link OpenAiOptions#NONE} = none)
 */
public record SessionConfig(
        String model,
        ResponseModality responseModality,
        String voice,
        String languageCode,
        String systemInstruction,
        Double temperature,
        Integer maxOutputTokens,
        boolean inputTranscription,
        boolean outputTranscription,
        RealtimeInputConfig realtimeInputConfig,
        List<Tool> tools,
        List<Content> initialHistory,
        GeminiOptions gemini,
        OpenAiOptions openai) {

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

    /**
     * Options only Gemini Live has; other providers refuse a config that sets any (before connecting). Set through the {@link Builder}'s methods of the same
     * names.
     *
     * @param topP                     0..1
     * @param topK                     ≥ 1
     * @param seed                     sampling seed
     * @param resumption               ask for resumption handles
     * @param resumptionHandle         resume this earlier session (implies {@code resumption})
     * @param contextWindowCompression sliding-window compression, or null
     * @param mediaResolution          token cost per video frame
     * @param thinkingBudget           thinking tokens (2.5 models; 0 disables, -1 dynamic); exclusive with {@code thinkingLevel}
     * @param thinkingLevel            thinking level (3.x models)
     * @param includeThoughts          stream thought text ({@link LiveEvent.TextDelta#thought()})
     * @param affectiveDialog          native audio: adapt tone to the user's emotion
     * @param proactiveAudio           native audio: let the model stay silent on irrelevant input
     * @param setupOverride            escape hatch applied last to the wire setup, for fields this record does not
     *                                 cover (language hints…); not validated; may be null
     */
    public record GeminiOptions(
            Double topP,
            Integer topK,
            Integer seed,
            boolean resumption,
            String resumptionHandle,
            ContextWindowCompression contextWindowCompression,
            MediaResolution mediaResolution,
            Integer thinkingBudget,
            ThinkingLevel thinkingLevel,
            Boolean includeThoughts,
            boolean affectiveDialog,
            boolean proactiveAudio,
            UnaryOperator<ClientMessage.Setup> setupOverride) {

        /** No Gemini option set. */
        public static final GeminiOptions NONE =
                new GeminiOptions(null, null, null, false, null, null, null, null, null, null, false, false, null);

        public GeminiOptions {
            checkRange("topP", topP, 0, 1);
            if (topK != null && topK < 1) {
                throw new IllegalArgumentException("topK must be >= 1, was " + topK);
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
            if (resumptionHandle != null) {
                if (resumptionHandle.isBlank()) {
                    throw new IllegalArgumentException("resumptionHandle must not be blank (use null for a fresh session)");
                }
                resumption = true;
            }
        }
    }

    /**
     * Options only OpenAI Realtime has. Set through the {@link Builder}'s methods of the same names. The Gemini provider
     * refuses a config that sets any (before connecting), as the OpenAI provider refuses Gemini options.
     *
     * @param semanticVad        turn detection by OpenAI's semantic VAD with this eagerness, instead of the
     *                           {@code server_vad} that {@link SessionConfig#realtimeInputConfig()} describes; null = off
     * @param transcriptionModel the model transcribing the user's audio when {@link SessionConfig#inputTranscription()}
     *                           is on; null = {@code gpt-4o-mini-transcribe}
     * @param noiseReduction     input noise reduction; null = none (the service's default)
     * @param speed              speech speed 0.25..1.5; null = the service's default (1.0)
     */
    public record OpenAiOptions(Eagerness semanticVad, String transcriptionModel, NoiseReduction noiseReduction, Double speed) {
        /** No OpenAI option set. */
        public static final OpenAiOptions NONE = new OpenAiOptions(null, null, null, null);

        /** How eagerly semantic VAD ends the user's turn. */
        public enum Eagerness { LOW, MEDIUM, HIGH, AUTO }

        /** Input noise reduction for close-talking (headset) or far-field (laptop, room) microphones. */
        public enum NoiseReduction { NEAR_FIELD, FAR_FIELD }

        public OpenAiOptions {
            checkRange("speed", speed, 0.25, 1.5);
            if (transcriptionModel != null && transcriptionModel.isBlank()) {
                throw new IllegalArgumentException("transcriptionModel must not be blank (use null for the default)");
            }
        }
    }

    public SessionConfig {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must not be empty");
        }
        model = model.strip();
        gemini = gemini == null ? GeminiOptions.NONE : gemini;
        openai = openai == null ? OpenAiOptions.NONE : openai;
        if (responseModality != null && responseModality != ResponseModality.TEXT && responseModality != ResponseModality.AUDIO) {
            throw new IllegalArgumentException("responseModality must be TEXT or AUDIO, was " + responseModality);
        }
        // Gemini's families are recognised by their ids; any other id is HALF_CASCADE here, which allows TEXT.
        ModelFamily family = ModelFamily.of(model);
        if (responseModality == ResponseModality.TEXT && !family.supportsTextOutput()) {
            throw new UnsupportedByModelException(model, family, family.textOutputRefusal(model));
        }
        if (voice != null) {
            voice = Voices.isKnown(voice) ? Voices.canonical(voice) : voice.strip();
            if (voice.isEmpty()) {
                throw new IllegalArgumentException("voice must not be blank (use null for the default voice)");
            }
        }
        if (languageCode != null && !LANGUAGE.matcher(languageCode).matches()) {
            throw new IllegalArgumentException("languageCode must be a BCP-47 tag like en-US, was '" + languageCode + "'");
        }
        checkRange("temperature", temperature, 0, 2);
        if (maxOutputTokens != null && maxOutputTokens < 1) {
            throw new IllegalArgumentException("maxOutputTokens must be >= 1, was " + maxOutputTokens);
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
        if (gemini.resumptionHandle() != null && !initialHistory.isEmpty()) {
            throw new IllegalArgumentException("initialHistory and resumptionHandle exclude each other: a resumed session "
                    + "already has its history");
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
     * coming). This is what a reconnect after {@code goAway} uses (Gemini).
     */
    public SessionConfig withResumptionHandle(String handle) {
        return with(b -> b.resumption(true).resumptionHandle(handle).initialHistory(List.of()));
    }

    // ---- Gemini options, read through the config (the form every caller used before they were grouped) ----------

    /** {@link GeminiOptions#topP()}. */
    public Double topP() { return gemini.topP(); }
    /** {@link GeminiOptions#topK()}. */
    public Integer topK() { return gemini.topK(); }
    /** {@link GeminiOptions#seed()}. */
    public Integer seed() { return gemini.seed(); }
    /** {@link GeminiOptions#resumption()}. */
    public boolean resumption() { return gemini.resumption(); }
    /** {@link GeminiOptions#resumptionHandle()}. */
    public String resumptionHandle() { return gemini.resumptionHandle(); }
    /** {@link GeminiOptions#contextWindowCompression()}. */
    public ContextWindowCompression contextWindowCompression() { return gemini.contextWindowCompression(); }
    /** {@link GeminiOptions#mediaResolution()}. */
    public MediaResolution mediaResolution() { return gemini.mediaResolution(); }
    /** {@link GeminiOptions#thinkingBudget()}. */
    public Integer thinkingBudget() { return gemini.thinkingBudget(); }
    /** {@link GeminiOptions#thinkingLevel()}. */
    public ThinkingLevel thinkingLevel() { return gemini.thinkingLevel(); }
    /** {@link GeminiOptions#includeThoughts()}. */
    public Boolean includeThoughts() { return gemini.includeThoughts(); }
    /** {@link GeminiOptions#affectiveDialog()}. */
    public boolean affectiveDialog() { return gemini.affectiveDialog(); }
    /** {@link GeminiOptions#proactiveAudio()}. */
    public boolean proactiveAudio() { return gemini.proactiveAudio(); }
    /** {@link GeminiOptions#setupOverride()}. */
    public UnaryOperator<ClientMessage.Setup> setupOverride() { return gemini.setupOverride(); }

    /**
     * The Gemini rules of this config's model ({@link ModelFamily#of(String)}). Provider-neutral callers ask
     * {@link LiveSession#capabilities()} instead.
     */
    public ModelFamily modelFamily() {
        return ModelFamily.of(model);
    }

    /**
     * True for Gemini models that generate audio natively and therefore refuse {@code TEXT} output (the native-audio
     * 2.5 models and the Gemini 3 Live models): {@code !ModelFamily.of(model).supportsTextOutput()}.
     */
    public static boolean isNativeAudioModel(String model) {
        return model != null && !ModelFamily.of(model).supportsTextOutput();
    }

    /**
     * The Gemini message that carries {@link #initialHistory()}, or null if there is none: {@code clientContent} with
     * {@code turnComplete:true} on families that announce it with {@code historyConfig} (it ends the history phase
     * without asking for an answer), {@code turnComplete:false} on the others (true would ask for an answer).
     */
    public ClientMessage.ClientContent initialHistoryMessage() {
        return GeminiSetup.initialHistoryMessage(this);
    }

    /**
     * The Gemini wire {@code setup} message of this config (the Gemini provider's mapping).
     *
     * @param modelResourceName the model as the endpoint wants it ({@code models/…} on the Gemini API, the full
     *                          {@code projects/…/models/…} name on Vertex)
     */
    public ClientMessage.Setup toSetup(String modelResourceName) {
        return GeminiSetup.setup(this, Objects.requireNonNull(modelResourceName, "modelResourceName"));
    }

    /** Mutable builder; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private String model;
        private ResponseModality responseModality;
        private String voice;
        private String languageCode;
        private String systemInstruction;
        private Double temperature;
        private Integer maxOutputTokens;
        private boolean inputTranscription;
        private boolean outputTranscription;
        private RealtimeInputConfig realtimeInputConfig;
        private List<Tool> tools = List.of();
        private List<Content> initialHistory = List.of();
        // Gemini options
        private Double topP;
        private Integer topK;
        private Integer seed;
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
        private OpenAiOptions openai = OpenAiOptions.NONE;

        Builder() {}

        Builder(SessionConfig c) {
            model = c.model;
            responseModality = c.responseModality;
            voice = c.voice;
            languageCode = c.languageCode;
            systemInstruction = c.systemInstruction;
            temperature = c.temperature;
            maxOutputTokens = c.maxOutputTokens;
            inputTranscription = c.inputTranscription;
            outputTranscription = c.outputTranscription;
            realtimeInputConfig = c.realtimeInputConfig;
            tools = c.tools;
            initialHistory = c.initialHistory;
            gemini(c.gemini);
            openai = c.openai;
        }

        public Builder model(String model) { this.model = model; return this; }
        public Builder responseModality(ResponseModality m) { this.responseModality = m; return this; }
        public Builder voice(String voice) { this.voice = voice; return this; }
        public Builder languageCode(String languageCode) { this.languageCode = languageCode; return this; }
        public Builder systemInstruction(String text) { this.systemInstruction = text; return this; }
        public Builder temperature(Double t) { this.temperature = t; return this; }
        public Builder maxOutputTokens(Integer n) { this.maxOutputTokens = n; return this; }
        public Builder inputTranscription(boolean on) { this.inputTranscription = on; return this; }
        public Builder outputTranscription(boolean on) { this.outputTranscription = on; return this; }
        public Builder realtimeInputConfig(RealtimeInputConfig c) { this.realtimeInputConfig = c; return this; }
        public Builder tools(List<Tool> tools) { this.tools = tools == null ? List.of() : tools; return this; }
        /**
         * Turns ({@code user}/{@code model}) the conversation starts from, sent right after setup; null or empty = none.
         * The only way to give a Gemini 3 Live model earlier turns (it refuses {@code clientContent} mid-session).
         */
        public Builder initialHistory(List<Content> turns) { this.initialHistory = turns == null ? List.of() : turns; return this; }

        // ---- Gemini options ({@link GeminiOptions}) --------------------------------------------------------------

        /** Sets every Gemini option at once (null = none). */
        public Builder gemini(GeminiOptions g) {
            GeminiOptions o = g == null ? GeminiOptions.NONE : g;
            topP = o.topP();
            topK = o.topK();
            seed = o.seed();
            resumption = o.resumption();
            resumptionHandle = o.resumptionHandle();
            contextWindowCompression = o.contextWindowCompression();
            mediaResolution = o.mediaResolution();
            thinkingBudget = o.thinkingBudget();
            thinkingLevel = o.thinkingLevel();
            includeThoughts = o.includeThoughts();
            affectiveDialog = o.affectiveDialog();
            proactiveAudio = o.proactiveAudio();
            setupOverride = o.setupOverride();
            return this;
        }
        public Builder topP(Double p) { this.topP = p; return this; }
        public Builder topK(Integer k) { this.topK = k; return this; }
        public Builder seed(Integer seed) { this.seed = seed; return this; }
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

        // ---- OpenAI Realtime options ({@link OpenAiOptions}) -----------------------------------------------------

        /** Sets every OpenAI option at once (null = none). */
        public Builder openai(OpenAiOptions o) { this.openai = o == null ? OpenAiOptions.NONE : o; return this; }
        /** OpenAI: semantic VAD with this eagerness instead of server VAD (null = off). */
        public Builder semanticVad(OpenAiOptions.Eagerness eagerness) {
            openai = new OpenAiOptions(eagerness, openai.transcriptionModel(), openai.noiseReduction(), openai.speed());
            return this;
        }
        /** OpenAI: the input transcription model (null = the default). */
        public Builder transcriptionModel(String model) {
            openai = new OpenAiOptions(openai.semanticVad(), model, openai.noiseReduction(), openai.speed());
            return this;
        }
        /** OpenAI: input noise reduction (null = none). */
        public Builder noiseReduction(OpenAiOptions.NoiseReduction nr) {
            openai = new OpenAiOptions(openai.semanticVad(), openai.transcriptionModel(), nr, openai.speed());
            return this;
        }
        /** OpenAI: speech speed 0.25..1.5 (null = default). */
        public Builder speed(Double speed) {
            openai = new OpenAiOptions(openai.semanticVad(), openai.transcriptionModel(), openai.noiseReduction(), speed);
            return this;
        }

        /** Validates and builds. */
        public SessionConfig build() {
            GeminiOptions g = new GeminiOptions(topP, topK, seed, resumption, resumptionHandle, contextWindowCompression,
                    mediaResolution, thinkingBudget, thinkingLevel, includeThoughts, affectiveDialog, proactiveAudio,
                    setupOverride);
            return new SessionConfig(model, responseModality, voice, languageCode, systemInstruction, temperature,
                    maxOutputTokens, inputTranscription, outputTranscription, realtimeInputConfig, tools, initialHistory,
                    g.equals(GeminiOptions.NONE) ? GeminiOptions.NONE : g,
                    openai.equals(OpenAiOptions.NONE) ? OpenAiOptions.NONE : openai);
        }
    }
}
