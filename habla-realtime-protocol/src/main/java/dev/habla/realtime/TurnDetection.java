package dev.habla.realtime;

/**
 * {@code audio.input.turn_detection}: {@code server_vad} or {@code semantic_vad}, or {@link #NONE} for manual turns
 * (JSON {@code null} on the wire — distinct from a Java null field, which means "not sent"). Null components are
 * absent on the wire (the server applies its defaults).
 */
public record TurnDetection(
        String type,
        Double threshold,
        Integer prefixPaddingMs,
        Integer silenceDurationMs,
        Integer idleTimeoutMs,
        Boolean createResponse,
        Boolean interruptResponse,
        String eagerness) {

    /** Manual turns: written as {@code "turn_detection":null}. */
    public static final TurnDetection NONE = new TurnDetection(null, null, null, null, null, null, null, null);

    public static TurnDetection serverVad() {
        return new TurnDetection("server_vad", null, null, null, null, null, null, null);
    }

    public static TurnDetection semanticVad() {
        return new TurnDetection("semantic_vad", null, null, null, null, null, null, null);
    }

    public boolean isNone() {
        return type == null;
    }
}
