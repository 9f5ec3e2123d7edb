package dev.habla.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One {@code ```java} block of a Markdown file, with the context its file declares for it (see the module README):
 *
 * <pre>
 * &lt;!-- snippet-context: run | compile (why it cannot run here)
 * imports: java.util.concurrent.TimeUnit, static dev.habla.protocol.ResponseModality.TEXT
 * members:
 *     static String weather(String city) { return "sunny"; }
 * given:
 *     LiveClient client = LiveClient.create(c -&gt; c.apiKey("any").baseUrl(emulator.baseUrl()));
 * after:
 *     client.close();
 * --&gt;
 * </pre>
 *
 * The comment sits right before the fence (blank lines allowed). Every part is optional; a block without a comment
 * is run as is.
 *
 * @param file   the Markdown file
 * @param line   1-based line of the block's first code line
 * @param code   the block's text
 * @param run    whether it runs (else only compiles)
 * @param reason why it only compiles (null when it runs)
 */
record Snippet(Path file, int line, String code, boolean run, String reason, List<String> imports, String members,
               String given, String after) {

    private static final Pattern FENCE_OPEN = Pattern.compile("^\\s*```java\\s*$");
    private static final Pattern FENCE_CLOSE = Pattern.compile("^\\s*```\\s*$");
    private static final Pattern CONTEXT_HEAD = Pattern.compile("^\\s*<!--\\s*snippet-context:\\s*(run|compile)\\b(.*)$");
    private static final Pattern TEST_CLASS = Pattern.compile(
            "(?:\\s*(?://[^\\n]*|@[\\w.]+(?:\\([^\\n]*\\))?))*\\s*(?:(?:public|final)\\s+)*class\\s+(\\w+)");
    private static final Pattern SECTION = Pattern.compile("^\\s*(imports|members|given|after):(.*)$");

    /** Every Markdown file under {@code root} (build output, dependencies and VCS folders skipped), sorted. */
    static List<Path> markdownFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".md"))
                    .filter(p -> Arrays.stream(root.relativize(p).toString().split("[/\\\\]"))
                            .noneMatch(part -> part.equals("target") || part.equals("node_modules")
                                    || part.startsWith(".")))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The java blocks of one Markdown file, in order. */
    static List<Snippet> parse(Path file, List<String> lines) {
        List<Snippet> out = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            if (!FENCE_OPEN.matcher(lines.get(i)).matches()) {
                i++;
                continue;
            }
            int start = i + 1;
            int end = start;
            while (end < lines.size() && !FENCE_CLOSE.matcher(lines.get(end)).matches()) {
                end++;
            }
            if (end == lines.size()) {
                throw new IllegalArgumentException(file + ":" + i + ": ```java block never closed");
            }
            String code = String.join("\n", lines.subList(start, end));
            out.add(withContext(file, start + 1, code, contextBefore(file, lines, i)));
            i = end + 1;
        }
        return out;
    }

    /** The lines of the context comment right before the fence at {@code fence} (blank lines between), or null. */
    private static List<String> contextBefore(Path file, List<String> lines, int fence) {
        int j = fence - 1;
        while (j >= 0 && lines.get(j).isBlank()) {
            j--;
        }
        if (j < 0 || !lines.get(j).strip().endsWith("-->")) {
            return null;
        }
        int close = j;
        while (j >= 0 && !lines.get(j).contains("<!--")) {
            j--;
        }
        if (j < 0 || !lines.get(j).contains("snippet-context")) {
            return null;   // some other comment
        }
        if (!CONTEXT_HEAD.matcher(lines.get(j)).matches()) {
            throw new IllegalArgumentException(file + ":" + (j + 1)
                    + ": a snippet-context comment starts with 'snippet-context: run' or 'snippet-context: compile (why)'");
        }
        List<String> body = new ArrayList<>(lines.subList(j, close + 1));
        body.set(body.size() - 1, body.getLast().replaceFirst("-->\\s*$", ""));
        return body;
    }

    private static Snippet withContext(Path file, int line, String code, List<String> context) {
        if (context == null) {
            return new Snippet(file, line, code, true, null, List.of(), "", "", "");
        }
        Matcher head = CONTEXT_HEAD.matcher(context.getFirst());
        if (!head.matches()) {
            throw new IllegalStateException("unreachable");
        }
        boolean run = head.group(1).equals("run");
        String reason = head.group(2).strip();
        if (!run && !reason.matches("\\(.+\\)")) {
            throw new IllegalArgumentException(file + ":" + line
                    + ": 'snippet-context: compile' must say why it cannot run, in parentheses");
        }
        List<String> imports = new ArrayList<>();
        StringBuilder members = new StringBuilder();
        StringBuilder given = new StringBuilder();
        StringBuilder after = new StringBuilder();
        StringBuilder section = null;
        boolean inImports = false;
        for (String l : context.subList(1, context.size())) {
            Matcher m = SECTION.matcher(l);
            if (m.matches()) {
                inImports = m.group(1).equals("imports");
                section = switch (m.group(1)) {
                    case "members" -> members;
                    case "given" -> given;
                    case "after" -> after;
                    default -> null;
                };
                if (inImports) {
                    addImports(imports, m.group(2));
                } else if (!m.group(2).isBlank()) {
                    section.append(m.group(2).strip()).append('\n');
                }
            } else if (inImports) {
                addImports(imports, l);
            } else if (section != null) {
                section.append(l).append('\n');
            } else if (!l.isBlank()) {
                throw new IllegalArgumentException(file + ": text outside a section in a snippet-context: " + l);
            }
        }
        return new Snippet(file, line, code, run, run ? null : reason.substring(1, reason.length() - 1),
                List.copyOf(imports), members.toString(), given.toString(), after.toString());
    }

    private static void addImports(List<String> into, String text) {
        for (String part : text.split(",")) {
            String s = part.strip();
            if (!s.isEmpty()) {
                into.add(s);
            }
        }
    }

    /**
     * The name of the test class when the block is a whole JUnit test class (it starts, after comments and
     * annotations, with a class declaration and has a {@code @Test}), else null. Such a block is compiled as a
     * top-level class and run with the JUnit Platform: it passes when at least one test ran and none failed.
     */
    String testClassName() {
        Matcher m = TEST_CLASS.matcher(code);
        return m.lookingAt() && code.contains("@Test") ? m.group(1) : null;
    }

    /** "habla-client/README.md:12" relative to {@code root}. */
    String where(Path root) {
        return root.relativize(file).toString().replace('\\', '/') + ":" + line;
    }
}
