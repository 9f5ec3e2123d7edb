package dev.habla.emulator.internal;

import dev.habla.emulator.Fault;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.ServerMessage;
import dev.habla.server.LiveConnection;
import dev.habla.server.LiveHandler;
import dev.habla.time.Scheduler;

/**
 * One replayed connection: the {@link LiveHandler} the server calls, handing each frame to the {@link Replayer} (which
 * owns all replay state), and the faults that can be layered on a replay. Callbacks run with the connection's lock
 * held (habla-server); the replayer's lock is taken inside it.
 */
final class ReplayConnection implements LiveHandler {
    private final Replayer replayer;
    private final LiveConnection wire;
    private final int number;

    ReplayConnection(Replayer replayer, LiveConnection wire, int number) {
        this.replayer = replayer;
        this.wire = wire;
        this.number = number;
    }

    int number() {
        return number;
    }

    LiveConnection wire() {
        return wire;
    }

    @Override
    public void onMessage(ClientMessage m) {
        replayer.onMessage(this, m);
    }

    @Override
    public void onClose(int statusCode, String reason) {
        replayer.closed(this);
    }

    /** A fault on top of the replay; the protocol-level ones only (the replay, not a brain, decides what is said). */
    void applyFault(Fault fault, Scheduler clock) {
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
    }
}
