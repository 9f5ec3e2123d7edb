package dev.habla.client.internal;

import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.Content;
import java.time.Duration;
import java.util.List;

/**
 * OpenAI Realtime's continuity (openai-realtime.md §9): no resumption handles and no goAway; a new socket is a new
 * conversation, and the service ends every session at 60 minutes with close 1001 and no warning. So the next
 * connection of a conversation is always a new session seeded with the transcript the resilient session kept (text
 * turns, what the user heard of cut answers), and the resilient session switches connections before the hard
 * lifetime, at a turn boundary ({@link #maxConnectionLifetime()}). Stateless.
 */
final class OpenAiContinuity implements ContinuityStrategy {
    static final OpenAiContinuity INSTANCE = new OpenAiContinuity();
    /** The service's session cap (GA). */
    static final Duration MAX_SESSION = Duration.ofMinutes(60);

    private OpenAiContinuity() {}

    @Override
    public SessionConfig baseConfig(SessionConfig user, boolean compression) {
        return user; // the service truncates old turns itself (truncation: auto); nothing to ask for
    }

    @Override
    public Plan next(SessionConfig base, String latestHandle, boolean handleRefused, List<Content> transcript) {
        if (transcript.isEmpty()) {
            return new Fresh(base);
        }
        List<Content> seed = List.copyOf(transcript);
        return new Reseed(base.with(b -> b.initialHistory(seed)), seed);
    }

    @Override
    public boolean isHandleRefused(LiveException failure) {
        return false;
    }

    @Override
    public boolean supportsHandover() {
        return false;
    }

    @Override
    public Duration maxConnectionLifetime() {
        return MAX_SESSION;
    }
}
