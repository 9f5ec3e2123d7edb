package dev.habla.client.internal;

import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.Content;
import java.time.Duration;
import java.util.List;

/**
 * How one provider keeps a conversation going across connections: the decisions the resilient session takes from the
 * provider instead of knowing the wire. Gemini ({@link GeminiContinuity}): resumption handles, goAway handover
 * (make-before-break), and a transcript re-seed only when a handle is refused. A provider without resumption (OpenAI
 * Realtime: a new socket is a new conversation) re-seeds from the transcript on every reconnect and never hands over.
 *
 * <p>Stateless and thread-safe; the resilient session owns the state (latest handle, transcript).
 */
public interface ContinuityStrategy {

    /** What the next connection of a conversation starts from. */
    sealed interface Plan permits Resume, Reseed, Fresh {}

    /** Resume the server-side session behind {@code handle}. */
    record Resume(SessionConfig config, String handle) implements Plan {}

    /** A new server-side session seeded with {@code history} (the transcript) as its initial history. */
    record Reseed(SessionConfig config, List<Content> history) implements Plan {}

    /** A new server-side session with the user's configuration as is (nothing to continue yet). */
    record Fresh(SessionConfig config) implements Plan {}

    /**
     * The configuration every connection of a resilient conversation uses, derived once from the user's (Gemini:
     * resumption on, sliding-window compression unless the user set one or {@code compression} is false).
     */
    SessionConfig baseConfig(SessionConfig user, boolean compression);

    /**
     * The next connection's plan.
     *
     * @param base          {@link #baseConfig}'s result
     * @param latestHandle  the latest resumable handle seen (null if none or the provider has none)
     * @param handleRefused the last attempt to resume with {@code latestHandle} was refused (Gemini: 1007)
     * @param transcript    the conversation so far (user and model text turns, bounded), initial history first
     */
    Plan next(SessionConfig base, String latestHandle, boolean handleRefused, List<Content> transcript);

    /**
     * Whether the failure of a connection that tried to resume means the handle was refused (so the next plan must
     * re-seed; Gemini: {@code INVALID_ARGUMENT}, close 1007).
     */
    boolean isHandleRefused(LiveException failure);

    /** Whether the provider announces the end of a connection in advance (Gemini: goAway) so a handover can be made. */
    boolean supportsHandover();

    /**
     * A connection's hard lifetime if the provider has one and gives no warning (OpenAI: 60 minutes), so the session
     * can plan a re-seed before it; null if the provider warns (Gemini) or has none.
     */
    Duration maxConnectionLifetime();
}
