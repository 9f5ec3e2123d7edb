package dev.habla.client.internal;

import dev.habla.client.ResiliencePolicy;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import dev.habla.protocol.Content;
import dev.habla.protocol.Part;
import java.util.List;

/**
 * The user's side of a resilient conversation as the send path sees it: the transcript, the user's audio activity,
 * whether a turn awaits its reply, the text turn that is unanswered (and the one to re-send on the next connection),
 * whether a manual activity is open, and a count of user input. A plain object: no threads, no clock (times are
 * passed in as nanos). Not thread-safe: {@link SendPath} guards it with its lock.
 */
final class UserInput {

    /** What one message meant: it ended the user's turn; a pending handover should re-check its boundary. */
    record Tracked(boolean turnEnded, boolean audioBecameQuiet) {}

    private final ReseedTranscript transcript;
    private final AudioActivity audio;
    private final TurnBoundary boundary;
    /** The user ended a turn and no reply turn has started yet. */
    private boolean awaitingReply;
    /** Time of the last audio chunk that carried speech (for the spoken-reply wait). */
    private long lastSpeechNanos;
    /** The text message that ended the user's last turn while it is unanswered: re-sent if it may have been lost. */
    private ClientMessage unansweredTurn;
    /** The turn to send first on the next connection, or null. */
    private ClientMessage replayTurn;
    /** {@link #replayTurn} is re-sent because its connection was lost (not because its reply timed out). */
    private boolean replayAfterLoss;
    /** Counts user input other than audio (text, content, activity start), for telling phantom interruptions. */
    private long userInputSeq;
    /** An {@code activityStart} was sent and its {@code activityEnd} not yet: never a boundary (the turn would split). */
    private boolean activityOpen;

    UserInput(ResiliencePolicy policy, TurnBoundary boundary, List<Content> initialHistory) {
        this.transcript = new ReseedTranscript(policy.transcriptMaxTurns(), policy.transcriptMaxChars());
        this.audio = new AudioActivity(policy.quietLevelDbfs());
        this.boundary = boundary;
        for (Content turn : initialHistory) {
            transcript.add(turn.role(), textOf(turn)); // so a re-seeded session starts from it too
        }
    }

    /** The user sent {@code m} at {@code now}: transcript, audio activity, turn ends. */
    Tracked track(ClientMessage m, long now) {
        boolean turnEnd = false;
        boolean quiet = false;
        switch (m.plain()) {
            case ClientMessage.ClientContent c -> {
                if (c.turns() != null) {
                    for (Content t : c.turns()) {
                        transcript.add(t.role() == null ? "user" : t.role(), textOf(t));
                    }
                    userInputSeq++;
                }
                turnEnd = c.turnComplete();
            }
            case RealtimeInput r -> {
                if (r.audio() != null && r.audio().data() != null) {
                    long before = audio.quietNanos();
                    long loudBefore = audio.loudFrames();
                    long after = audio.feed(r.audio().data(), SampleRates.INPUT.of(r.audio().mimeType()));
                    if (audio.loudFrames() != loudBefore) {
                        lastSpeechNanos = now;
                    }
                    quiet = boundary.becameQuiet(before, after);
                }
                if (r.text() != null) {
                    transcript.add("user", r.text());
                    userInputSeq++;
                    turnEnd = true;
                }
                if (r.activityStart() != null) {
                    userInputSeq++;
                    activityOpen = true;
                }
                if (r.activityEnd() != null) {
                    turnEnd = true;
                    activityOpen = false;
                }
                if (Boolean.TRUE.equals(r.audioStreamEnd()) && audio.speechSinceMark()) {
                    turnEnd = true; // only if the user spoke: a mic pause after silence asks for nothing
                }
            }
            default -> { }
        }
        if (turnEnd) {
            awaitingReply = true;
            boolean text = m instanceof ClientMessage.ClientContent || (m instanceof RealtimeInput r && r.text() != null);
            unansweredTurn = text ? m : null;
        }
        return new Tracked(turnEnd, quiet);
    }

    /** The caller ended a spoken turn itself (its own activity detection): awaited, nothing to re-send. */
    void spokenTurnEnded() {
        awaitingReply = true;
        unansweredTurn = null;
    }

    /** A model turn started: returns the user's input count now, and measures speech from here on. */
    long modelTurnStarted() {
        audio.mark();
        return userInputSeq;
    }

    boolean phantomInterruption(TurnState turn) {
        return turn.phantomInterruption(userInputSeq, audio.speechSinceMark());
    }

    void replyStarted() {
        awaitingReply = false;
        unansweredTurn = null;
    }

    void replyTimedOut() {
        awaitingReply = false;
    }

    /** The reply did not come in time: the unanswered text turn (if any) is re-sent on the next connection. */
    void replayUnanswered() {
        replayTurn = unansweredTurn;
        unansweredTurn = null;
        replayAfterLoss = false;
    }

    /**
     * The connection carrying the unanswered text turn was lost. Unless the turn is still {@code buffered} (never
     * handed to that connection's socket) or a re-send is already planned, it may have died with the socket: it is
     * re-sent on the next connection. True if so.
     */
    boolean lostWithConnection(boolean buffered) {
        if (unansweredTurn == null || replayTurn != null || buffered) {
            return false;
        }
        replayTurn = unansweredTurn;
        unansweredTurn = null;
        replayAfterLoss = true;
        return true;
    }

    ClientMessage unansweredTurn() {
        return unansweredTurn;
    }

    /**
     * The turn to send first on the next connection, taken, or null. One re-sent after a loss is unanswered again
     * until a reply starts (lost again, it is re-sent again: the server never saw it); one re-sent after its reply
     * timed out is not tracked again (the server may be unable to answer it: no endless re-sending).
     */
    ClientMessage takeReplay() {
        ClientMessage m = replayTurn;
        replayTurn = null;
        if (m != null && replayAfterLoss) {
            unansweredTurn = m;
            awaitingReply = true;
        }
        return m;
    }

    /** Whether the turn {@link #takeReplay} will hand out is re-sent after a loss. */
    boolean replayAfterLoss() {
        return replayTurn != null && replayAfterLoss;
    }

    /**
     * What a fresh session replacing a refused one starts from: the transcript (user and model text turns), without
     * the last user turn if it is about to be re-sent (don't say it twice).
     */
    List<Content> seedTurns() {
        List<Content> seed = transcript.turns();
        if (replayTurn != null && !seed.isEmpty() && "user".equals(seed.getLast().role())) {
            seed = seed.subList(0, seed.size() - 1);
        }
        return seed;
    }

    void addTurn(String role, String text) {
        transcript.add(role, text);
    }

    List<Content> transcript() {
        return transcript.turns();
    }

    /** The user's side of the turn-boundary rule ({@code callsUnanswered}: a tool call of the connection is open). */
    TurnBoundary.Input boundaryInput(boolean callsUnanswered) {
        return new TurnBoundary.Input(awaitingReply, activityOpen, audio.quietNanos(), audio.speechSinceMark(),
                lastSpeechNanos, callsUnanswered);
    }

    static String textOf(Content c) {
        if (c == null || c.parts() == null) {
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
