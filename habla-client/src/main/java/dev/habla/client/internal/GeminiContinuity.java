package dev.habla.client.internal;

import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.Content;
import java.time.Duration;
import java.util.List;

/**
 * Gemini's continuity: every connection asks for resumption handles; the next connection resumes with the latest
 * handle; a refused handle (1007 on resume) or no handle at all after a conversation started means a new session
 * seeded with the transcript. goAway announces the end of a connection, so handovers are made before it.
 * Sliding-window compression by default: audio input ends a session after 15 minutes without it (2 with video), and a
 * long text chat ends when it fills the context window. Stateless.
 */
final class GeminiContinuity implements ContinuityStrategy {
    static final GeminiContinuity INSTANCE = new GeminiContinuity();

    private GeminiContinuity() {}

    @Override
    public SessionConfig baseConfig(SessionConfig user, boolean compression) {
        boolean compress = compression && user.contextWindowCompression() == null;
        return user.with(b -> {
            b.resumption(true).resumptionHandle(null);
            if (compress) {
                b.contextWindowCompression();
            }
        });
    }

    @Override
    public Plan next(SessionConfig base, String latestHandle, boolean handleRefused, List<Content> transcript) {
        if (latestHandle != null && !handleRefused) {
            return new Resume(base.withResumptionHandle(latestHandle), latestHandle);
        }
        if (handleRefused) {
            List<Content> seed = List.copyOf(transcript);
            return new Reseed(base.with(b -> b.initialHistory(seed)), seed);
        }
        return new Fresh(base);
    }

    @Override
    public boolean isHandleRefused(LiveException failure) {
        return failure.kind() == LiveException.Kind.INVALID_ARGUMENT;
    }

    @Override
    public boolean supportsHandover() {
        return true;
    }

    @Override
    public Duration maxConnectionLifetime() {
        return null;
    }
}
