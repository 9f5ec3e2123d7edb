package dev.habla.realtime;

/** {@code audio.input.noise_reduction}: {@code near_field} or {@code far_field}, or {@link #NONE} (JSON null). */
public record NoiseReduction(String type) {
    public static final NoiseReduction NONE = new NoiseReduction(null);

    public boolean isNone() {
        return type == null;
    }
}
