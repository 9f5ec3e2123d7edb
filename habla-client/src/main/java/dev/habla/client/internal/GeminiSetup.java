package dev.habla.client.internal;

import dev.habla.client.ModelFamily;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ClientMessage.AudioTranscriptionConfig;
import dev.habla.protocol.ClientMessage.ContextWindowCompressionConfig;
import dev.habla.protocol.ClientMessage.ProactivityConfig;
import dev.habla.protocol.ClientMessage.SessionResumptionConfig;
import dev.habla.protocol.Content;
import dev.habla.protocol.GenerationConfig;
import dev.habla.protocol.GenerationConfig.ThinkingConfig;
import dev.habla.protocol.SpeechConfig;
import java.util.List;
import java.util.Objects;

/**
 * The Gemini wire form of a {@link SessionConfig}: the {@code setup} message and the initial-history message as the
 * model's {@link ModelFamily} wants them. Stateless; public only for {@link SessionConfig#toSetup}.
 */
public final class GeminiSetup {
    private GeminiSetup() {}

    /** The {@code setup} of {@code c} for the model named {@code modelResourceName} on the endpoint. */
    public static ClientMessage.Setup setup(SessionConfig c, String modelResourceName) {
        SessionConfig.GeminiOptions g = c.gemini();
        SpeechConfig speech = c.voice() == null && c.languageCode() == null ? null
                : new SpeechConfig(c.voice() == null ? null
                        : new SpeechConfig.VoiceConfig(new SpeechConfig.PrebuiltVoiceConfig(c.voice())), null, c.languageCode());
        ThinkingConfig thinking = g.thinkingBudget() == null && g.thinkingLevel() == null && g.includeThoughts() == null ? null
                : new ThinkingConfig(g.includeThoughts(), g.thinkingBudget(), g.thinkingLevel());
        GenerationConfig gc = new GenerationConfig(null, null, c.maxOutputTokens(), c.temperature(), g.topP(), g.topK(),
                g.seed(), null, null, null, null, null, null, null, null, null,
                c.responseModality() == null ? null : List.of(c.responseModality()),
                speech, thinking, null, g.mediaResolution(), g.affectiveDialog() ? Boolean.TRUE : null);
        if (gc.equals(GenerationConfig.EMPTY)) {
            gc = null;
        }
        Content instruction = c.systemInstruction() == null ? null : Content.text("user", c.systemInstruction());
        SessionConfig.ContextWindowCompression cwc = g.contextWindowCompression();
        ContextWindowCompressionConfig compression = cwc == null ? null
                : new ContextWindowCompressionConfig(cwc.triggerTokens(),
                        new ContextWindowCompressionConfig.SlidingWindow(cwc.targetTokens()));
        ClientMessage.Setup setup = new ClientMessage.Setup(
                modelResourceName,
                gc,
                instruction,
                c.tools().isEmpty() ? null : c.tools(),
                c.realtimeInputConfig(),
                g.resumption() ? new SessionResumptionConfig(g.resumptionHandle(), null) : null,
                compression,
                c.inputTranscription() ? AudioTranscriptionConfig.ENABLED : null,
                c.outputTranscription() ? AudioTranscriptionConfig.ENABLED : null,
                g.proactiveAudio() ? new ProactivityConfig(true) : null,
                !c.initialHistory().isEmpty() && c.modelFamily().initialHistoryNeedsHistoryConfig()
                        ? new ClientMessage.HistoryConfig(true) : null);
        return g.setupOverride() == null ? setup
                : Objects.requireNonNull(g.setupOverride().apply(setup), "setupOverride returned null");
    }

    /**
     * The message carrying the initial history, or null: {@code turnComplete:true} where the setup announced it with
     * {@code historyConfig} (ends the history phase without an answer), {@code false} elsewhere (true would ask for one).
     */
    public static ClientMessage.ClientContent initialHistoryMessage(SessionConfig c) {
        return c.initialHistory().isEmpty() ? null
                : new ClientMessage.ClientContent(c.initialHistory(), c.modelFamily().initialHistoryNeedsHistoryConfig());
    }
}
