package dev.habla.emulator.internal;

import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.Models;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.RealtimeInputConfig;
import dev.habla.protocol.ResponseModality;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the service accepts in a {@code setup} (model, modality, resumption handle) and what a valid one switches on for
 * the connection. Stateless; called with the connection's lock held.
 */
final class SetupRules {
    private SetupRules() {}

    /**
     * The settings of an accepted setup.
     *
     * @param logical      the logical session: new, or the one the handle resumes
     * @param resumed      whether a handle resumed it
     * @param window       sliding-window compression, or null when the setup has none
     */
    record Settings(
            Models.Model model,
            LogicalSession logical,
            boolean resumed,
            boolean audioOut,
            boolean resumptionEnabled,
            boolean inputTranscription,
            boolean outputTranscription,
            boolean manualActivity,
            boolean noInterruption,
            RealtimeInputConfig.AutomaticActivityDetection activityDetection,
            boolean gemini3,
            boolean initialHistoryOpen,
            boolean voiceActivity,
            LogicalSession.Compression window) {}

    /** Validates {@code s} like the service; on a violation closes the connection (code and reason as the service) and returns null. */
    static Settings check(Connection conn, ClientMessage.Setup s) {
        EmulatorCore core = conn.core();
        String version = conn.endpoint().apiVersion();
        String requested = s.model() == null ? "" : s.model();
        Models.Model m = core.config().models().find(requested).orElse(null);
        if (m == null) {
            String full = requested.startsWith("models/") ? requested : "models/" + requested;
            conn.close(CloseCodes.POLICY, CloseCodes.modelNotFound(full, version));
            return null;
        }
        List<ResponseModality> mods = s.generationConfig() == null || s.generationConfig().responseModalities() == null
                ? List.of() : s.generationConfig().responseModalities();
        Set<ResponseModality> distinct = new HashSet<>(mods);
        distinct.remove(ResponseModality.MODALITY_UNSPECIFIED);
        ResponseModality modality;
        if (distinct.isEmpty()) {
            modality = m.supportsText() ? ResponseModality.TEXT : ResponseModality.AUDIO;
        } else if (distinct.size() > 1) {
            conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
            return null;
        } else {
            modality = distinct.iterator().next();
        }
        if (modality == ResponseModality.TEXT && !m.supportsText()) {
            if (m.kind() == Models.Kind.GEMINI_3_LIVE) {
                conn.close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
            } else {
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_NON_AUDIO);
            }
            return null;
        }
        if (modality != ResponseModality.TEXT && modality != ResponseModality.AUDIO) {
            conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
            return null;
        }
        String handle = s.sessionResumption() == null ? null : s.sessionResumption().handle();
        boolean resumed = handle != null && !handle.isEmpty();
        LogicalSession logical;
        if (resumed) {
            logical = core.consumeRefuseResumption() ? null : core.resumption().resolve(handle).orElse(null);
            // A session that reached its time limit is over: its handles no longer resume.
            if (logical == null || logical.ended() || !logical.modelId().equals(m.id())) {
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
                return null;
            }
        } else {
            logical = new LogicalSession(core.nextLogicalId(), m.id(), core.config().maxRecordedAudioBytes());
        }
        RealtimeInputConfig ric = s.realtimeInputConfig();
        RealtimeInputConfig.AutomaticActivityDetection aad = ric == null ? null : ric.automaticActivityDetection();
        boolean manual = aad != null && Boolean.TRUE.equals(aad.disabled());
        boolean gemini3 = m.isGemini3Live();
        LiveEmulator.VoiceActivityMessages va = core.config().voiceActivityMessages();
        ClientMessage.ContextWindowCompressionConfig cwc = s.contextWindowCompression();
        LogicalSession.Compression window = null;
        if (cwc != null) {
            // Defaults per the proto: trigger 80 % of the model's context window, target half the trigger.
            long trigger = cwc.triggerTokens() != null && cwc.triggerTokens() > 0 ? cwc.triggerTokens()
                    : m.contextWindowTokens() * 8 / 10;
            Long t = cwc.slidingWindow() == null ? null : cwc.slidingWindow().targetTokens();
            long target = t != null && t > 0 ? Math.min(t, trigger) : trigger / 2;
            window = new LogicalSession.Compression(trigger, target);
        }
        return new Settings(m, logical, resumed, modality == ResponseModality.AUDIO, s.sessionResumption() != null,
                s.inputAudioTranscription() != null, s.outputAudioTranscription() != null, manual,
                ric != null && ric.activityHandling() == RealtimeInputConfig.ActivityHandling.NO_INTERRUPTION, aad, gemini3,
                gemini3 && s.historyConfig() != null && Boolean.TRUE.equals(s.historyConfig().initialHistoryInClientContent()),
                !manual && (va == LiveEmulator.VoiceActivityMessages.ALWAYS || (va == LiveEmulator.VoiceActivityMessages.GEMINI_3_LIVE && gemini3)),
                window);
    }
}
