package dev.habla.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.habla.realtime.AudioConfig;
import dev.habla.realtime.AudioFormat;
import dev.habla.realtime.NoiseReduction;
import dev.habla.realtime.RealtimeProtocolException;
import dev.habla.realtime.Session;
import dev.habla.realtime.Tool;
import dev.habla.realtime.Transcription;
import dev.habla.realtime.TurnDetection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The effective configuration of one OpenAI Realtime session, as the service keeps it: starts from the live defaults
 * (docs/openai-realtime.md §5.1), changed by {@code session.update} partially (only present fields), an invalid update
 * refused whole, and written back in full for {@code session.updated}. Not thread-safe: owned by one connection, used
 * under its lock.
 */
final class RealtimeSettings {
    static final Set<String> VOICES = Set.of("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse",
            "marin", "cedar");
    /** Session fields the service accepts that the emulator keeps without interpreting. */
    private static final Set<String> PASSED_THROUGH = Set.of("truncation", "include", "prompt", "parallel_tool_calls",
            "reasoning", "temperature", "object");
    static final TurnDetection DEFAULT_VAD = new TurnDetection("server_vad", 0.5, 300, 500, null, true, true, null);

    final String id;
    final long expiresAt;
    String model;
    String instructions = "";
    List<String> outputModalities = List.of("audio");
    AudioFormat inputFormat = AudioFormat.PCM_24K;
    AudioFormat outputFormat = AudioFormat.PCM_24K;
    String voice = "alloy";
    double speed = 1.0;
    NoiseReduction noiseReduction = NoiseReduction.NONE;
    Transcription transcription = Transcription.NONE;
    TurnDetection turnDetection = DEFAULT_VAD;
    List<Tool> tools = List.of();
    JsonNode toolChoice = TextNode.valueOf("auto");
    JsonNode maxOutputTokens = TextNode.valueOf("inf");
    JsonNode tracing = NullNode.getInstance();
    final Map<String, JsonNode> extra = new LinkedHashMap<>();

    RealtimeSettings(String id, String model, long expiresAt) {
        this.id = id;
        this.model = model;
        this.expiresAt = expiresAt;
        extra.put("truncation", TextNode.valueOf("auto"));
        extra.put("prompt", NullNode.getInstance());
        extra.put("include", NullNode.getInstance());
    }

    boolean audioOut() {
        return outputModalities.contains("audio");
    }

    /** Manual turns: {@code turn_detection: null}. */
    boolean manualTurns() {
        return turnDetection.isNone();
    }

    /**
     * Applies a partial update, or throws (with the service's code and param) and changes nothing.
     *
     * @param audioSent whether the session already produced audio (the voice is then fixed)
     */
    void apply(Session s, boolean audioSent) {
        validate(s, audioSent);
        if (s.model() != null) {
            model = s.model();
        }
        if (s.instructions() != null) {
            instructions = s.instructions();
        }
        if (s.outputModalities() != null) {
            outputModalities = List.copyOf(s.outputModalities());
        }
        if (s.audio() != null) {
            AudioConfig.Input in = s.audio().input();
            if (in != null) {
                inputFormat = in.format() != null ? in.format() : inputFormat;
                noiseReduction = in.noiseReduction() != null ? in.noiseReduction() : noiseReduction;
                transcription = in.transcription() != null ? in.transcription() : transcription;
                if (in.turnDetection() != null) {
                    turnDetection = withDefaults(in.turnDetection());
                }
            }
            AudioConfig.Output out = s.audio().output();
            if (out != null) {
                outputFormat = out.format() != null ? out.format() : outputFormat;
                voice = out.voice() != null ? out.voice() : voice;
                speed = out.speed() != null ? out.speed() : speed;
            }
        }
        if (s.tools() != null) {
            tools = List.copyOf(s.tools());
        }
        if (s.toolChoice() != null) {
            toolChoice = s.toolChoice();
        }
        if (s.maxOutputTokens() != null) {
            maxOutputTokens = s.maxOutputTokens();
        }
        if (s.tracing() != null) {
            tracing = s.tracing();
        }
        extra.putAll(s.extra());
        extra.remove("object");
    }

    /** The server fills what the client left out, so {@code session.updated} shows the effective values. */
    private static TurnDetection withDefaults(TurnDetection t) {
        if (t.isNone()) {
            return t;
        }
        boolean server = t.type().equals("server_vad");
        return new TurnDetection(t.type(),
                server ? (t.threshold() != null ? t.threshold() : 0.5) : null,
                server ? (t.prefixPaddingMs() != null ? t.prefixPaddingMs() : 300) : null,
                server ? (t.silenceDurationMs() != null ? t.silenceDurationMs() : 500) : null,
                server ? t.idleTimeoutMs() : null,
                t.createResponse() != null ? t.createResponse() : true,
                t.interruptResponse() != null ? t.interruptResponse() : true,
                server ? null : (t.eagerness() != null ? t.eagerness() : "auto"));
    }

    private void validate(Session s, boolean audioSent) {
        if (s.type() != null && !s.type().equals("realtime")) {
            throw invalid("session.type", "Invalid value: '" + s.type() + "'. This session is a 'realtime' session.");
        }
        for (String key : s.extra().keySet()) {
            if (!PASSED_THROUGH.contains(key)) {
                throw new RealtimeProtocolException("unknown_parameter", "session." + key,
                        "Unknown parameter: 'session." + key + "'.");
            }
        }
        if (s.outputModalities() != null) {
            List<String> m = s.outputModalities();
            if (m.size() != 1 || !(m.get(0).equals("audio") || m.get(0).equals("text"))) {
                throw invalid("session.output_modalities",
                        "Invalid value: " + m + ". Supported combinations are: ['text'] and ['audio'].");
            }
        }
        if (s.audio() != null) {
            if (s.audio().input() != null) {
                checkFormat(s.audio().input().format(), "session.audio.input.format");
                TurnDetection t = s.audio().input().turnDetection();
                if (t != null && !t.isNone() && !t.type().equals("server_vad") && !t.type().equals("semantic_vad")) {
                    throw invalid("session.audio.input.turn_detection.type", "Invalid value: '" + t.type()
                            + "'. Supported values are: 'server_vad' and 'semantic_vad'.");
                }
                NoiseReduction nr = s.audio().input().noiseReduction();
                if (nr != null && !nr.isNone() && !("near_field".equals(nr.type()) || "far_field".equals(nr.type()))) {
                    throw invalid("session.audio.input.noise_reduction.type", "Invalid value: '" + nr.type()
                            + "'. Supported values are: 'near_field' and 'far_field'.");
                }
            }
            AudioConfig.Output out = s.audio().output();
            if (out != null) {
                checkFormat(out.format(), "session.audio.output.format");
                if (out.voice() != null && !out.voice().equals(voice)) {
                    if (audioSent) {
                        throw new RealtimeProtocolException("cannot_update_voice", "session.audio.output.voice",
                                "Cannot update a conversation's voice if assistant audio is present.");
                    }
                    if (!VOICES.contains(out.voice())) {
                        throw invalid("session.audio.output.voice", "Invalid value: '" + out.voice()
                                + "'. Supported values are: " + String.join(", ", VOICES.stream().sorted().toList()) + ".");
                    }
                }
                if (out.speed() != null && (out.speed() < 0.25 || out.speed() > 1.5)) {
                    throw new RealtimeProtocolException(out.speed() < 0.25 ? "decimal_below_min_value" : "decimal_above_max_value",
                            "session.audio.output.speed", "Invalid 'session.audio.output.speed': expected a value between 0.25 and 1.5.");
                }
            }
        }
        if (s.tools() != null) {
            for (int i = 0; i < s.tools().size(); i++) {
                Tool t = s.tools().get(i);
                if ("function".equals(t.type()) && (t.name() == null || t.name().isBlank())) {
                    throw new RealtimeProtocolException("missing_required_parameter", "session.tools[" + i + "].name",
                            "Missing required parameter: 'session.tools[" + i + "].name'.");
                }
            }
        }
        if (s.tracing() != null && !tracing.isNull() && !s.tracing().equals(tracing)) {
            throw invalid("session.tracing", "Tracing cannot be modified once enabled.");
        }
    }

    private static void checkFormat(AudioFormat f, String param) {
        if (f == null) {
            return;
        }
        switch (f.type() == null ? "" : f.type()) {
            case "audio/pcm" -> {
                if (f.rate() != null && f.rate() < 24000) {
                    throw new RealtimeProtocolException("integer_below_min_value", param + ".rate",
                            "Invalid '" + param + ".rate': integer below minimum value. Expected a value >= 24000, but got "
                                    + f.rate() + " instead.");
                }
                if (f.rate() != null && f.rate() > 24000) {
                    throw new RealtimeProtocolException("integer_above_max_value", param + ".rate",
                            "Invalid '" + param + ".rate': integer above maximum value. Expected a value <= 24000, but got "
                                    + f.rate() + " instead.");
                }
            }
            case "audio/pcmu", "audio/pcma" -> { }
            default -> throw invalid(param + ".type", "Invalid value: '" + f.type()
                    + "'. Supported values are: 'audio/pcm', 'audio/pcmu', and 'audio/pcma'.");
        }
    }

    private static RealtimeProtocolException invalid(String param, String message) {
        return new RealtimeProtocolException("invalid_value", param, message);
    }

    /** The full effective session, for {@code session.created} / {@code session.updated}. */
    Session toSession() {
        AudioFormat in = inputFormat.type().equals("audio/pcm") ? AudioFormat.PCM_24K : inputFormat;
        AudioFormat out = outputFormat.type().equals("audio/pcm") ? AudioFormat.PCM_24K : outputFormat;
        var audio = new AudioConfig(new AudioConfig.Input(in, noiseReduction, transcription, turnDetection),
                new AudioConfig.Output(out, voice, speed));
        return new Session("realtime", id, model, instructions, outputModalities, audio, tools, toolChoice,
                maxOutputTokens, tracing, expiresAt, extra);
    }
}
