package dev.habla.cli;

import dev.habla.client.Provider;
import dev.habla.client.Voices;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code --provider gemini|openai} of {@code chat} and {@code talk}: the service, and what differs with it — the
 * environment variable of the key, where to get one, the default model, the documented voices. Everything else
 * (emulator when there is no key, exit codes, messages) is shared.
 *
 * @param provider     the client's provider
 * @param keyVariable  {@code GEMINI_API_KEY} or {@code OPENAI_API_KEY} (environment, then {@code ./.env})
 * @param keyHelp      where a user gets a key
 * @param defaultModel the model when {@code --model} is not given
 * @param voices       the documented voices (others are sent as given, with a warning)
 */
record ProviderArgs(Provider provider, String keyVariable, String keyHelp, String defaultModel, List<String> voices) {

    static final ProviderArgs GEMINI = new ProviderArgs(Provider.GEMINI, "GEMINI_API_KEY",
            "get a key at https://aistudio.google.com/apikey", ChatCommand.DEFAULT_MODEL, Voices.ALL);
    static final ProviderArgs OPENAI = new ProviderArgs(Provider.OPENAI, "OPENAI_API_KEY",
            "get a key at https://platform.openai.com/api-keys", "gpt-realtime", Voices.OPENAI);

    /** {@code --provider}'s value (null = gemini); anything else is a usage error (exit 64). */
    static ProviderArgs of(CommandLine cmd, String name) {
        if (name == null) {
            return GEMINI;
        }
        try {
            return Provider.named(name).equals(Provider.OPENAI) ? OPENAI : GEMINI;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "unknown --provider '" + name.strip() + "'; choose gemini or openai");
        }
    }

    boolean openai() {
        return provider.equals(Provider.OPENAI);
    }

    /** The voice as the provider spells it (any case accepted); an unknown one is warned about and sent as given. */
    String voice(CommandLine cmd, CliContext ctx, String name) {
        if (!openai()) {
            return SessionArgs.canonicalVoice(cmd, ctx, name);
        }
        if (name.isBlank()) {
            throw new ParameterException(cmd, "--voice needs a name, e.g. marin");
        }
        for (String v : voices) {
            if (v.equalsIgnoreCase(name.strip())) {
                return v;
            }
        }
        ctx.err().println("habla " + cmd.getCommandName() + ": voice '" + name.strip() + "' is not one OpenAI documents ("
                + String.join(", ", voices) + "); sending it as given");
        return name.strip();
    }

    /** {@code --api-version} is Gemini's; refused with {@code --provider openai}. */
    void checkApiVersion(CommandLine cmd, String apiVersion) {
        if (openai() && apiVersion != null) {
            throw new ParameterException(cmd, "--api-version is for Gemini; OpenAI Realtime has one version (GA)");
        }
    }

    /** What the provider cannot honour in {@code config} (e.g. --media-resolution on OpenAI): a usage error. */
    void check(CommandLine cmd, dev.habla.client.SessionConfig config) {
        try {
            provider.check(config);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, e.getMessage());
        }
    }

    /** The NOT_FOUND message for {@code modelId}. */
    String modelNotFound(String modelId, String apiVersion, dev.habla.client.LiveException e) {
        if (!openai()) {
            return ChatFailures.modelNotFound(modelId, apiVersion, e);
        }
        return "model '" + modelId + "' is not an OpenAI Realtime model" + (e.closeCode() > 0 ? " (close " + e.closeCode() + ")" : "")
                + "; pick another with --model (e.g. " + defaultModel + ")";
    }
}
