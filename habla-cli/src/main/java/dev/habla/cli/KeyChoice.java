package dev.habla.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the API key comes from, and whether the built-in emulator has to stand in: the rules {@code chat} and
 * {@code talk} share.
 *
 * @param key           the key to send (a placeholder for a local server or the built-in emulator)
 * @param origin        for messages: "from the environment", "from .env", ...
 * @param startEmulator whether the built-in emulator must start
 */
record KeyChoice(String key, String origin, boolean startEmulator) {

    /**
     * The key rules {@code chat} and {@code talk} share: the environment, then {@code ./.env} (a line of it that does
     * not parse is reported, by number and why), then a placeholder for a loopback {@code --base-url}, then the
     * built-in emulator unless {@code --no-emulator}.
     */
    static KeyChoice resolve(CliContext ctx, URI base, boolean noEmulator) {
        return resolve(ctx, base, noEmulator, ProviderArgs.GEMINI);
    }

    /** {@link #resolve(CliContext, URI, boolean)} for the provider's key variable ({@code OPENAI_API_KEY} …). */
    static KeyChoice resolve(CliContext ctx, URI base, boolean noEmulator, ProviderArgs provider) {
        KeyChoice given = given(ctx, provider.keyVariable());
        if (given != null) {
            return given;
        }
        String var = provider.keyVariable();
        if (base != null) {
            if (isLoopback(base)) {
                return new KeyChoice(ChatCommand.EMULATOR_KEY, "a placeholder for the local server", false);
            }
            throw new CliException(ExitCodes.NO_API_KEY, "no " + var + " in the environment or ./.env, and "
                    + base + " is not a local server; " + provider.keyHelp());
        }
        if (noEmulator) {
            throw new CliException(ExitCodes.NO_API_KEY, "no " + var + " in the environment or ./.env "
                    + "(and --no-emulator); " + provider.keyHelp());
        }
        return new KeyChoice(ChatCommand.EMULATOR_KEY, "the built-in emulator", true);
    }

    /**
     * The key the user gave: {@code GEMINI_API_KEY} from the environment, then from {@code ./.env} (a line of it that
     * does not parse is reported, by number and why; an unreadable file is reported and ignored); null if neither has
     * one. Also {@code habla gateway}'s rule for its upstream key.
     */
    static KeyChoice given(CliContext ctx) {
        return given(ctx, "GEMINI_API_KEY");
    }

    /** {@link #given(CliContext)} for another variable ({@code OPENAI_API_KEY}). */
    static KeyChoice given(CliContext ctx, String variable) {
        String fromEnv = ctx.env().get(variable);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new KeyChoice(fromEnv.strip(), "from the environment", false);
        }
        Path dotEnv = ctx.resolve(Path.of(".env"));
        try {
            Map<String, String> vars = DotEnv.read(dotEnv,
                    problem -> ctx.err().println("habla: " + ctx.display(dotEnv) + " " + problem));
            String fromFile = vars.get(variable);
            if (fromFile != null && !fromFile.isBlank()) {
                return new KeyChoice(fromFile.strip(), "from " + ctx.display(dotEnv), false);
            }
        } catch (IOException e) {
            ctx.err().println("habla: ignoring " + ctx.display(dotEnv) + ": " + SessionArgs.why(e));
        }
        return null;
    }

    /** Whether {@code uri} names this machine: {@code localhost} or a literal loopback address (no DNS lookup). */
    static boolean isLoopback(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            // Only literal addresses: no DNS lookup for a name the user typed.
            return h.matches("[0-9.]+|[0-9a-fA-F:]+") && InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
