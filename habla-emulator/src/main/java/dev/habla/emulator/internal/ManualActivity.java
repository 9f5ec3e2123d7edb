package dev.habla.emulator.internal;

/**
 * The open {@code activityStart}…{@code activityEnd} window of a connection with manual activity detection: whether
 * one is open, and the audio time and typed text it has gathered.
 *
 * <p>Owned by the connection's {@link Brain}: called only with the connection's lock held, so it needs no guarding.
 */
final class ManualActivity {
    private boolean inActivity;
    private long activityAudioMicros;
    private final StringBuilder activityText = new StringBuilder();

    boolean isOpen() {
        return inActivity;
    }

    void start() {
        inActivity = true;
        activityAudioMicros = 0;
        activityText.setLength(0);
    }

    void addText(String text) {
        activityText.append(activityText.isEmpty() ? "" : " ").append(text);
    }

    void addAudio(int bytes, int rate) {
        activityAudioMicros += (bytes / 2) * 1_000_000L / rate;
    }

    /** Closes the window; the caller reads {@link #audioMicros()} and {@link #text()} after it. */
    void end() {
        inActivity = false;
    }

    long audioMicros() {
        return activityAudioMicros;
    }

    String text() {
        return activityText.toString();
    }
}
