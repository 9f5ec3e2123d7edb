package dev.habla.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.habla.emulator.LiveEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of every Markdown file in the repository compiles, and runs against the bundled
 * emulator unless its {@code snippet-context} says why it cannot (a key, a device). New blocks are picked up as they
 * are written; the convention is in this module's README.
 */
class ReadmeSnippetsTest {

    /** A snippet that runs longer than this is stuck (they talk to a local emulator). */
    static final Duration RUN_LIMIT = Duration.ofSeconds(60);

    static final Path ROOT = Path.of(System.getProperty("habla.repo.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path work;

    static List<Snippet> all() {
        List<Snippet> out = new ArrayList<>();
        for (Path md : Snippet.markdownFiles(ROOT)) {
            try {
                out.addAll(Snippet.parse(md, Files.readAllLines(md)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    @Test
    void theReadmesHaveSnippetsAndTheSearchFindsThem() {
        List<Snippet> snippets = all();
        // The repository's own READMEs: if this drops, the search broke (or snippets were deleted).
        assertThat(snippets).extracting(s -> ROOT.relativize(s.file()).toString().replace('\\', '/')).contains(
                "README.md", "habla-client/README.md", "habla-tools/README.md", "habla-assistant/README.md",
                "habla-emulator/README.md", "habla-voice/README.md");
        assertThat(snippets.size()).isGreaterThanOrEqualTo(8);
        System.out.printf("%d snippets: %d run, %d compile only%n", snippets.size(),
                snippets.stream().filter(Snippet::run).count(), snippets.stream().filter(s -> !s.run()).count());
    }

    @TestFactory
    Stream<DynamicTest> everySnippetCompilesAndRuns() {
        return all().stream().map(s -> DynamicTest.dynamicTest(
                s.where(ROOT) + (s.run() ? "" : " (compile only: " + s.reason() + ")"), () -> check(s)));
    }

    private void check(Snippet s) throws Throwable {
        Path classes = Files.createDirectories(work.resolve("classes-" + s.line() + "-" + Math.abs(s.file().hashCode())));
        List<String> errors = SnippetCompiler.compile(s, ROOT, classes);
        assertThat(errors).as("%s does not compile", s.where(ROOT)).isEmpty();
        if (!s.run()) {
            return;
        }
        Path dir = Files.createDirectories(work.resolve("run-" + s.line() + "-" + Math.abs(s.file().hashCode())));
        try (LiveEmulator emulator = LiveEmulator.create()) {
            assertTimeoutPreemptively(RUN_LIMIT, () -> SnippetCompiler.run(s, classes, emulator, dir),
                    () -> s.where(ROOT) + " ran longer than " + RUN_LIMIT);
        }
    }
}
