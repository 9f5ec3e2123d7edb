package dev.habla.gateway;

import java.util.Map;

/**
 * A snapshot of one app's usage, as the admin endpoint ({@code GET /admin/usage}) and {@code /metrics} show it.
 * Token counts are summed from the upstream's {@code usageMetadata} (each turn's prompt count includes the context it
 * re-reads, as billed); audio seconds are measured from the PCM relayed (16-bit mono at the chunk's rate).
 *
 * @param activeSessions     sessions open now (including ones waiting for their client to resume)
 * @param sessionsStarted    sessions started since the gateway started (resumptions not counted)
 * @param sessionSecondsToday session time in the current UTC day, open sessions included
 * @param promptTokens       prompt tokens by modality ({@code TEXT}, {@code AUDIO}, …; {@code TOTAL} for the sum)
 * @param responseTokens     response tokens by modality (same keys)
 */
public record AppUsage(String app, int activeSessions, long sessionsStarted, double sessionSecondsToday,
        Map<String, Long> promptTokens, Map<String, Long> responseTokens, double audioSecondsIn, double audioSecondsOut) {
    public AppUsage {
        promptTokens = Map.copyOf(promptTokens);
        responseTokens = Map.copyOf(responseTokens);
    }
}
