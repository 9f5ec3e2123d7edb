package dev.habla.emulator.internal;

import dev.habla.time.Scheduler;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.Models;
import dev.habla.emulator.ReplyPolicy;
import java.time.Duration;

/** Settings of one emulator, fixed at build time. {@code apiKey} must never be logged. */
public record EmulatorConfig(
        int port,
        String apiKey,
        Scheduler clock,
        Duration connectionLifetime,
        Duration goAwayLead,
        Models models,
        Duration resumptionHandleTtl,
        Duration textChunkDelay,
        int maxRecordedMessages,
        int keepClosedSessions,
        LiveEmulator.VoiceActivityMessages voiceActivityMessages,
        Duration audioSessionLimit,
        Duration videoSessionLimit,
        long maxRecordedAudioBytes,
        ReplyPolicy replies,
        Duration realtimeSessionCap,
        dev.habla.protocol.Cassette.Recording replay,
        LiveEmulator.Pace replayPace) {

    /** Never prints the key. */
    @Override
    public String toString() {
        return "EmulatorConfig[port=" + port + ", apiKey=" + (apiKey == null ? "any" : "<set>") + ", clock=" + clock
                + ", connectionLifetime=" + connectionLifetime + ", goAwayLead=" + goAwayLead + ", models=" + models
                + ", resumptionHandleTtl=" + resumptionHandleTtl + ", textChunkDelay=" + textChunkDelay
                + ", maxRecordedMessages=" + maxRecordedMessages + ", keepClosedSessions=" + keepClosedSessions + ", voiceActivityMessages=" + voiceActivityMessages
                + ", audioSessionLimit=" + audioSessionLimit + ", videoSessionLimit=" + videoSessionLimit + ", maxRecordedAudioBytes=" + maxRecordedAudioBytes + ", replies=" + replies + ", realtimeSessionCap=" + realtimeSessionCap + ", replay=" + (replay == null ? "off" : replay.connections() + " connection(s), " + replayPace) + "]";
    }
}
