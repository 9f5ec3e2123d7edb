package dev.habla.assistant;

import dev.habla.protocol.RealtimeInputConfig;
import dev.habla.protocol.RealtimeInputConfig.ActivityHandling;
import dev.habla.protocol.RealtimeInputConfig.AutomaticActivityDetection;
import dev.habla.protocol.RealtimeInputConfig.EndSensitivity;
import dev.habla.protocol.RealtimeInputConfig.StartSensitivity;
import dev.habla.protocol.RealtimeInputConfig.TurnCoverage;
import java.util.function.Consumer;

/**
 * The server's voice-activity detection settings ({@code realtimeInputConfig}), exposed as they are on the wire.
 * Null means "unset: the server's default" and nothing is sent for that field.
 *
 * @param startSensitivity  how readily speech start is detected (HIGH: more, and earlier, starts)
 * @param endSensitivity    how readily speech end is detected (HIGH: ends sooner)
 * @param prefixPaddingMs   speech needed before a start is committed, ms
 * @param silenceDurationMs silence needed before an end is committed, ms
 * @param activityHandling  whether user activity interrupts the model (barge-in) or waits for the turn to end
 * @param turnCoverage      what input counts into a user turn
 */
public record ServerVad(StartSensitivity startSensitivity, EndSensitivity endSensitivity, Integer prefixPaddingMs,
                        Integer silenceDurationMs, ActivityHandling activityHandling, TurnCoverage turnCoverage) {

    /** Everything unset: the server's defaults (barge-in on). */
    public static final ServerVad DEFAULTS = new ServerVad(null, null, null, null, null, null);

    public ServerVad {
        if (prefixPaddingMs != null && prefixPaddingMs < 0) {
            throw new IllegalArgumentException("prefixPaddingMs must be >= 0, was " + prefixPaddingMs);
        }
        if (silenceDurationMs != null && silenceDurationMs < 0) {
            throw new IllegalArgumentException("silenceDurationMs must be >= 0, was " + silenceDurationMs);
        }
        if (startSensitivity == StartSensitivity.UNRECOGNIZED || endSensitivity == EndSensitivity.UNRECOGNIZED
                || activityHandling == ActivityHandling.UNRECOGNIZED || turnCoverage == TurnCoverage.UNRECOGNIZED) {
            throw new IllegalArgumentException("UNRECOGNIZED is a decoding placeholder, not a value to send");
        }
    }

    /** The defaults with {@code change} applied. */
    public static ServerVad create(Consumer<Builder> change) {
        Builder b = new Builder(DEFAULTS);
        change.accept(b);
        return b.build();
    }

    /**
     * The wire configuration for a loop in {@code mode}: with local turn detection ({@link VadMode#MANUAL},
     * {@link VadMode#PUSH_TO_TALK}) automatic detection is disabled and the sensitivities are not sent; activity
     * handling and turn coverage apply in every mode. Null when nothing needs to be sent.
     */
    public RealtimeInputConfig toRealtimeInputConfig(VadMode mode) {
        AutomaticActivityDetection aad;
        if (mode.serverDetects()) {
            aad = startSensitivity == null && endSensitivity == null && prefixPaddingMs == null && silenceDurationMs == null
                    ? null : new AutomaticActivityDetection(null, startSensitivity, prefixPaddingMs, endSensitivity,
                            silenceDurationMs);
        } else {
            aad = new AutomaticActivityDetection(true, null, null, null, null);
        }
        if (aad == null && activityHandling == null && turnCoverage == null) {
            return null;
        }
        return new RealtimeInputConfig(aad, activityHandling, turnCoverage);
    }

    /** Mutable builder. */
    public static final class Builder {
        private StartSensitivity startSensitivity;
        private EndSensitivity endSensitivity;
        private Integer prefixPaddingMs;
        private Integer silenceDurationMs;
        private ActivityHandling activityHandling;
        private TurnCoverage turnCoverage;

        private Builder(ServerVad v) {
            startSensitivity = v.startSensitivity;
            endSensitivity = v.endSensitivity;
            prefixPaddingMs = v.prefixPaddingMs;
            silenceDurationMs = v.silenceDurationMs;
            activityHandling = v.activityHandling;
            turnCoverage = v.turnCoverage;
        }

        public Builder startSensitivity(StartSensitivity v) { startSensitivity = v; return this; }
        public Builder endSensitivity(EndSensitivity v) { endSensitivity = v; return this; }
        public Builder prefixPaddingMs(Integer v) { prefixPaddingMs = v; return this; }
        public Builder silenceDurationMs(Integer v) { silenceDurationMs = v; return this; }
        public Builder activityHandling(ActivityHandling v) { activityHandling = v; return this; }
        public Builder turnCoverage(TurnCoverage v) { turnCoverage = v; return this; }

        public ServerVad build() {
            return new ServerVad(startSensitivity, endSensitivity, prefixPaddingMs, silenceDurationMs, activityHandling,
                    turnCoverage);
        }
    }
}
