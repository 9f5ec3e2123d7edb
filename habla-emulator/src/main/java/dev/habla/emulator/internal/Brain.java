package dev.habla.emulator.internal;

import dev.habla.emulator.Fault;
import dev.habla.emulator.Reply;
import dev.habla.emulator.ReplyPolicy;
import dev.habla.emulator.TurnInput;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.ServerMessage.ServerContent;
import dev.habla.protocol.Transcription;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;

/**
 * The protocol rules of one connection's emulated model (the module README documents them): setup, what is accepted
 * or closed, turn-taking (a turn at a time, later input deferred), barge-in, server VAD and manual activity, tool-call
 * bookkeeping (ids, blocking calls, cancellation), resumption handles and session time limits. What the model says is
 * the {@link ReplyPolicy}'s; how it is sent is the {@link ReplyStreamer}'s. Its helpers: {@link ContentTurns}
 * (clientContent turns and the Gemini 3.x initial history), {@link SeenImages} (images shown to the next turn),
 * {@link ManualActivity} (the open activityStart…activityEnd window).
 *
 * <p>Every method is called with the connection's lock held (the server's inbound thread, clock timers through
 * {@link Connection#runLocked}, fault injection), so the fields need no further guarding. Output goes through the
 * connection's writer queue and never blocks.
 */
final class Brain {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Brain.class);

    private final Connection conn;
    private final EmulatorCore core;
    private final ReplyPolicy replies;
    private final ReplyStreamer streamer;

    private ClientMessage.Setup setup;
    private SetupRules.Settings settings;
    private LogicalSession ls;
    private final ToolCalls tools = new ToolCalls();
    /** Code execution and search, when the setup declares them (set at setup). */
    private ServerTools serverTools = new ServerTools(List.of());
    private Vad vad;

    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    private final ContentTurns contentTurns = new ContentTurns();
    private final SeenImages images = new SeenImages();
    private final ManualActivity activity = new ManualActivity();

    private final SessionLimit limit;

    Brain(Connection conn) {
        this.conn = conn;
        this.core = conn.core();
        this.replies = core.config().replies();
        this.streamer = new ReplyStreamer(conn, this::turnFinished);
        this.limit = new SessionLimit(conn);
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
            contentTurns.realtimeStarted();
        }
        switch (m) {
            case ClientMessage.Setup s -> conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
            case ClientMessage.ClientContent c -> onClientContent(c);
            case ClientMessage.RealtimeInput r -> onRealtimeInput(r);
            case ClientMessage.ToolResponse t -> onToolResponse(t);
            case ClientMessage.ContextUpdate u -> {
                if (u.tools() != null) {
                    tools.redeclare(u.tools().tools());
                }
            }
            case ClientMessage.Raw r -> onRealtimeInput(r.message()); // not made by the emulator's server; for completeness
        }
    }

    /** Validates a setup like the service ({@link SetupRules}) and, unless a script already did, answers {@code setupComplete}. */
    void adoptSetup(ClientMessage.Setup s, boolean setupCompleteSent) {
        SetupRules.Settings st = SetupRules.check(conn, s);
        if (st == null) {
            return;
        }
        LOG.info("Session {} set up: {} {}{}", conn.id(), st.model().id(), st.audioOut() ? "AUDIO" : "TEXT",
                st.resumed() ? " (resumed " + st.logical().id() + ")" : "");
        setup = s;
        settings = st;
        ls = st.logical();
        vad = new Vad(st.activityDetection());
        tools.declare(s.tools());
        serverTools = new ServerTools(s.tools());
        contentTurns.configure(st.initialHistoryOpen());
        streamer.configure(ls, st.audioOut(), st.outputTranscription(), st.gemini3());
        ls.configure(s.systemInstruction() == null ? 0 : Parts.textOf(s.systemInstruction()).length(), st.window());
        if (!setupCompleteSent) {
            conn.send(ServerFrame.of(new ServerMessage.SetupComplete(null)));
        }
        if (st.resumptionEnabled()) {
            sendHandle();
        }
        limit.started(ls, st.window() != null);
    }

    void applyFault(Fault f) {
        switch (f) {
            case Fault.SlowAudio s -> streamer.applyFault(f);
            case Fault.BurstyAudio b -> streamer.applyFault(f);
            case Fault.PrematureTurnComplete p -> streamer.applyFault(f);
            case Fault.PhantomInterrupted p -> {
                if (streamer.current() != null) {
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
        limit.stopped();
        streamer.onClosed();
        deferred.clear();
        images.clear();
    }

    // ---- client content ----

    private void onClientContent(ClientMessage.ClientContent c) {
        List<Content> turns = c.turns() == null ? List.of() : c.turns();
        if (turns.stream().anyMatch(Sight::hasBrokenImage)) {
            conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_BAD_IMAGE);
            return;
        }
        for (Content t : turns) {
            images.noteImages(t);
        }
        if (settings.gemini3()) {
            if (!contentTurns.seedHistory(ls, turns, c.turnComplete())) {
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
            }
            return;
        }
        // "A message here will interrupt any current model generation" (proto): even one without turns, which is
        // how a client stops an answer (habla chat's Ctrl-C sends {"clientContent":{}}).
        bargeIn();
        contentTurns.add(ls, turns);
        if (c.turnComplete()) {
            ContentTurns.Completed done = contentTurns.complete();
            String text = done.text();
            List<FunctionResponse> results = done.results();
            whenFree(() -> {
                if (!text.isBlank()) {
                    answer(TurnInput.Kind.TEXT, text, 0, List.of());
                } else if (!results.isEmpty()) {
                    answer(TurnInput.Kind.TOOL_RESULTS, null, 0, results);
                } else {
                    answer(TurnInput.Kind.NOTHING, null, 0, List.of());
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
            if (!Parts.isVisual(r.video().mimeType())) {
                // The service refuses a video blob that is not an image or video (invalid argument).
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
                return;
            }
            if (Sight.isBroken(r.video())) {
                // Judged as it arrives, like the service refusing invalid input (not at the turn that looks at it).
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_BAD_IMAGE);
                return;
            }
            onVideo(r.video());
        }
        if (r.mediaChunks() != null && !r.mediaChunks().isEmpty()) {
            // "Multiple media_chunks are not supported, all but the first will be ignored."
            Blob first = r.mediaChunks().getFirst();
            if (first != null && first.mimeType() != null && first.mimeType().startsWith("audio/")) {
                onAudio(first);
            } else if (first != null && Parts.isVisual(first.mimeType())) {
                if (Sight.isBroken(first)) {
                    conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_BAD_IMAGE);
                    return;
                }
                onVideo(first);
            }
        }
        if (r.text() != null) {
            if (settings.manualActivity() && activity.isOpen()) {
                activity.addText(r.text());
            } else {
                bargeIn();
                userText(r.text());
            }
        }
        if (Boolean.TRUE.equals(r.audioStreamEnd()) && !settings.manualActivity()) {
            handleVad(vad.flush());
        }
        if (r.activityStart() != null) {
            if (!settings.manualActivity()) {
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
                return;
            }
            bargeIn();
            activity.start();
        }
        if (r.activityEnd() != null) {
            if (!settings.manualActivity()) {
                conn.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
                return;
            }
            if (activity.isOpen()) {
                activity.end();
                if (activity.audioMicros() == 0 && !activity.text().isEmpty()) {
                    userText(activity.text());
                } else {
                    utterance(activity.audioMicros() / 1e6);
                }
            }
        }
    }

    /** Video frames make the session an audio+video one (time limit) and are shown to the reply policy. */
    private void onVideo(Blob frame) {
        images.remember(frame);
        if (ls.noteMedia(true)) {
            limit.reschedule();
        }
    }

    private void onAudio(Blob b) {
        byte[] data = b.data() == null ? new byte[0] : b.data();
        ls.appendAudio(data);
        if (ls.noteMedia(false)) {
            limit.reschedule();
        }
        int rate = Blob.sampleRate(b.mimeType(), 16_000);
        if (settings.manualActivity()) {
            if (activity.isOpen()) {
                activity.addAudio(data.length, rate);
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
        if (settings.voiceActivity()) {
            conn.send(ServerFrame.of(new ServerMessage.VoiceActivity(type, Duration.ofNanos(atMicros * 1000))));
        }
    }

    private void utterance(double seconds) {
        String label = String.format(Locale.ROOT, "[speech %.2fs]", seconds);
        if (settings.inputTranscription()) {
            conn.send(ServerFrame.of(ServerContent.inputTranscription(new Transcription(label, true))));
        }
        ls.addUserTurn(label, Content.text("user", label), seconds);
        whenFree(() -> answer(TurnInput.Kind.SPEECH, null, seconds, List.of()));
    }

    private void userText(String text) {
        ls.addUserTurn(text, Content.text("user", text), 0);
        whenFree(() -> answer(TurnInput.Kind.TEXT, text, 0, List.of()));
    }

    // ---- tools ----

    private void onToolResponse(ClientMessage.ToolResponse t) {
        List<FunctionResponse> rs = t.functionResponses() == null ? List.of() : t.functionResponses();
        if (!tools.allKnown(rs)) {
            // Reported real behaviour for a response nobody asked for.
            conn.close(CloseCodes.POLICY, "Requested entity was not found.");
            return;
        }
        for (FunctionResponse r : rs) {
            if (tools.isCancelled(r.id())) {
                continue; // raced with our toolCallCancellation: ignore
            }
            ToolCalls.Pending pc = tools.get(r.id());
            FunctionResponse named = ToolCalls.named(r, pc.name());
            ls.addOtherTurn(new Content(List.of(new Part(null, null, null, r, null, null, null, null, false, null, null)), "user"),
                    DeterministicReplies.quote(named).length());
            if (pc.nonBlocking()) {
                if (!r.willContinue()) {
                    tools.answered(r.id());
                }
                FunctionResponse.Scheduling sch = r.scheduling();
                if (sch == FunctionResponse.Scheduling.SILENT) {
                    continue;
                }
                if (sch == FunctionResponse.Scheduling.INTERRUPT && streamer.current() != null) {
                    interrupt();
                }
                whenFree(() -> answer(TurnInput.Kind.TOOL_RESULTS, null, 0, List.of(named)));
            } else {
                tools.answered(r.id());
                Turn tt = pc.turn();
                tt.responses.put(r.id(), named);
                tt.waitingFor.remove(r.id());
                if (tt == streamer.current() && tt.waitingFor.isEmpty()) {
                    List<FunctionResponse> results = tt.responsesInCallOrder();
                    perform(tt, replies.reply(input(TurnInput.Kind.TOOL_RESULTS, null, 0, results)));
                }
            }
        }
    }

    // ---- turns ----

    /** Runs {@code r} now if the model is idle, else queues it until the current turn ends. */
    private void whenFree(Runnable r) {
        if (streamer.current() == null) {
            r.run();
        } else {
            deferred.add(r);
        }
    }

    /** User activity while the model talks: cut it off, unless NO_INTERRUPTION. */
    private void bargeIn() {
        if (streamer.current() != null && !settings.noInterruption()) {
            interrupt();
        }
    }

    /** The model is free: asks the reply policy and starts the turn. */
    private void answer(TurnInput.Kind kind, String text, double seconds, List<FunctionResponse> results) {
        ServerTools.Answer server = kind == TurnInput.Kind.TEXT ? serverTools.answer(text) : null;
        Reply reply = server != null ? Reply.text(server.text()) : replies.reply(input(kind, text, seconds, results));
        Turn t = streamer.begin();
        if (settings.resumptionEnabled()) {
            conn.send(ServerFrame.of(new ServerMessage.SessionResumptionUpdate(null, false, null)));
        }
        if (server != null) {
            server.frames().forEach(conn::send); // the tool's parts first, then the sentence about them
        }
        perform(t, reply);
    }

    private TurnInput input(TurnInput.Kind kind, String text, double seconds, List<FunctionResponse> results) {
        List<String> all = ls.userTurns();
        List<String> earlier = all.isEmpty() ? all : all.subList(0, all.size() - 1);
        SeenImages.Taken seen = images.take();
        return new TurnInput(kind, text, seconds, seen.images(), results, earlier, ls.conversation(), tools.functions(),
                settings.model().id(), seen.frames(), seen.lastFrame());
    }

    /** Carries out {@code reply} as (the rest of) turn {@code t}: text is streamed; calls are sent and tracked. */
    private void perform(Turn t, Reply reply) {
        if (reply == null) {
            throw new IllegalStateException("The reply policy returned null");
        }
        if (reply.calls().isEmpty()) {
            streamer.stream(t, reply.text());
            return;
        }
        List<FunctionCall> calls = tools.issue(t, reply.calls(), core::nextCallId);
        conn.send(ServerFrame.of(new ServerMessage.ToolCall(List.copyOf(calls))));
        boolean allNonBlocking = t.waitingFor.isEmpty();
        if (allNonBlocking) {
            streamer.stream(t, reply.text() == null ? "" : reply.text());
        } else if (reply.text() != null) {
            LOG.debug("Session {}: reply text beside blocking calls ignored (the turn waits for their responses)", conn.id());
        }
    }

    /** A streamed turn ended on its own. */
    private void turnFinished() {
        if (settings.resumptionEnabled()) {
            sendHandle();
        }
        runDeferred();
    }

    private void runDeferred() {
        while (streamer.current() == null && !deferred.isEmpty() && !conn.isClosing()) {
            deferred.poll().run();
        }
    }

    /** Barge-in: interrupted, cancellations of calls this turn waits for, turnComplete; the unsent rest is dropped. */
    private void interrupt() {
        Turn t = streamer.current();
        if (t == null) {
            return;
        }
        streamer.cutOff(t);
        List<String> cancelled = tools.cancelFor(t);
        if (!cancelled.isEmpty()) {
            conn.send(ServerFrame.of(new ServerMessage.ToolCallCancellation(cancelled)));
        }
        streamer.endInterrupted(t);
        if (settings.resumptionEnabled()) {
            sendHandle();
        }
    }

    private void sendHandle() {
        if (streamer.current() != null || tools.blockingPending()) {
            conn.send(ServerFrame.of(new ServerMessage.SessionResumptionUpdate(null, false, null)));
        } else {
            conn.send(ServerFrame.of(new ServerMessage.SessionResumptionUpdate(core.resumption().issue(ls), true, null)));
        }
    }
}
