package dev.habla.client;

import dev.habla.client.internal.GeminiProvider;
import dev.habla.client.internal.LiveProvider;
import dev.habla.client.internal.OpenAiProvider;
import java.util.Locale;
import java.util.Objects;

/**
 * The service a {@link LiveClient} talks to, chosen once in {@link ClientConfig.Builder#provider(Provider)}:
 * {@link #GEMINI} (the Gemini Developer API and Vertex AI; the default) or {@link #OPENAI} (OpenAI Realtime, GA
 * WebSocket protocol). The wire, the capabilities of each model, the
 * per-connection state and the way a conversation continues on a new connection are the provider's; sessions, queues,
 * threads and the listener contract are the same for every provider.
 *
 * <p>Immutable and thread-safe. Equal when their implementations are the same object.
 */
public final class Provider {
    /** Gemini Live ({@code BidiGenerateContent}) on the Gemini Developer API or Vertex AI. */
    public static final Provider GEMINI = new Provider(GeminiProvider.INSTANCE);

    /**
     * OpenAI Realtime ({@code /v1/realtime}, GA): API key or {@code ek_…} client secret as the client's
     * {@code apiKey}; default base URL {@code https://api.openai.com/v1}; 24 kHz PCM both ways; no resumption (a
     * resilient session re-seeds a new connection with the transcript). See the module README.
     */
    public static final Provider OPENAI = new Provider(OpenAiProvider.INSTANCE);

    private final LiveProvider spi;

    private Provider(LiveProvider spi) {
        this.spi = Objects.requireNonNull(spi, "spi");
    }

    /**
     * A provider from an implementation of the internal seam ({@code dev.habla.client.internal.LiveProvider}). For
     * providers developed inside this project (and test fakes); the seam is not a stable API yet.
     */
    public static Provider custom(LiveProvider spi) {
        return new Provider(spi);
    }

    /**
     * The built-in provider of this name ({@code gemini} or {@code openai}, any case), as a CLI option or a config
     * file names it.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Provider named(String name) {
        return switch (name == null ? "" : name.strip().toLowerCase(Locale.ROOT)) {
            case "gemini", "google" -> GEMINI;
            case "openai" -> OPENAI;
            default -> throw new IllegalArgumentException("unknown provider '" + name + "' (gemini or openai)");
        };
    }

    /** Short lower-case name, e.g. {@code gemini}; used in logs and {@link Capabilities#provider()}. */
    public String name() {
        return spi.name();
    }

    /**
     * Refuses what this provider cannot honour in {@code session} (another provider's options, a setting its service
     * lacks), as connecting would, but without connecting: for callers that check options up front (the CLI).
     *
     * @throws IllegalArgumentException naming every refused setting
     */
    public void check(SessionConfig session) {
        spi.check(null, Objects.requireNonNull(session, "session"));
    }

    /** The implementation behind this provider (internal seam, see {@link #custom}). */
    public LiveProvider spi() {
        return spi;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Provider p && p.spi == spi;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(spi);
    }

    @Override
    public String toString() {
        return name();
    }
}
