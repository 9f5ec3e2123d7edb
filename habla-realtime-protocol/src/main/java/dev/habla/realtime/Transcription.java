package dev.habla.realtime;

/**
 * {@code audio.input.transcription}: the transcription model and hints, or {@link #NONE} (JSON {@code null}: off).
 */
public record Transcription(String model, String language, String prompt) {
    /** Transcription off: written as {@code "transcription":null}. */
    public static final Transcription NONE = new Transcription(null, null, null);

    public static Transcription model(String model) {
        return new Transcription(model, null, null);
    }

    public boolean isNone() {
        return model == null && language == null && prompt == null;
    }
}
