package dev.habla.realtime;

/** {@code session.audio}: input and output settings; null members are absent on the wire. */
public record AudioConfig(Input input, Output output) {

    /**
     * {@code audio.input}. {@code noiseReduction}, {@code transcription} and {@code turnDetection} use their {@code
     * NONE} constants for an explicit JSON null.
     */
    public record Input(
            AudioFormat format, NoiseReduction noiseReduction, Transcription transcription, TurnDetection turnDetection) {}

    /** {@code audio.output}: {@code voice} is a name ({@code alloy}, {@code marin}...), {@code speed} 0.25-1.5. */
    public record Output(AudioFormat format, String voice, Double speed) {}
}
