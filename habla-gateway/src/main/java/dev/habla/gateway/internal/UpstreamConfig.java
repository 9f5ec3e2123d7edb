package dev.habla.gateway.internal;

import dev.habla.client.SessionConfig;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.GenerationConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Tool;
import java.util.ArrayList;
import java.util.List;

/**
 * A Live client's {@code setup} as the provider-neutral {@link SessionConfig} of an upstream that does not speak the
 * Live wire (OpenAI Realtime): model (without {@code models/}), response modality, voice, language, system
 * instruction, sampling, transcription, turn detection, tools (the client's, then the gateway's). What the upstream
 * provider cannot honour (a temperature, Gemini-only settings) is refused by its check when the session connects.
 * Gemini upstreams get the client's setup as is instead ({@code setupOverride}).
 */
final class UpstreamConfig {
    private UpstreamConfig() {}

    static SessionConfig neutral(ClientMessage.Setup setup, List<Tool> serverTools) {
        GenerationConfig g = setup.generationConfig() == null ? GenerationConfig.EMPTY : setup.generationConfig();
        String model = setup.model() == null ? "" : setup.model().replaceFirst("^models/", "");
        List<Tool> tools = new ArrayList<>(setup.tools() == null ? List.of() : setup.tools());
        tools.addAll(serverTools);
        return SessionConfig.create(b -> {
            b.model(model).tools(tools).temperature(g.temperature()).maxOutputTokens(g.maxOutputTokens())
                    .realtimeInputConfig(setup.realtimeInputConfig())
                    .inputTranscription(setup.inputAudioTranscription() != null)
                    .outputTranscription(setup.outputAudioTranscription() != null);
            if (g.responseModalities() != null && !g.responseModalities().isEmpty()) {
                b.responseModality(g.responseModalities().getFirst() == ResponseModality.TEXT
                        ? ResponseModality.TEXT : ResponseModality.AUDIO);
            }
            var speech = g.speechConfig();
            if (speech != null && speech.voiceConfig() != null && speech.voiceConfig().prebuiltVoiceConfig() != null) {
                b.voice(speech.voiceConfig().prebuiltVoiceConfig().voiceName());
            }
            if (speech != null && speech.languageCode() != null) {
                b.languageCode(speech.languageCode());
            }
            Content system = setup.systemInstruction();
            if (system != null && system.parts() != null) {
                StringBuilder text = new StringBuilder();
                system.parts().forEach(p -> text.append(p.text() == null ? "" : p.text()));
                b.systemInstruction(text.toString());
            }
        });
    }
}
