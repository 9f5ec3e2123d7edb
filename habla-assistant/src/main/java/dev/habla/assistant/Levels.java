package dev.habla.assistant;

/**
 * Recent signal levels for a level meter, in dBFS (0 = full scale; {@link Double#NEGATIVE_INFINITY} = digital
 * silence or nothing yet).
 *
 * @param micDbfs     RMS of the latest microphone frame (after conversion to 16 kHz mono)
 * @param speakerDbfs RMS of the latest piece written to the speaker, or -inf when nothing is playing
 */
public record Levels(double micDbfs, double speakerDbfs) {

    /** A bar of {@code width} characters for {@code dbfs} on a -60..0 dB scale, e.g. {@code ▮▮▮▮▯▯▯▯}. */
    public static String bar(double dbfs, int width) {
        double f = Double.isFinite(dbfs) ? Math.max(0, Math.min(1, (dbfs + 60) / 60)) : 0;
        int on = (int) Math.round(f * width);
        return "#".repeat(on) + ".".repeat(width - on);
    }
}
