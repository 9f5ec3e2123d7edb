package dev.habla.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code .env} files as the common tools (python-dotenv, docker compose) do, for the subset people use:
 * {@code KEY=value}, optional {@code export } prefix, single or double quotes, {@code #} comments on their own line
 * or after an unquoted value (preceded by a space), blank lines. Lines that do not parse are skipped, and reported
 * (line number and why, never the value: it may be a key) to the {@code warn} callback of
 * {@link #read(Path, Consumer)}.
 * Double-quoted values understand {@code \"}, {@code \\} and {@code \n}; single-quoted values are literal.
 */
final class DotEnv {
    private DotEnv() {}

    private static final Pattern LINE =
            Pattern.compile("^\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_.]*)\\s*=\\s*(.*?)\\s*$");

    /** The variables of {@code file}; an empty map if it does not exist. */
    static Map<String, String> read(Path file) throws IOException {
        return read(file, problem -> { });
    }

    /**
     * The variables of {@code file}; an empty map if it does not exist. Each line skipped because it does not parse
     * is passed to {@code warn} as "line N: why; it is ignored".
     */
    static Map<String, String> read(Path file, Consumer<String> warn) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), warn);
    }

    static Map<String, String> parse(List<String> lines) {
        return parse(lines, problem -> { });
    }

    static Map<String, String> parse(List<String> lines, Consumer<String> warn) {
        Map<String, String> vars = new LinkedHashMap<>();
        int number = 0;
        for (String raw : lines) {
            number++;
            String line = raw.startsWith("\uFEFF") ? raw.substring(1) : raw;
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                warn.accept("line " + number + ": not NAME=value; it is ignored");
                continue;
            }
            String value = value(m.group(2));
            if (value != null) {
                vars.put(m.group(1), value);
            } else {
                warn.accept("line " + number + ": the value of " + m.group(1) + " has no closing "
                        + m.group(2).charAt(0) + " quote; it is ignored");
            }
        }
        return vars;
    }

    /** The value of the text after '=', or null if its quotes are unbalanced. */
    private static String value(String v) {
        if (v.isEmpty()) {
            return "";
        }
        char q = v.charAt(0);
        if (q == '\'' ) {
            int end = v.indexOf('\'', 1);
            return end < 0 ? null : v.substring(1, end);
        }
        if (q == '"') {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\' && i + 1 < v.length()) {
                    char n = v.charAt(++i);
                    out.append(switch (n) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        default -> n;
                    });
                } else {
                    out.append(c);
                }
            }
            return null;
        }
        int hash = v.indexOf(" #");
        int tab = v.indexOf("\t#");
        int cut = hash < 0 ? tab : tab < 0 ? hash : Math.min(hash, tab);
        return (cut < 0 ? v : v.substring(0, cut)).strip();
    }
}
