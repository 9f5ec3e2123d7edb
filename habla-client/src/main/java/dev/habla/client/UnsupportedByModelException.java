package dev.habla.client;

import java.util.Objects;

/**
 * The session's model refuses this operation (see {@link ModelFamily}), so it was refused before anything went on the
 * wire: e.g. {@code clientContent} mid-session or TEXT output on a Gemini 3 Live model, which the server would answer
 * by closing the session (1007, 1011). Thrown by {@link SessionConfig} construction and by the {@code send…} methods of
 * {@link LiveSession} and {@link ResilientSession}; the session stays open.
 *
 * <p>An {@link IllegalArgumentException}, like every other input the client validates: the argument (message or
 * setting) is invalid for this model, which is what the server's {@code INVALID_ARGUMENT} says too.
 */
public final class UnsupportedByModelException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String provider;
    private final String model;
    private final ModelFamily family;

    /** A refusal by a Gemini model's rules. */
    public UnsupportedByModelException(String model, ModelFamily family, String message) {
        this("gemini", model, Objects.requireNonNull(family, "family"), message);
    }

    /**
     * A refusal by {@code provider}'s rules for {@code model} ({@link Capabilities}); {@code family} is null except on
     * Gemini.
     */
    public UnsupportedByModelException(String provider, String model, ModelFamily family, String message) {
        super(message);
        this.provider = Objects.requireNonNull(provider, "provider");
        this.model = model;
        this.family = family;
    }

    /** The provider whose rules refused the operation ({@link Provider#name()}). */
    public String provider() {
        return provider;
    }

    /** The model id of the session or config. */
    public String model() {
        return model;
    }

    /** The Gemini model family whose rules refused the operation; null for other providers. */
    public ModelFamily family() {
        return family;
    }
}
