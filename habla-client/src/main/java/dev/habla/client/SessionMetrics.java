package dev.habla.client;

import dev.habla.client.internal.MicrometerSessionMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;

/**
 * Session-health metrics on Micrometer. A {@link ResilientSession} records most of them itself (see the names below);
 * the two hooks are for code that sees what the session cannot: the voice loop (barge-in) and a tool runner working
 * on a plain {@link LiveSession} (a resilient session times tool round trips itself).
 *
 * <table>
 *   <caption>Meters (every one also carries the policy's extra tags)</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th><th>What</th></tr>
 *   <tr><td>{@value #FIRST_AUDIO}</td><td>timer</td><td></td><td>end of the user's turn → first model audio</td></tr>
 *   <tr><td>{@value #FIRST_TEXT}</td><td>timer</td><td></td><td>end of the user's turn → first model text</td></tr>
 *   <tr><td>{@value #BARGE_IN}</td><td>timer</td><td></td><td>user speech start → playback silenced (hook)</td></tr>
 *   <tr><td>{@value #TOOL_ROUND_TRIP}</td><td>timer</td><td>tool</td><td>tool call received → response sent</td></tr>
 *   <tr><td>{@value #HANDOVERS}</td><td>counter</td><td>cause</td><td>completed handovers (go_away, proactive)</td></tr>
 *   <tr><td>{@value #HANDOVER_GAP}</td><td>timer, p50/p95/p99</td><td></td><td>time no connection took user input</td></tr>
 *   <tr><td>{@value #RECONNECTS}</td><td>counter</td><td>cause, code</td><td>unexpected losses (unavailable, deadline_exceeded, stall…)</td></tr>
 *   <tr><td>{@value #RECONNECT_GAP}</td><td>timer, p50/p95/p99</td><td>resumed</td><td>loss → new connection taking input</td></tr>
 *   <tr><td>{@value #TOKENS}</td><td>counter</td><td>direction, modality</td><td>tokens from {@code usageMetadata}
 *       (prompt includes re-billed context); its rate is tokens per minute</td></tr>
 *   <tr><td>{@value #STALLS}</td><td>timer</td><td>kind</td><td>stalls caught by the watchdog, with their length</td></tr>
 *   <tr><td>{@value #ANOMALIES}</td><td>counter</td><td>kind</td><td>phantom_interrupted, premature_turn_complete,
 *       resumption_refused, buffer_overflow</td></tr>
 * </table>
 */
public interface SessionMetrics {
    String FIRST_AUDIO = "habla.turn.first_audio";
    String FIRST_TEXT = "habla.turn.first_text";
    String BARGE_IN = "habla.barge_in.latency";
    String TOOL_ROUND_TRIP = "habla.tool.round_trip";
    String HANDOVERS = "habla.handovers";
    String HANDOVER_GAP = "habla.handover.gap";
    String RECONNECTS = "habla.reconnects";
    String RECONNECT_GAP = "habla.reconnect.gap";
    String TOKENS = "habla.tokens";
    String STALLS = "habla.stalls";
    String ANOMALIES = "habla.anomalies";

    /** Hook for the voice loop: from detecting the user's speech to silencing playback. */
    void recordBargeIn(Duration latency);

    /** Hook for a tool runner: from receiving a call to sending its response. */
    void recordToolRoundTrip(String tool, Duration roundTrip);

    /** Metrics on {@code registry} (null: recorded nowhere) with {@code tags} on every meter. */
    static SessionMetrics create(MeterRegistry registry, Tags tags) {
        return new MicrometerSessionMetrics(registry, tags);
    }
}
