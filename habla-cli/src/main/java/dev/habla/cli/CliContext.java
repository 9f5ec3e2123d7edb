package dev.habla.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a command takes from its process: streams, environment, working and home directories. {@link Main#main}
 * uses the real ones; tests pass their own so that many runs share one JVM without touching {@code System.*}.
 *
 * @param in       standard input
 * @param out      standard output (the conversation)
 * @param err      standard error (notices, warnings, errors, wire log)
 * @param env      environment variables
 * @param workDir  where {@code .env} and relative paths are resolved
 * @param home     where {@code .habla_history} lives
 * @param console  true for a real process: use the system terminal (raw mode, signals) and shutdown hooks;
 *                 false for tests: a dumb terminal over {@code in}/{@code out}
 */
public record CliContext(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Path workDir,
                         Path home, boolean console) {

    public CliContext {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        env = Map.copyOf(env);
        workDir = workDir.toAbsolutePath().normalize();
        home = home.toAbsolutePath().normalize();
    }

    /** The context of this process. Home is {@code $HOME} as the shell sees it, else Java's {@code user.home}. */
    public static CliContext system() {
        String home = System.getenv("HOME");
        if (home == null || home.isBlank()) {
            home = System.getProperty("user.home", ".");
        }
        return new CliContext(System.in, System.out, System.err, System.getenv(), Path.of(""), Path.of(home), true);
    }

    /** {@code p} resolved against {@link #workDir()}. */
    Path resolve(Path p) {
        return workDir.resolve(p).normalize();
    }

    /** {@code p} as the user would write it: relative to the working directory when below it. */
    String display(Path p) {
        Path abs = resolve(p);
        return abs.startsWith(workDir) ? workDir.relativize(abs).toString() : abs.toString();
    }
}
