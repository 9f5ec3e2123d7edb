package dev.habla.client;

import dev.habla.protocol.ResponseModality;
import java.util.List;
import java.util.Objects;

/**
 * What a session's provider and model accept, decided by the provider (for Gemini from {@link ModelFamily}): callers
 * ask {@link LiveSession#capabilities()} (or {@link LiveClient#capabilities(SessionConfig)} before connecting) instead
 * of testing model names or provider kinds.
 *
 * @param provider                      the provider's name ({@link Provider#name()})
 * @param model                         the model id the capabilities are for
 * @param modelKnown                    whether the provider knows this model (an unknown one is used as given, with a
 *                                      warning: services add models faster than libraries are released)
 * @param supportsTextOutput            whether {@code responseModality(TEXT)} is accepted
 * @param defaultResponseModality       what the server answers in when the config sets no modality
 * @param typedTextAsRealtimeInput      {@link LiveSession#sendText} goes as realtime text (the server's turn detection
 *                                      ends the turn) rather than as a completed content turn
 * @param clientContentMidSession       whether {@link LiveSession#sendClientContent} may be used at any time
 * @param initialHistoryViaHistoryConfig Gemini: initial history is announced in the setup ({@code historyConfig})
 * @param toolResponseNeedsIds          every function response must echo the id of its call
 * @param inputSampleRate               the PCM rate the service takes from the microphone (Hz)
 * @param outputSampleRate              the PCM rate of the audio it answers with (Hz)
 * @param voices                        the voice names the provider documents (others are sent as given, with a warning)
 */
public record Capabilities(
        String provider,
        String model,
        boolean modelKnown,
        boolean supportsTextOutput,
        ResponseModality defaultResponseModality,
        boolean typedTextAsRealtimeInput,
        boolean clientContentMidSession,
        boolean initialHistoryViaHistoryConfig,
        boolean toolResponseNeedsIds,
        int inputSampleRate,
        int outputSampleRate,
        List<String> voices) {

    public Capabilities {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(defaultResponseModality, "defaultResponseModality");
        if (inputSampleRate <= 0 || outputSampleRate <= 0) {
            throw new IllegalArgumentException("sample rates must be > 0, were " + inputSampleRate + "/" + outputSampleRate);
        }
        voices = voices == null ? List.of() : List.copyOf(voices);
    }

    /** Whether {@code name} is one of {@link #voices()}, in any letter case. */
    public boolean knowsVoice(String name) {
        return name != null && voices.stream().anyMatch(v -> v.equalsIgnoreCase(name.strip()));
    }
}
