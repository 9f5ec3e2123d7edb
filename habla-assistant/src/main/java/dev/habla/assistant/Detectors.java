package dev.habla.assistant;

import dev.habla.voice.EnergyVad;
import dev.habla.voice.SileroVad;
import dev.habla.voice.VoiceActivityDetector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Local voice-activity detectors for {@link VoiceLoopConfig.Builder#detector}. */
public final class Detectors {

    private static final Logger log = LoggerFactory.getLogger(Detectors.class);

    private Detectors() {
    }

    /**
     * Silero v5 (bundled with habla-voice; onnxruntime), or, if the native runtime cannot load on this platform, an
     * {@link EnergyVad} with a warning: the loop still works, with a detector that cannot tell speech from noise.
     */
    public static VoiceActivityDetector silero() {
        try {
            return SileroVad.create();
        } catch (RuntimeException | LinkageError e) {
            log.warn("Silero VAD unavailable ({}); using the energy detector", e.toString());
            return new EnergyVad();
        }
    }

    /** The energy detector (no native code; loud non-speech counts as speech). */
    public static VoiceActivityDetector energy() {
        return new EnergyVad();
    }
}
