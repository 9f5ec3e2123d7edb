package dev.habla.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Waiting for what the emulator received, for assertions about the uplink. */
final class Received {
    private Received() {}

    /**
     * The client messages {@code emu} has received (all connections, arrival order), taken until {@code done} holds
     * for them, then whatever follows within a millisecond; fails if {@code done} does not hold within {@code wait}.
     * For assertions about a message sent just before an event: the event fires on the loop's thread when the message
     * is queued, and the emulator reads it a little later.
     */
    static List<ReceivedMessage> until(LiveEmulator emu, Predicate<List<ReceivedMessage>> done, Duration wait)
            throws InterruptedException {
        List<ReceivedMessage> out = new ArrayList<>();
        ReceivedMessage m;
        while ((m = emu.takeClientMessage(done.test(out) ? Duration.ofMillis(1) : wait)) != null) {
            out.add(m);
        }
        assertThat(done.test(out)).as("the expected client messages arrived within %s: %s", wait,
                out.stream().map(r -> r.message() == null ? "?" : r.message().getClass().getSimpleName()).toList())
                .isTrue();
        return out;
    }
}
