package dev.habla.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.emulator.EmulatorClock;
import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.Models;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.Part;
import dev.habla.protocol.RealtimeInputConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.ServerMessage.ServerContent;
import dev.habla.protocol.Tool;
import dev.habla.protocol.Transcription;
import dev.habla.protocol.UsageMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The default deterministic model of one connection (the module README documents its behaviour).
 *
 * <p>Every method is called with the connection's lock held (Jetty's inbound thread, clock timers through
 * {@link Connection#runLocked}, fault injection), so the fields need no further guarding. Output goes through the
 * connection's writer queue and never blocks.
 */
final class Brain {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Brain.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CALL = Pattern.compile("(?is)call\\s+([A-Za-z_][A-Za-z0-9_.:-]*)\\s*(\\{.*)?");
    /** Output audio chunks of 80 ms. */
    static final int CHUNK_SAMPLES = SpeechSynth.SAMPLE_RATE * 80 / 1000;
    /** Default pacing: bursts of 12 chunks (960 ms of audio) every 250 ms, about 4x real time. */
    static final int BURST_CHUNKS = 12;
    static final Duration BURST_INTERVAL = Duration.ofMillis(250);
    private static final String AUDIO_MIME = "audio/pcm;rate=" + SpeechSynth.SAMPLE_RATE;

    private final Connection conn;
    private final EmulatorCore core;
    private final EmulatorClock clock;

    private ClientMessage.Setup setup;
    private Models.Model model;
    private boolean audioOut;
    private LogicalSession ls;
    private boolean resumptionEnabled;
    private boolean inputTranscription;
    private boolean outputTranscription;
    private boolean manualActivity;
    private boolean noInterruption;
    private final Map<String, FunctionDeclaration> functions = new LinkedHashMap<>();
    private Vad vad;

    private Turn turn;
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    private final Map<String, PendingCall> pendingCalls = new LinkedHashMap<>();
    private final Set<String> cancelledCalls = new HashSet<>();
    private final List<String> pendingUserText = new ArrayList<>();
    /** Tool results that arrived as clientContent parts, answered like a toolResponse at the next turnComplete. */
    private final List<String> pendingToolResults = new ArrayList<>();

    private boolean inActivity;
    private long activityAudioMicros;
    private final StringBuilder activityText = new StringBuilder();

    private Fault pacing;
    private boolean prematureTurnComplete;

    /** Gemini 3.x Live: clientContent is history-only, audio and transcript share an event. */
    private boolean gemini3;
    /** Gemini 3.x Live with historyConfig.initialHistoryInClientContent: clientContent still seeds history. */
    private boolean initialHistoryOpen;
    private boolean voiceActivity;
    private boolean compression;
    /** When this connection's setup was adopted (session time); null before. */
    private Instant setupAt;
    /** Ends the session at its time limit (no compression, audio or video received); null when none applies. */
    private EmulatorClock.Cancellable limitTimer;

    private record PendingCall(String id, String name, boolean nonBlocking, Turn turn) {}

    /** One planned server frame of a reply, sent {@code offsetNanos} after the turn started. */
    private record Planned(long offsetNanos, ServerFrame frame, String text, boolean last) {}

    /** A model turn in progress: streaming a plan, or waiting for tool responses. */
    private final class Turn {
        List<Planned> plan = List.of();
        int next;
        Instant start;
        EmulatorClock.Cancellable timer;
        final StringBuilder sent = new StringBuilder();
        final List<String> waitingFor = new ArrayList<>();
        final Map<String, FunctionResponse> responses = new LinkedHashMap<>();
        final List<FunctionCall> calls = new ArrayList<>();
        boolean prematureSent;
        int responseTokens;
    }

    Brain(Connection conn) {
        this.conn = conn;
        this.core = conn.core();
        this.clock = conn.clock();
    }

    LogicalSession logicalSession() {
        return ls;
    }

    // ---- entry points ----

    void onMessage(ClientMessage m) {
        if (setup == null) {
            if (m instanceof ClientMessage.Setup s) {
                adoptSetup(s, false);
            } else {
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
            }
            return;
        }
        if (!(m instanceof ClientMessage.ClientContent)) {
            // Realtime input (or a tool response / context update) starts the realtime conversation: the initial
            // history phase of Gemini 3.x Live is over (our choice; the doc only says "until turnComplete:true").
            initialHistoryOpen = false;
        }
        switch (m) {
            case ClientMessage.Setup s -> conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
            case ClientMessage.ClientContent c -> onClientContent(c);
            case ClientMessage.RealtimeInput r -> onRealtimeInput(r);
            case ClientMessage.ToolResponse t -> onToolResponse(t);
            case ClientMessage.ContextUpdate u -> {
                if (u.tools() != null) {
                    functions.clear();
                    declare(u.tools().tools());
                }
            }
        }
    }

    /** Validates a setup like the service and, unless a script already did, answers {@code setupComplete}. */
    void adoptSetup(ClientMessage.Setup s, boolean setupCompleteSent) {
        String version = conn.endpoint().apiVersion();
        String requested = s.model() == null ? "" : s.model();
        Models.Model m = core.config().models().find(requested).orElse(null);
        if (m == null) {
            String full = requested.startsWith("models/") ? requested : "models/" + requested;
            conn.close(CloseCodes.POLICY, CloseCodes.modelNotFound(full, version));
            return;
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
            return;
        } else {
            modality = distinct.iterator().next();
        }
        if (modality == ResponseModality.TEXT && !m.supportsText()) {
            if (m.kind() == Models.Kind.GEMINI_3_LIVE) {
                conn.close(CloseCodes.INTERNAL, CloseCodes.REASON_INTERNAL);
            } else {
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_NON_AUDIO);
            }
            return;
        }
        if (modality != ResponseModality.TEXT && modality != ResponseModality.AUDIO) {
            conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
            return;
        }
        String handle = s.sessionResumption() == null ? null : s.sessionResumption().handle();
        LogicalSession logical;
        if (handle != null && !handle.isEmpty()) {
            logical = core.consumeRefuseResumption() ? null : core.resumption().resolve(handle).orElse(null);
            // A session that reached its time limit is over: its handles no longer resume.
            if (logical == null || logical.ended() || !logical.modelId().equals(m.id())) {
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
                return;
            }
        } else {
            logical = new LogicalSession(core.nextLogicalId(), m.id());
        }
        LOG.info("Session {} set up: {} {}{}", conn.id(), m.id(), modality,
                handle != null && !handle.isEmpty() ? " (resumed " + logical.id() + ")" : "");
        setup = s;
        model = m;
        ls = logical;
        audioOut = modality == ResponseModality.AUDIO;
        resumptionEnabled = s.sessionResumption() != null;
        inputTranscription = s.inputAudioTranscription() != null;
        outputTranscription = s.outputAudioTranscription() != null;
        RealtimeInputConfig ric = s.realtimeInputConfig();
        RealtimeInputConfig.AutomaticActivityDetection aad = ric == null ? null : ric.automaticActivityDetection();
        manualActivity = aad != null && Boolean.TRUE.equals(aad.disabled());
        noInterruption = ric != null && ric.activityHandling() == RealtimeInputConfig.ActivityHandling.NO_INTERRUPTION;
        vad = new Vad(aad);
        declare(s.tools());
        gemini3 = m.isGemini3Live();
        initialHistoryOpen = gemini3 && s.historyConfig() != null
                && Boolean.TRUE.equals(s.historyConfig().initialHistoryInClientContent());
        LiveEmulator.VoiceActivityMessages va = core.config().voiceActivityMessages();
        voiceActivity = !manualActivity && (va == LiveEmulator.VoiceActivityMessages.ALWAYS
                || (va == LiveEmulator.VoiceActivityMessages.GEMINI_3_LIVE && gemini3));
        ClientMessage.ContextWindowCompressionConfig cwc = s.contextWindowCompression();
        compression = cwc != null;
        LogicalSession.Compression window = null;
        if (cwc != null) {
            // Defaults per the proto: trigger 80 % of the model's context window, target half the trigger.
            long trigger = cwc.triggerTokens() != null && cwc.triggerTokens() > 0 ? cwc.triggerTokens()
                    : m.contextWindowTokens() * 8 / 10;
            Long t = cwc.slidingWindow() == null ? null : cwc.slidingWindow().targetTokens();
            long target = t != null && t > 0 ? Math.min(t, trigger) : trigger / 2;
            window = new LogicalSession.Compression(trigger, target);
        }
        ls.configure(s.systemInstruction() == null ? 0 : textOf(s.systemInstruction()).length(), window);
        setupAt = clock.now();
        ls.connectionStarted(setupAt);
        if (!setupCompleteSent) {
            conn.send(ServerFrame.of(new ServerMessage.SetupComplete(null)));
        }
        if (resumptionEnabled) {
            sendHandle();
        }
        scheduleSessionLimit();
    }

    /**
     * (Re)arms the session time limit: without compression, a session that has received video may last
     * {@code videoSessionLimit}, one that has received audio {@code audioSessionLimit}, counted in session time across
     * its connections. Text-only sessions have no limit (the doc names none).
     */
    private void scheduleSessionLimit() {
        if (limitTimer != null) {
            limitTimer.cancel();
            limitTimer = null;
        }
        if (compression || setupAt == null || conn.isClosing()) {
            return;
        }
        Duration videoLimit = core.config().videoSessionLimit();
        Duration audioLimit = core.config().audioSessionLimit();
        Duration limit = ls.sawVideo() && videoLimit != null ? videoLimit
                : ls.sawAudio() || ls.sawVideo() ? audioLimit : null;
        if (limit == null) {
            return;
        }
        Duration left = limit.minus(ls.usedTime(clock.now()));
        if (left.isNegative() || left.isZero()) {
            endSession(limit);
        } else {
            limitTimer = clock.schedule(left, () -> conn.runLocked(() -> endSession(limit)));
        }
    }

    /** The session time limit is reached: the session ends with its connection (close 1000, empty reason). */
    private void endSession(Duration limit) {
        limitTimer = null;
        LOG.info("Session {}: session time limit {} reached without context window compression; ending {}", conn.id(), limit,
                ls.id());
        ls.end();
        conn.close(CloseCodes.NORMAL, "");
    }

    void applyFault(Fault f) {
        switch (f) {
            case Fault.SlowAudio s -> pacing = s;
            case Fault.BurstyAudio b -> pacing = b;
            case Fault.PrematureTurnComplete p -> {
                if (turn != null && turn.timer != null && !turn.prematureSent) {
                    turn.prematureSent = true;
                    conn.send(ServerFrame.of(ServerContent.turnCompleted()));
                } else {
                    prematureTurnComplete = true;
                }
            }
            case Fault.PhantomInterrupted p -> {
                if (turn != null) {
                    interrupt();
                    runDeferred();
                } else {
                    conn.send(ServerFrame.of(ServerContent.interruptedSignal()));
                }
            }
            default -> throw new IllegalArgumentException("Not a brain fault: " + f);
        }
    }

    void onClosed() {
        if (limitTimer != null) {
            limitTimer.cancel();
            limitTimer = null;
        }
        if (setupAt != null) {
            ls.connectionEnded(clock.now());
            setupAt = null;
        }
        if (turn != null) {
            if (turn.timer != null) {
                turn.timer.cancel();
            }
            recordModelTurn(turn);
            turn = null;
        }
        deferred.clear();
    }

    // ---- client content ----

    private void onClientContent(ClientMessage.ClientContent c) {
        List<Content> turns = c.turns() == null ? List.of() : c.turns();
        if (gemini3) {
            // Gemini 3.x Live: clientContent only seeds the initial history (historyConfig), consumed without
            // generating until turnComplete:true; any other use closes 1007 [docs live-guide; livekit/agents #5251].
            if (!initialHistoryOpen) {
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
                return;
            }
            for (Content t : turns) {
                String text = textOf(t);
                if ((t.role() == null || "user".equals(t.role())) && functionResults(t).isEmpty()) {
                    ls.addUserTurn(text, t, 0);
                } else {
                    ls.addOtherTurn(t, text.length());
                }
            }
            if (c.turnComplete()) {
                initialHistoryOpen = false;
            }
            return;
        }
        // "A message here will interrupt any current model generation" (proto): even one without turns, which is
        // how a client stops an answer (habla chat's Ctrl-C sends {"clientContent":{}}).
        bargeIn();
        for (Content t : turns) {
            String text = textOf(t);
            List<String> results = functionResults(t);
            if (!results.isEmpty() && text.isEmpty()) {
                // Tool results as content (a client re-delivering them after a reconnect): context, not user text.
                ls.addOtherTurn(t, String.join("; ", results).length());
                pendingToolResults.addAll(results);
            } else if (t.role() == null || "user".equals(t.role())) {
                ls.addUserTurn(text, t, 0);
                pendingUserText.add(text);
            } else {
                ls.addOtherTurn(t, text.length());
            }
        }
        if (c.turnComplete()) {
            String text = String.join(" ", pendingUserText);
            String results = String.join("; ", pendingToolResults);
            pendingUserText.clear();
            pendingToolResults.clear();
            whenFree(() -> {
                if (!text.isBlank()) {
                    reply(text);
                } else if (!results.isEmpty()) {
                    startReply(results);
                } else {
                    startReply("You said nothing.");
                }
            });
        }
    }

    // ---- realtime input ----

    private void onRealtimeInput(ClientMessage.RealtimeInput r) {
        if (r.audio() != null) {
            onAudio(r.audio());
        }
        if (r.video() != null) {
            onVideo();
        }
        if (r.mediaChunks() != null && !r.mediaChunks().isEmpty()) {
            // "Multiple media_chunks are not supported, all but the first will be ignored."
            Blob first = r.mediaChunks().getFirst();
            if (first != null && first.mimeType() != null && first.mimeType().startsWith("audio/")) {
                onAudio(first);
            } else if (first != null && first.mimeType() != null
                    && (first.mimeType().startsWith("image/") || first.mimeType().startsWith("video/"))) {
                onVideo();
            }
        }
        if (r.text() != null) {
            if (manualActivity && inActivity) {
                activityText.append(activityText.isEmpty() ? "" : " ").append(r.text());
            } else {
                bargeIn();
                userText(r.text());
            }
        }
        if (Boolean.TRUE.equals(r.audioStreamEnd()) && !manualActivity) {
            handleVad(vad.flush());
        }
        if (r.activityStart() != null) {
            if (!manualActivity) {
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
                return;
            }
            bargeIn();
            inActivity = true;
            activityAudioMicros = 0;
            activityText.setLength(0);
        }
        if (r.activityEnd() != null) {
            if (!manualActivity) {
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
                return;
            }
            if (inActivity) {
                inActivity = false;
                if (activityAudioMicros == 0 && !activityText.isEmpty()) {
                    userText(activityText.toString());
                } else {
                    utterance(activityAudioMicros / 1e6);
                }
            }
        }
    }

    /** Video frames are accepted and not understood; they only make the session an audio+video one (time limit). */
    private void onVideo() {
        if (ls.noteMedia(true)) {
            scheduleSessionLimit();
        }
    }

    private void onAudio(Blob b) {
        byte[] data = b.data() == null ? new byte[0] : b.data();
        ls.appendAudio(data);
        if (ls.noteMedia(false)) {
            scheduleSessionLimit();
        }
        int rate = sampleRate(b.mimeType());
        if (manualActivity) {
            if (inActivity) {
                activityAudioMicros += (data.length / 2) * 1_000_000L / rate;
            }
            return;
        }
        handleVad(vad.feed(data, rate));
    }

    private void handleVad(List<Vad.Event> events) {
        for (Vad.Event e : events) {
            switch (e) {
                case Vad.SpeechStart s -> {
                    voiceActivity(ServerMessage.VoiceActivityType.ACTIVITY_START, s.atMicros());
                    bargeIn();
                }
                case Vad.SpeechEnd end -> {
                    voiceActivity(ServerMessage.VoiceActivityType.ACTIVITY_END, end.atMicros());
                    utterance(end.seconds());
                }
            }
        }
    }

    /** {@code voiceActivity{type, audioOffset}}, the offset in this connection's input audio (audio time). */
    private void voiceActivity(ServerMessage.VoiceActivityType type, long atMicros) {
        if (voiceActivity) {
            conn.send(ServerFrame.of(new ServerMessage.VoiceActivity(type, Duration.ofNanos(atMicros * 1000))));
        }
    }

    private void utterance(double seconds) {
        String label = String.format(Locale.ROOT, "[speech %.2fs]", seconds);
        if (inputTranscription) {
            conn.send(ServerFrame.of(ServerContent.inputTranscription(new Transcription(label, true))));
        }
        ls.addUserTurn(label, Content.text("user", label), seconds);
        String reply = String.format(Locale.ROOT, "I heard %.2f seconds of audio.", seconds);
        whenFree(() -> startReply(reply));
    }

    private void userText(String text) {
        ls.addUserTurn(text, Content.text("user", text), 0);
        whenFree(() -> reply(text));
    }

    static int sampleRate(String mime) {
        if (mime != null) {
            for (String p : mime.split(";")) {
                String t = p.trim();
                if (t.regionMatches(true, 0, "rate=", 0, 5)) {
                    try {
                        int r = Integer.parseInt(t.substring(5).trim());
                        if (r > 0) {
                            return r;
                        }
                    } catch (NumberFormatException ignored) {
                        // fall through to the default
                    }
                }
            }
        }
        return 16_000;
    }

    // ---- tools ----

    private void declare(List<Tool> tools) {
        if (tools == null) {
            return;
        }
        for (Tool t : tools) {
            if (t != null && t.functionDeclarations() != null) {
                for (FunctionDeclaration d : t.functionDeclarations()) {
                    if (d != null && d.name() != null) {
                        functions.put(d.name(), d);
                    }
                }
            }
        }
    }

    private void onToolResponse(ClientMessage.ToolResponse t) {
        List<FunctionResponse> rs = t.functionResponses() == null ? List.of() : t.functionResponses();
        for (FunctionResponse r : rs) {
            if (r == null || r.id() == null || (!pendingCalls.containsKey(r.id()) && !cancelledCalls.contains(r.id()))) {
                // Reported real behaviour for a response nobody asked for.
                conn.close(CloseCodes.POLICY, "Requested entity was not found.");
                return;
            }
        }
        for (FunctionResponse r : rs) {
            if (cancelledCalls.contains(r.id())) {
                continue; // raced with our toolCallCancellation: ignore
            }
            PendingCall pc = pendingCalls.get(r.id());
            String quoted = quote(pc.name(), r);
            ls.addOtherTurn(new Content(List.of(new Part(null, null, null, r, null, null, null, null, false, null, null)), "user"),
                    quoted.length());
            if (pc.nonBlocking()) {
                if (!r.willContinue()) {
                    pendingCalls.remove(r.id());
                }
                FunctionResponse.Scheduling sch = r.scheduling();
                if (sch == FunctionResponse.Scheduling.SILENT) {
                    continue;
                }
                if (sch == FunctionResponse.Scheduling.INTERRUPT && turn != null) {
                    interrupt();
                }
                whenFree(() -> startReply(quoted));
            } else {
                pendingCalls.remove(r.id());
                Turn tt = pc.turn();
                tt.responses.put(r.id(), r);
                tt.waitingFor.remove(r.id());
                if (tt == turn && tt.waitingFor.isEmpty()) {
                    List<String> parts = new ArrayList<>();
                    for (FunctionCall fc : tt.calls) {
                        FunctionResponse fr = tt.responses.get(fc.id());
                        if (fr != null) {
                            parts.add(quote(fc.name(), fr));
                        }
                    }
                    stream(tt, String.join("; ", parts));
                }
            }
        }
    }

    private static String quote(String name, FunctionResponse r) {
        return "Tool " + name + " returned " + (r.response() == null ? "{}" : r.response().toString());
    }

    // ---- replies ----

    /** Runs {@code r} now if the model is idle, else queues it until the current turn ends. */
    private void whenFree(Runnable r) {
        if (turn == null) {
            r.run();
        } else {
            deferred.add(r);
        }
    }

    /** User activity while the model talks: cut it off, unless NO_INTERRUPTION. */
    private void bargeIn() {
        if (turn != null && !noInterruption) {
            interrupt();
        }
    }

    private void reply(String userText) {
        String t = userText.trim();
        if (t.equalsIgnoreCase("history")) {
            List<String> all = ls.userTurns();
            List<String> earlier = all.isEmpty() ? all : all.subList(0, all.size() - 1);
            StringBuilder b = new StringBuilder("History:");
            if (earlier.isEmpty()) {
                b.append(" (empty)");
            }
            for (int i = 0; i < earlier.size(); i++) {
                b.append(i == 0 ? " " : " | ").append(i + 1).append(". ").append(earlier.get(i).trim());
            }
            startReply(b.toString());
            return;
        }
        if (t.regionMatches(true, 0, "call ", 0, 5) || t.regionMatches(true, 0, "call\t", 0, 5)) {
            if (toolCalls(t)) {
                return;
            }
        }
        startReply("You said: " + userText);
    }

    /** Handles {@code call NAME {json} ; call NAME2 {json}}; false if the text is not a call after all. */
    private boolean toolCalls(String text) {
        List<FunctionCall> calls = new ArrayList<>();
        boolean allNonBlocking = true;
        for (String clause : text.split(";")) {
            Matcher m = CALL.matcher(clause.trim());
            if (!m.matches()) {
                return false;
            }
            String name = m.group(1);
            FunctionDeclaration d = functions.get(name);
            if (d == null) {
                startReply("Function " + name + " is not declared.");
                return true;
            }
            JsonNode args;
            try {
                args = m.group(2) == null ? JSON.createObjectNode() : JSON.readTree(m.group(2));
            } catch (Exception e) {
                args = null;
            }
            if (!(args instanceof ObjectNode)) {
                startReply("Cannot parse the arguments of " + name + ".");
                return true;
            }
            calls.add(new FunctionCall(core.nextCallId(), name, args));
            allNonBlocking &= d.behavior() == FunctionDeclaration.Behavior.NON_BLOCKING;
        }
        Turn t = beginTurn();
        t.calls.addAll(calls);
        conn.send(ServerFrame.of(new ServerMessage.ToolCall(List.copyOf(calls))));
        for (FunctionCall c : calls) {
            pendingCalls.put(c.id(), new PendingCall(c.id(), c.name(), allNonBlocking, t));
            if (!allNonBlocking) {
                t.waitingFor.add(c.id());
            }
        }
        if (allNonBlocking) {
            List<String> names = calls.stream().map(FunctionCall::name).toList();
            stream(t, "Calling " + String.join(", ", names) + " in the background.");
        }
        return true;
    }

    private Turn beginTurn() {
        Turn t = new Turn();
        turn = t;
        if (resumptionEnabled) {
            conn.send(ServerFrame.of(new ServerMessage.SessionResumptionUpdate(null, false, null)));
        }
        return t;
    }

    private void startReply(String text) {
        stream(beginTurn(), text);
    }

    /** Plans and starts streaming {@code text} as the rest of turn {@code t}. */
    private void stream(Turn t, String text) {
        List<Planned> plan = audioOut ? planAudio(text) : planText(text);
        int[] prompt = ls.promptTokens();
        int respTokens = audioOut ? (int) Math.round(text.length() * 0.07 * 32) : tokens(text.length());
        t.responseTokens = respTokens;
        ServerFrame done = ServerFrame.of(ServerContent.turnCompleted(), usage(prompt, respTokens));
        Planned lastPlanned = plan.getLast();
        List<Planned> full = new ArrayList<>(plan.size() + 2);
        full.addAll(plan.subList(0, plan.size() - 1));
        full.add(new Planned(lastPlanned.offsetNanos(), done, "", true));
        if (prematureTurnComplete) {
            prematureTurnComplete = false;
            t.prematureSent = true;
            int first = 0;
            while (first < full.size() - 1 && !(full.get(first).frame() != null
                    && full.get(first).frame().message() instanceof ServerContent sc && sc.modelTurn() != null)) {
                first++;
            }
            full.add(first + 1, new Planned(full.get(first).offsetNanos(), ServerFrame.of(ServerContent.turnCompleted()), "", false));
        }
        t.plan = full;
        t.next = 0;
        t.start = clock.now();
        pump(t);
    }

    /** Text chunks (split by words, at least 3 when there are 3 words) then generationComplete, then turnComplete. */
    private List<Planned> planText(String text) {
        List<String> chunks = textChunks(text);
        long delay = core.config().textChunkDelay().toNanos();
        List<Planned> plan = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            plan.add(new Planned(i * delay, ServerFrame.of(ServerContent.modelTurn(new Content(List.of(Part.ofText(chunks.get(i))), null))),
                    chunks.get(i), false));
        }
        long end = Math.max(0, chunks.size() - 1) * delay;
        plan.add(new Planned(end, ServerFrame.of(ServerContent.generationCompleted()), "", false));
        plan.add(new Planned(end, null, "", true)); // placeholder for turnComplete
        return plan;
    }

    /** Speech chunks paced per the active fault (default: ~4x real time in bursts), transcription alongside. */
    private List<Planned> planAudio(String text) {
        SpeechSynth.Rendered r = SpeechSynth.render(text);
        int chunks = Math.max(1, (r.samples() + CHUNK_SAMPLES - 1) / CHUNK_SAMPLES);
        long chunkNanos = Duration.ofMillis(80).toNanos();
        List<Planned> plan = new ArrayList<>();
        int seg = 0;
        long lastOffset = 0;
        for (int i = 0; i < chunks; i++) {
            long offset = switch (pacing) {
                case Fault.SlowAudio s -> (long) (i * chunkNanos / s.realtimeFactor());
                case Fault.BurstyAudio b -> (i / b.chunksPerBurst()) * b.gap().toNanos();
                case null, default -> (i / BURST_CHUNKS) * BURST_INTERVAL.toNanos();
            };
            lastOffset = offset;
            int from = i * CHUNK_SAMPLES;
            int to = Math.min(r.samples(), from + CHUNK_SAMPLES);
            // Transcript of the words that start in this chunk, just before its audio; it also feeds history.
            StringBuilder words = new StringBuilder();
            while (seg < r.segments().size() && (r.segments().get(seg).startSample() < to || i == chunks - 1)) {
                words.append(r.segments().get(seg++).text());
            }
            byte[] pcm = java.util.Arrays.copyOfRange(r.pcm(), from * 2, to * 2);
            Content audioPart = new Content(List.of(Part.ofInlineData(AUDIO_MIME, pcm)), null);
            Transcription tr = words.isEmpty() || !outputTranscription ? null : new Transcription(words.toString(), false);
            if (gemini3) {
                // Gemini 3.1: "a single server event can contain multiple content parts simultaneously (e.g. audio
                // and transcript)" [docs live-guide]: the chunk and the words that start in it share one event.
                plan.add(new Planned(offset, ServerFrame.of(new ServerContent(audioPart, false, false, false, null, null, tr,
                        null, false, null)), words.toString(), false));
                continue;
            }
            if (!words.isEmpty()) {
                plan.add(new Planned(offset, tr == null ? null : ServerFrame.of(ServerContent.outputTranscription(tr)),
                        words.toString(), false));
            }
            plan.add(new Planned(offset, ServerFrame.of(ServerContent.modelTurn(audioPart)), "", false));
        }
        plan.add(new Planned(lastOffset, ServerFrame.of(ServerContent.generationCompleted()), "", false));
        // The turn stays open (interruptible) while the client plays the audio back.
        long end = Math.max(lastOffset, (long) (r.seconds() * 1e9));
        plan.add(new Planned(end, null, "", true));
        return plan;
    }

    /** Sends every planned frame that is due, then schedules the next one. */
    private void pump(Turn t) {
        if (turn != t) {
            return;
        }
        t.timer = null;
        long elapsed = Duration.between(t.start, clock.now()).toNanos();
        while (t.next < t.plan.size() && t.plan.get(t.next).offsetNanos() <= elapsed) {
            Planned p = t.plan.get(t.next++);
            if (p.frame() != null) {
                conn.send(p.frame());
            }
            t.sent.append(p.text());
            if (p.last()) {
                finishTurn(t);
                return;
            }
        }
        if (t.next < t.plan.size()) {
            long wait = t.plan.get(t.next).offsetNanos() - elapsed;
            t.timer = clock.schedule(Duration.ofNanos(wait), () -> conn.runLocked(() -> pump(t)));
        }
    }

    private void finishTurn(Turn t) {
        recordModelTurn(t);
        turn = null;
        if (resumptionEnabled) {
            sendHandle();
        }
        runDeferred();
    }

    private void runDeferred() {
        while (turn == null && !deferred.isEmpty() && !conn.isClosing()) {
            deferred.poll().run();
        }
    }

    /** Barge-in: interrupted, cancellations of calls this turn waits for, turnComplete; the unsent rest is dropped. */
    private void interrupt() {
        Turn t = turn;
        if (t == null) {
            return;
        }
        if (t.timer != null) {
            t.timer.cancel();
            t.timer = null;
        }
        conn.send(ServerFrame.of(ServerContent.interruptedSignal()));
        List<String> cancelled = new ArrayList<>();
        for (PendingCall pc : List.copyOf(pendingCalls.values())) {
            if (pc.turn() == t && !pc.nonBlocking()) {
                cancelled.add(pc.id());
                pendingCalls.remove(pc.id());
                cancelledCalls.add(pc.id());
            }
        }
        if (!cancelled.isEmpty()) {
            conn.send(ServerFrame.of(new ServerMessage.ToolCallCancellation(cancelled)));
        }
        int sentTokens = audioOut ? (int) Math.round(t.sent.length() * 0.07 * 32) : tokens(t.sent.length());
        conn.send(ServerFrame.of(ServerContent.turnCompleted(), usage(ls.promptTokens(), sentTokens)));
        recordModelTurn(t);
        turn = null;
        if (resumptionEnabled) {
            sendHandle();
        }
    }

    private void recordModelTurn(Turn t) {
        if (!t.sent.isEmpty()) {
            String text = t.sent.toString();
            ls.addOtherTurn(Content.text("model", text), text.length());
        }
    }

    private void sendHandle() {
        boolean pending = pendingCalls.values().stream().anyMatch(pc -> !pc.nonBlocking());
        if (turn != null || pending) {
            conn.send(ServerFrame.of(new ServerMessage.SessionResumptionUpdate(null, false, null)));
        } else {
            conn.send(ServerFrame.of(new ServerMessage.SessionResumptionUpdate(core.resumption().issue(ls), true, null)));
        }
    }

    private UsageMetadata usage(int[] prompt, int response) {
        List<UsageMetadata.ModalityTokenCount> pd = new ArrayList<>();
        if (prompt[0] > 0 || prompt[1] == 0) {
            pd.add(new UsageMetadata.ModalityTokenCount(UsageMetadata.Modality.TEXT, prompt[0]));
        }
        if (prompt[1] > 0) {
            pd.add(new UsageMetadata.ModalityTokenCount(UsageMetadata.Modality.AUDIO, prompt[1]));
        }
        int p = prompt[0] + prompt[1];
        List<UsageMetadata.ModalityTokenCount> rd = List.of(new UsageMetadata.ModalityTokenCount(
                audioOut ? UsageMetadata.Modality.AUDIO : UsageMetadata.Modality.TEXT, response));
        return new UsageMetadata(p, 0, response, 0, 0, p + response, pd, null, rd, null);
    }

    static int tokens(int chars) {
        return Math.max(1, (int) Math.ceil(chars / 4.0));
    }

    /** Splits on word boundaries (whitespace stays with the following word) into at least 3 chunks when possible. */
    static List<String> textChunks(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("\\s*\\S+|\\s+$").matcher(text);
        while (m.find()) {
            words.add(m.group());
        }
        if (words.isEmpty()) {
            return List.of(text);
        }
        int n = Math.min(words.size(), Math.max(3, (int) Math.ceil(words.size() / 4.0)));
        List<String> out = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            int from = j * words.size() / n;
            int to = (j + 1) * words.size() / n;
            out.add(String.join("", words.subList(from, to)));
        }
        return out;
    }

    /** {@code Tool NAME returned …} for each functionResponse part of {@code c}. */
    private static List<String> functionResults(Content c) {
        if (c.parts() == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Part p : c.parts()) {
            if (p != null && p.functionResponse() != null) {
                FunctionResponse r = p.functionResponse();
                out.add(quote(r.name() == null ? "function" : r.name(), r));
            }
        }
        return out;
    }

    private static String textOf(Content c) {
        if (c.parts() == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (Part p : c.parts()) {
            if (p != null && p.text() != null && !p.thought()) {
                b.append(p.text());
            }
        }
        return b.toString();
    }
}
