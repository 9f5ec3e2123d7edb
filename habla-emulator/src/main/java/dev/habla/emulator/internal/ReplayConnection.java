package dev.habla.emulator.internal;

import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.Cassette;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.ServerMessage;
import dev.habla.server.LiveConnection;
import dev.habla.server.LiveHandler;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replayed connection: checks each client frame against the cassette's next recorded client frame
 * ({@link FrameMatcher}) and answers with the server frames recorded after it, up to the next recorded client frame;
 * then the recorded end (the server's close, a broken connection, or waiting for the client's close). The first
 * mismatch closes 1007 with a reason naming the cassette line and the difference.
 *
 * <p>Media frames (audio, video) are matched loosely: one recorded media frame per media frame received, extra media
 * received is ignored, and recorded media the client did not send is skipped (its server frames still play) when the
 * client sends its next non-media frame.
 *
 * <p>Threads: {@link #onMessage}, {@link #start} and the pacing timer all run with the connection's lock held
 * ({@link LiveConnection#lock()}), which guards {@code cursor}, {@code pending} and {@code lastDue}.
 */
final class ReplayConnection implements LiveHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayConnection.class);

    private final Replayer replayer;
    private final LiveConnection wire;
    private final int number;
    private final List<Cassette.Entry> entries;
    private final LiveEmulator.Pace pace;
    private final Scheduler clock;
    /** Next entry to play or expect. */
    private int cursor;
    /** Recorded time (ms) of the last client frame matched: recorded gaps are measured from it. */
    private long anchor;
    /** Recorded-pace output not yet due, in order: each runs at its clock time. */
    private final ArrayDeque<Due> pending = new ArrayDeque<>();
    private long lastDue = Long.MIN_VALUE;
    private boolean pumpScheduled;

    private record Due(long atNanos, Runnable action) {}

    ReplayConnection(Replayer replayer, LiveConnection wire, int number, List<Cassette.Entry> entries,
            LiveEmulator.Pace pace, Scheduler clock) {
        this.replayer = replayer;
        this.wire = wire;
        this.number = number;
        this.entries = entries;
        this.pace = pace;
        this.clock = clock;
    }

    /** Called with the lock held, once, as the socket opens. */
    void start(boolean unrecorded) {
        if (unrecorded) {
            mismatch(0, "the cassette has no connection " + number);
            return;
        }
        while (cursor < entries.size() && entries.get(cursor) instanceof Cassette.Open o) {
            anchor = o.atMillis();
            replayer.consumed(this, o.line());
            cursor++;
        }
        playServerSide();
    }

    /** Another connection consumed a client line: play what it held back. Any thread but a connection callback. */
    void resume() {
        wire.lock().lock();
        try {
            if (!wire.isClosing()) {
                playServerSide();
            }
        } finally {
            wire.lock().unlock();
        }
    }

    @Override
    public void onMessage(ClientMessage m) {
        boolean media = FrameMatcher.isMedia(m);
        while (true) {
            Cassette.Entry e = cursor < entries.size() ? entries.get(cursor) : null;
            if (!(e instanceof Cassette.Frame f) || f.from() != Cassette.Side.CLIENT) {
                if (!media) {
                    mismatch(e == null ? lastLine() : e.line(), "the recording expects no more client frames on "
                            + "connection " + number + ", got " + kind(m));
                }
                return; // surplus media is tolerated
            }
            ClientMessage recorded = FrameMatcher.decode(f.json());
            if (recorded == null) {
                mismatch(f.line(), "the recorded client frame is not a Live client message");
                return;
            }
            boolean recordedMedia = FrameMatcher.isMedia(recorded);
            if (recordedMedia && !media) {
                cursor++; // recorded media this client did not send: skip it, play what the server said meanwhile
                anchor = f.atMillis();
                replayer.consumed(this, f.line());
                playServerSide();
                continue;
            }
            if (media && !recordedMedia) {
                return; // more media than recorded: tolerated
            }
            String diff = FrameMatcher.difference(recorded, m);
            if (diff != null) {
                mismatch(f.line(), diff);
                return;
            }
            cursor++;
            anchor = f.atMillis();
            replayer.consumed(this, f.line());
            playServerSide();
            return;
        }
    }

    /**
     * Plays recorded entries from the cursor up to the next recorded client frame, or up to one recorded after a
     * client frame or open of a newer connection that has not happened yet (a server frame may be the effect of it:
     * the old connection's close follows the new connection's resumption).
     */
    private void playServerSide() {
        long now = clock.nanoTime();
        while (cursor < entries.size()) {
            Cassette.Entry e = entries.get(cursor);
            if (e instanceof Cassette.Frame f && f.from() == Cassette.Side.CLIENT) {
                break;
            }
            if (replayer.firstPendingClientLine(number) < e.line()
                    || e instanceof Cassette.Close c && c.by() == Cassette.Side.CLIENT) {
                break; // held back; or the client closed here: what follows is the close handshake, not the replay's
            }
            cursor++;
            Runnable action = switch (e) {
                case Cassette.Frame f -> () -> wire.sendRaw(f.json(), true);
                case Cassette.Close c when c.by() == Cassette.Side.SERVER -> () -> wire.close(c.code(), c.reason());
                case Cassette.Close c -> null; // by the client: not reached (see above)
                case Cassette.Broken b -> wire::abort;
                case Cassette.Open o -> null;
            };
            if (action == null) {
                continue;
            }
            if (pace == LiveEmulator.Pace.FAST) {
                action.run();
            } else {
                long due = Math.max(lastDue, now + Math.max(0, e.atMillis() - anchor) * 1_000_000L);
                lastDue = due;
                pending.add(new Due(due, action));
            }
        }
        pump();
    }

    /** Runs what is due, in order, and schedules itself for the next; lock held. */
    private void pump() {
        long now = clock.nanoTime();
        while (!pending.isEmpty() && pending.peek().atNanos() <= now) {
            pending.poll().action().run();
        }
        if (!pending.isEmpty() && !pumpScheduled) {
            pumpScheduled = true;
            clock.schedule(Duration.ofNanos(pending.peek().atNanos() - now), () -> {
                wire.lock().lock();
                try {
                    pumpScheduled = false;
                    if (!wire.isClosing()) {
                        pump();
                    }
                } finally {
                    wire.lock().unlock();
                }
            });
        }
    }

    private void mismatch(int line, String what) {
        String full = "Replay mismatch at cassette line " + line + " (connection " + number + "): " + what;
        LOG.warn("{}", full);
        replayer.mismatch(full);
        pending.clear();
        cursor = entries.size();
        wire.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.truncate("replay line " + line + ": " + what));
    }

    private int lastLine() {
        return entries.isEmpty() ? 0 : entries.getLast().line();
    }

    private static String kind(ClientMessage m) {
        return switch (m) {
            case ClientMessage.Setup s -> "setup";
            case ClientMessage.ClientContent c -> "clientContent";
            case ClientMessage.RealtimeInput r -> "realtimeInput";
            case ClientMessage.ToolResponse t -> "toolResponse";
            case ClientMessage.ContextUpdate u -> "contextUpdate";
        };
    }

    /** A fault on top of the replay; the protocol-level ones only (the replay, not a brain, decides what is said). */
    void applyFault(Fault fault) {
        wire.lock().lock();
        try {
            switch (fault) {
                case Fault.GoAway g -> {
                    wire.send(new ServerMessage.GoAway(g.timeLeft()));
                    clock.schedule(g.timeLeft(), () -> wire.close(CloseCodes.NORMAL, ""));
                }
                case Fault.Close c -> wire.close(c.code(), c.reason());
                case Fault.DropConnection d -> wire.abort();
                case Fault.DeadlineExpired d -> wire.close(CloseCodes.INTERNAL, CloseCodes.REASON_DEADLINE);
                case Fault.Stall s -> {
                    wire.pauseOutput();
                    clock.schedule(s.duration(), wire::resumeOutput);
                }
                default -> throw new IllegalArgumentException(fault + " is not supported on a replay (GoAway, Close, "
                        + "DropConnection, DeadlineExpired and Stall are)");
            }
        } finally {
            wire.lock().unlock();
        }
    }

    @Override
    public void onClose(int statusCode, String reason) {
        pending.clear();
        replayer.closed(this);
    }
}
