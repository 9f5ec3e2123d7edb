package dev.habla.protocol;

/** How realtime input is segmented into turns (server VAD or manual activity signals). */
@ProtoName("RealtimeInputConfig")
public record RealtimeInputConfig(
        RealtimeInputConfig.AutomaticActivityDetection automaticActivityDetection,
        ActivityHandling activityHandling,
        TurnCoverage turnCoverage) {
    /** Server-side voice activity detection settings. */
    @ProtoName("RealtimeInputConfig.AutomaticActivityDetection")
    public record AutomaticActivityDetection(Boolean disabled, StartSensitivity startOfSpeechSensitivity, Integer prefixPaddingMs,
            EndSensitivity endOfSpeechSensitivity, Integer silenceDurationMs) {}

    /** Start-of-speech sensitivity. */
    public enum StartSensitivity { START_SENSITIVITY_UNSPECIFIED, START_SENSITIVITY_HIGH, START_SENSITIVITY_LOW, UNRECOGNIZED }

    /** End-of-speech sensitivity. */
    public enum EndSensitivity { END_SENSITIVITY_UNSPECIFIED, END_SENSITIVITY_HIGH, END_SENSITIVITY_LOW, UNRECOGNIZED }

    /** Whether user activity interrupts the model. */
    public enum ActivityHandling { ACTIVITY_HANDLING_UNSPECIFIED, START_OF_ACTIVITY_INTERRUPTS, NO_INTERRUPTION, UNRECOGNIZED }

    /** What input counts into a user turn. {@code TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO} is newer than the v1beta proto. */
    public enum TurnCoverage { TURN_COVERAGE_UNSPECIFIED, TURN_INCLUDES_ONLY_ACTIVITY, TURN_INCLUDES_ALL_INPUT, TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO, UNRECOGNIZED }
}
