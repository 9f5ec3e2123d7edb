package dev.habla.client;

import dev.habla.protocol.ResponseModality;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a family of Gemini Live models accepts on the wire: Gemini's capability table (live-protocol.md §3.1, §3.2, the
 * model table in §7), the one place where the Gemini provider decides model-dependent behaviour. Callers ask
 * {@link LiveSession#capabilities()} (which the Gemini provider derives from this table) instead of testing model
 * names or families.
 *
 * <table>
 *   <caption>Rules per family</caption>
 *   <tr><th></th><th>{@link #HALF_CASCADE}</th><th>{@link #NATIVE_AUDIO}</th><th>{@link #GEMINI_3_LIVE}</th></tr>
 *   <tr><td>TEXT output</td><td>yes (default)</td><td>no (close 1007)</td><td>no (close 1011)</td></tr>
 *   <tr><td>{@link LiveSession#sendText} sends</td><td>{@code clientContent}, {@code turnComplete:true}</td>
 *       <td>{@code clientContent}, {@code turnComplete:true}</td><td>{@code realtimeInput.text}</td></tr>
 *   <tr><td>{@code clientContent} mid-session</td><td>yes</td><td>yes</td><td>no (close 1007)</td></tr>
 *   <tr><td>{@link SessionConfig#initialHistory() initial history}</td>
 *       <td>{@code clientContent}, {@code turnComplete:false}</td><td>{@code clientContent}, {@code turnComplete:false}</td>
 *       <td>{@code historyConfig.initialHistoryInClientContent} in the setup, then {@code clientContent} with
 *       {@code turnComplete:true} (ends the history phase; the server does not answer it)</td></tr>
 * </table>
 *
 * <p>Families are recognised from the model id (the part after the last {@code /}, so Vertex resource names work):
 * {@code gemini-N…-live…} with N ≥ 3 is {@link #GEMINI_3_LIVE} (today {@code gemini-3.1-flash-live-preview}; later 3.x
 * Live models are assumed to keep its rules until documented otherwise); ids containing {@code native-audio} are
 * {@link #NATIVE_AUDIO}; anything else is {@link #HALF_CASCADE}.
 */
public enum ModelFamily {
    /** Half-cascade Live models ({@code gemini-2.0-flash-live-001}, {@code gemini-live-2.5-flash-preview}…). */
    HALF_CASCADE,
    /** Gemini 2.5 native-audio models: audio output only. */
    NATIVE_AUDIO,
    /**
     * Gemini 3.x Live models ({@code gemini-3.1-flash-live-preview}): audio output only; typed text is realtime input;
     * {@code clientContent} only as initial history under {@code historyConfig}.
     */
    GEMINI_3_LIVE;

    private static final Pattern GEMINI_MAJOR = Pattern.compile("gemini-(\\d+)(?:\\.\\d+)?-.*");

    /** The family of a model id ({@code gemini-…}, {@code models/gemini-…} or a Vertex resource name). */
    public static ModelFamily of(String model) {
        if (model == null) {
            return HALF_CASCADE;
        }
        String m = model.strip().toLowerCase(Locale.ROOT);
        String id = m.substring(m.lastIndexOf('/') + 1);
        Matcher major = GEMINI_MAJOR.matcher(id);
        if (major.matches() && id.contains("live") && Integer.parseInt(major.group(1)) >= 3) {
            return GEMINI_3_LIVE;
        }
        return id.contains("native-audio") ? NATIVE_AUDIO : HALF_CASCADE;
    }

    /** Whether {@code responseModalities: ["TEXT"]} is accepted. */
    public boolean supportsTextOutput() {
        return this == HALF_CASCADE;
    }

    /** The modality the server answers in when the config sets none. */
    public ResponseModality defaultResponseModality() {
        return this == HALF_CASCADE ? ResponseModality.TEXT : ResponseModality.AUDIO;
    }

    /**
     * Whether {@link LiveSession#sendText} goes as {@code realtimeInput.text} (no explicit end of turn: the server's
     * turn detection decides when to answer) rather than as a {@code clientContent} turn with {@code turnComplete:true}.
     */
    public boolean typedTextAsRealtimeInput() {
        return this == GEMINI_3_LIVE;
    }

    /** Whether {@code clientContent} may be sent at any time (false: only as initial history, see the class doc). */
    public boolean acceptsClientContentMidSession() {
        return this != GEMINI_3_LIVE;
    }

    /**
     * Whether initial history needs {@code historyConfig.initialHistoryInClientContent: true} in the setup; it then
     * ends with {@code turnComplete: true}, which closes the history phase without asking for an answer. Other families
     * take history as {@code clientContent} with {@code turnComplete: false} (true would ask for an answer).
     */
    public boolean initialHistoryNeedsHistoryConfig() {
        return this == GEMINI_3_LIVE;
    }

    /** Why TEXT output is refused, for error messages; null if it is not. */
    String textOutputRefusal(String model) {
        return switch (this) {
            case HALF_CASCADE -> null;
            case NATIVE_AUDIO -> "responseModality TEXT is not supported by native-audio model '" + model
                    + "' (the server closes 1007): use AUDIO with outputTranscription(true), or a half-cascade model";
            case GEMINI_3_LIVE -> "responseModality TEXT is not supported by Gemini 3 Live model '" + model
                    + "' (the server closes 1011): use AUDIO with outputTranscription(true)";
        };
    }
}
