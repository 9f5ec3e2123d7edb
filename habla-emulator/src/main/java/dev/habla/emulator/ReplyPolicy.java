package dev.habla.emulator;

import dev.habla.emulator.internal.DeterministicReplies;

/**
 * What the emulated model answers. The emulator keeps the protocol (what the service accepts and closes, turn-taking,
 * VAD, barge-in, tool-call ids and cancellation, usage, transcription, audio pacing, history and resumption); a reply
 * policy only decides the content of each model turn from the turn's input: text and/or function calls.
 *
 * <pre>{@code
 * LiveEmulator.create(b -> b.replies(turn -> turn.images().isEmpty()
 *         ? ReplyPolicy.deterministic().reply(turn)
 *         : Reply.text("I see " + turn.images().size() + " image(s).")));
 * }</pre>
 *
 * <p>Threads: called with the connection's lock held, on the connection's delivery thread (habla-server) or an emulator-clock timer, for every
 * connection of the emulator (one instance shared by all): it must be thread-safe and must not block. A policy that
 * throws closes only that connection (1011 {@code Internal error encountered.}).
 */
@FunctionalInterface
public interface ReplyPolicy {
    /** The model turn answering {@code turn}. */
    Reply reply(TurnInput turn);

    /**
     * The default, deterministic policy (module README, <em>The default brain</em>): {@code You said: …},
     * {@code History: …}, {@code call NAME {json}}, {@code I heard 1.24 seconds of audio.},
     * {@code Tool NAME returned …}, {@code You said nothing.}
     */
    static ReplyPolicy deterministic() {
        return DeterministicReplies.INSTANCE;
    }
}
