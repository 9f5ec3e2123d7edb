package dev.habla.cli;

import dev.habla.client.Voices;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
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

    /**
     * The voice's canonical name, any case accepted. A name Habla does not know is warned about on stderr and sent as
     * given (the service adds voices faster than Habla is released; it decides): only a blank name is a usage error.
     */
    static String canonicalVoice(CommandLine cmd, CliContext ctx, String name) {
        if (name.isBlank()) {
            throw new ParameterException(cmd, "--voice needs a name, e.g. Kore");
        }
        if (Voices.isKnown(name)) {
            return Voices.canonical(name);
        }
        ctx.err().println("habla " + cmd.getCommandName() + ": voice '" + name.strip() + "' is not one Habla knows ("
                + String.join(", ", Voices.ALL) + "); sending it as given");
        return name.strip();
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
            String why = e instanceof java.nio.charset.CharacterCodingException ? "not UTF-8 text" : why(e);
            throw new ParameterException(cmd, "cannot read --system-file " + systemFile + ": " + why);
        }
    }

    /**
     * Why a file operation failed, in words: the JDK's file exceptions carry only the path as their message (which
     * the caller names already) and their class name says the rest, neither of which means anything to a user.
     */
    static String why(IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException x -> "no such file or folder";
            case java.nio.file.AccessDeniedException x -> "permission denied";
            case java.nio.file.FileAlreadyExistsException x -> "already exists";
            case java.nio.file.NotDirectoryException x -> "not a folder";
            case java.nio.file.DirectoryNotEmptyException x -> "folder not empty";
            case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
            default -> e.getMessage() == null ? "I/O error" : e.getMessage();
        };
    }

    /** The API versions the Live endpoint has; anything else would only fail later with a 404. */
    static final List<String> API_VERSIONS = List.of("v1beta", "v1alpha", "v1");

    /** {@code --api-version}: one of {@link #API_VERSIONS}, or null for the default. */
    static String apiVersion(CommandLine cmd, String version) {
        if (version == null) {
            return null;
        }
        String v = version.strip().toLowerCase(Locale.ROOT);
        if (!API_VERSIONS.contains(v)) {
            throw new ParameterException(cmd, "unknown --api-version '" + version + "'; choose one of "
                    + String.join(", ", API_VERSIONS));
        }
        return v;
    }

    /**
     * A loopback {@code --base-url} whose port refuses connections is a wrong port (or a server not started yet), not
     * a network hiccup: say so at once instead of retrying for seconds. One TCP connect to a local port costs well
     * under a millisecond; remote hosts are not probed (their refusals go through the usual retries).
     */
    static void refuseClosedLocalPort(URI base) {
        if (base == null || !KeyChoice.isLoopback(base)) {
            return;
        }
        String scheme = base.getScheme().toLowerCase(Locale.ROOT);
        int port = base.getPort() > 0 ? base.getPort() : scheme.equals("https") || scheme.equals("wss") ? 443 : 80;
        String host = base.getHost().startsWith("[") ? base.getHost().substring(1, base.getHost().length() - 1)
                : base.getHost();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
        } catch (ConnectException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "cannot reach " + base + " (nothing accepts connections on "
                    + "port " + port + "); check the port in --base-url (`habla emulator` prints its base URL)");
        } catch (IOException e) {
            // A timeout or anything else: leave it to the client, which reports it with its retries.
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
