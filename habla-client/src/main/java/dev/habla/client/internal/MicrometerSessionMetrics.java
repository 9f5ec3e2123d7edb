package dev.habla.client.internal;

import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.SessionMetrics;
import dev.habla.protocol.UsageMetadata;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@link SessionMetrics} on Micrometer. Thread-safe (Micrometer meters are). Without a registry an empty composite
 * registry is used: its meters are no-ops, so recording costs next to nothing.
 */
public final class MicrometerSessionMetrics implements SessionMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Timer firstAudio;
    private final Timer firstText;
    private final Timer bargeIn;
    private final Timer handoverGap;

    public MicrometerSessionMetrics(MeterRegistry registry, Tags tags) {
        this.registry = registry == null ? new CompositeMeterRegistry() : registry;
        this.tags = tags == null ? Tags.empty() : tags;
        this.firstAudio = latency(FIRST_AUDIO, "End of the user's turn to the first model audio", this.tags);
        this.firstText = latency(FIRST_TEXT, "End of the user's turn to the first model text", this.tags);
        this.bargeIn = latency(BARGE_IN, "User speech start to playback silenced", this.tags);
        this.handoverGap = latency(HANDOVER_GAP, "Time no connection could take user input during a handover", this.tags);
    }

    public MeterRegistry registry() {
        return registry;
    }

    private Timer latency(String name, String description, Tags t) {
        return Timer.builder(name).description(description).tags(t)
                .publishPercentiles(0.5, 0.95, 0.99)
                .register(registry);
    }

    @Override
    public void recordBargeIn(Duration latency) {
        bargeIn.record(latency);
    }

    @Override
    public void recordToolRoundTrip(String tool, Duration roundTrip) {
        latency(TOOL_ROUND_TRIP, "Tool call received to response sent", tags.and("tool", tool == null ? "unknown" : tool))
                .record(roundTrip);
    }

    void firstAudio(Duration d) {
        firstAudio.record(d);
    }

    void firstText(Duration d) {
        firstText.record(d);
    }

    void handover(LiveEvent.HandoverCause cause, Duration gap) {
        Counter.builder(HANDOVERS).tags(tags).tag("cause", cause.name().toLowerCase(Locale.ROOT)).register(registry).increment();
        handoverGap.record(gap);
    }

    void reconnect(String cause, int code) {
        Counter.builder(RECONNECTS).tags(tags).tag("cause", cause).tag("code", code > 0 ? Integer.toString(code) : "none")
                .register(registry).increment();
    }

    void reconnected(Duration gap, boolean resumed) {
        latency(RECONNECT_GAP, "Connection lost to a new connection taking input", tags.and("resumed", Boolean.toString(resumed)))
                .record(gap);
    }

    void stall(LiveEvent.StallKind kind, Duration d) {
        Timer.builder(STALLS).tags(tags).tag("kind", kind.name().toLowerCase(Locale.ROOT)).register(registry).record(d);
    }

    void anomaly(String kind) {
        Counter.builder(ANOMALIES).tags(tags).tag("kind", kind).register(registry).increment();
    }

    /** Counts prompt and response tokens by modality (totals as UNSPECIFIED when the server sent no details). */
    void usage(UsageMetadata u) {
        if (u == null) {
            return;
        }
        tokens("prompt", u.promptTokenCount(), u.promptTokensDetails());
        tokens("response", u.responseTokenCount(), u.responseTokensDetails());
    }

    private void tokens(String direction, int total, List<UsageMetadata.ModalityTokenCount> details) {
        if (details == null || details.isEmpty()) {
            if (total > 0) {
                tokenCounter(direction, "UNSPECIFIED").increment(total);
            }
            return;
        }
        for (UsageMetadata.ModalityTokenCount d : details) {
            if (d != null && d.tokenCount() > 0) {
                tokenCounter(direction, d.modality() == null ? "UNSPECIFIED" : d.modality().name()).increment(d.tokenCount());
            }
        }
    }

    private Counter tokenCounter(String direction, String modality) {
        return Counter.builder(TOKENS).baseUnit("tokens").tags(tags).tag("direction", direction).tag("modality", modality)
                .register(registry);
    }

    /** The tag value of a loss: the error kind, lower case. */
    static String cause(LiveException e) {
        return e == null ? "unknown" : e.kind().name().toLowerCase(Locale.ROOT);
    }
}
