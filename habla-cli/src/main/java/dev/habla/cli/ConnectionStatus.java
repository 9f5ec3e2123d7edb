package dev.habla.cli;

import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import java.time.Duration;

/**
 * The chat's status lines about the session's connections: a lost connection and its recovery, and stalls, always;
 * the routine handover at the service's connection limit only with {@code --verbose}.
 *
 * <p>Threads: owned by {@link Conversation}; every method is called under its lock on the session's event thread
 * (or, for {@link #reconnectAttempts}, the main thread), which guards all fields.
 */
final class ConnectionStatus {

    /** Where a status line goes: {@code canWait} is a routine notice that may wait for the answer's line to end. */
    interface Lines {
        void status(String text, boolean canWait);
    }

    private final boolean verbose;
    private final Lines lines;

    /** The attempt number of the last reconnect (0 before any). */
    private int reconnectAttempts;
    /** A stall was reported and nothing came since (its reconnect needs no "connection lost"). */
    private boolean stalled;
    /** A handover started and has not completed. */
    private boolean handingOver;
    /**
     * The reconnect under way only finishes a handover: the server closed the old connection cleanly (its announced
     * end) before the switch, so the session resumes on a new one. Routine: no status line.
     */
    private boolean routineReconnect;
    /**
     * The last answer ended with a turnComplete without usage or reason, which is how the session closes an answer
     * its connection lost (a loss right after it then cut the answer, which is worth a line).
     */
    private boolean maybeCut;

    ConnectionStatus(boolean verbose, Lines lines) {
        this.verbose = verbose;
        this.lines = lines;
    }

    int reconnectAttempts() {
        return reconnectAttempts;
    }

    private void status(String text) {
        lines.status(text, false);
    }

    /** A turnComplete; {@code live}: an answer was shown as under way. */
    void turnComplete(LiveEvent.TurnComplete t, boolean live) {
        maybeCut = live && t.usage() == null && t.reason() == null;
    }

    /** After every event: what a stall or a cut answer is followed by. */
    void after(LiveEvent event) {
        if (event instanceof LiveEvent.Stalled) {
            stalled = true;
        } else if (event instanceof LiveEvent.Reconnecting || event instanceof LiveEvent.Reconnected
                || event instanceof LiveEvent.TextDelta || event instanceof LiveEvent.OutputTranscription
                || event instanceof LiveEvent.AudioChunk || event instanceof LiveEvent.ToolCallRequested) {
            stalled = false;
            maybeCut = false;
        }
    }

    void handoverStarted(LiveEvent.HandoverStarted h) {
        handingOver = true;
        if (verbose) {
            lines.status(h.timeLeft() == null ? "(moving to a new connection)"
                    : "(the server will end this connection in " + roughly(h.timeLeft())
                            + "; moving to a new one)", true);
        }
    }

    void handoverCompleted(LiveEvent.HandoverCompleted h) {
        handingOver = false;
        if (maybeCut) {
            // The server's time ran out before the answer did: the switch could not wait for its end.
            status("(the server ended the connection during the answer, which stops there; "
                    + "the conversation goes on)");
        } else if (verbose) {
            lines.status("(now on connection " + h.connection() + ")", true);
        }
    }

    void reconnecting(LiveEvent.Reconnecting r) {
        reconnectAttempts = r.attempt();
        if (r.attempt() == 1) {
            routineReconnect = handingOver && !maybeCut && r.cause() != null && r.cause().closeCode() == 1000;
            handingOver = false;
            if (!routineReconnect || verbose) {
                status(stalled ? "(reconnecting…)" : "(connection lost" + why(r.cause()) + "; reconnecting…)");
            }
        } else if (verbose) {
            lines.status("(reconnect attempt " + r.attempt() + " in " + DurationText.format(r.delay()) + ")", false);
        }
    }

    void reconnected(LiveEvent.Reconnected r) {
        if (!routineReconnect || verbose || !r.resumed()) {
            status(r.resumed() ? "(reconnected)" : "(reconnected; the server could not resume the session, "
                    + "so a new one goes on from the conversation so far)");
        }
        routineReconnect = false;
    }

    void stalled(LiveEvent.Stalled s) {
        status(switch (s.kind()) {
            case NO_REPLY -> "(no reply for " + roughly(s.duration()) + ")";
            case MID_TURN -> "(the answer stalled for " + roughly(s.duration()) + ")";
        });
    }

    /** "15 s" (whole seconds from 1 s on, "250 ms" below): status lines need no decimals. */
    private static String roughly(Duration d) {
        return d.toMillis() < 1000 ? DurationText.format(d) : Math.round(d.toMillis() / 1000.0) + " s";
    }

    /** " (1006)", " (1011 Internal error occurred.)", or "" when the cause has no close code. */
    private static String why(LiveException cause) {
        if (cause == null || cause.closeCode() <= 0) {
            return "";
        }
        String reason = cause.closeReason() == null ? "" : cause.closeReason().strip();
        return " (" + cause.closeCode() + (reason.isEmpty() ? "" : " " + reason) + ")";
    }
}
