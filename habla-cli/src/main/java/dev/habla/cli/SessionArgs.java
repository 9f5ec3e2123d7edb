package dev.habla.cli;

import dev.habla.client.Voices;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The session options {@code chat} and {@code talk} share ({@code --voice}, {@code --system}/{@code --system-file},
 * {@code --base-url}), checked the same way: a bad value is a {@link ParameterException} (exit 64) with one line.
 */
final class SessionArgs {
    private SessionArgs() {}

    /** The voice's canonical name, any case accepted. */
    static String canonicalVoice(CommandLine cmd, String name) {
        try {
            return Voices.canonical(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "unknown voice '" + name + "'; choose one of "
                    + String.join(", ", Voices.ALL) + " (any case)");
        }
    }

    /** The system instruction from {@code --system} or {@code --system-file} (not both), or null. */
    static String systemInstruction(CommandLine cmd, CliContext ctx, String system, Path systemFile) {
        if (system != null && systemFile != null) {
            throw new ParameterException(cmd, "use --system or --system-file, not both");
        }
        if (systemFile == null) {
            return system;
        }
        try {
            String text = Files.readString(ctx.resolve(systemFile), StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                throw new ParameterException(cmd, "--system-file " + systemFile + " is empty");
            }
            return text;
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.charset.CharacterCodingException ? "not UTF-8 text" : e.toString();
            throw new ParameterException(cmd, "cannot read --system-file " + systemFile + ": " + why);
        }
    }

    /** {@code --base-url}: http(s) or ws(s) with a host. */
    static URI baseUrl(CommandLine cmd, String url) {
        try {
            URI u = new URI(url.strip());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!List.of("http", "https", "ws", "wss").contains(scheme) || u.getHost() == null) {
                throw new URISyntaxException(url, "expected http(s)://host[:port] or ws(s)://host[:port]");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ParameterException(cmd, "bad --base-url '" + url + "': " + e.getReason());
        }
    }
}
