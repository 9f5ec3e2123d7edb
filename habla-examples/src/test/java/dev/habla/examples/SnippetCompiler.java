package dev.habla.examples;

import dev.habla.emulator.LiveEmulator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Turns a {@link Snippet} into a class and compiles it with {@code javax.tools} against this module's test class
 * path; loads it in a child class loader to run it.
 *
 * <pre>
 * package snippets;
 * import (the public package of every library module, java.time, java.util, java.nio.file) and the context's imports;
 * public final class Snippet_L&lt;line&gt; {
 *     (members)
 *     public static void run(LiveEmulator emulator, Path dir) throws Exception {
 *         (given)
 *         (the block: what it declares is visible to "after")
 *         (after)
 *     }
 * }
 * </pre>
 * {@code emulator} is a started emulator on a free port accepting any key; {@code dir} an empty temporary folder.
 */
final class SnippetCompiler {

    /** Always imported besides the library's packages. */
    static final List<String> JDK_IMPORTS = List.of("java.time.*", "java.util.*", "java.nio.file.*");

    /** Also imported in a block that is a whole test class. */
    static final List<String> TEST_IMPORTS = List.of("org.junit.jupiter.api.*", "org.junit.jupiter.api.extension.*");

    /**
     * What every snippet may use without importing it: the public package of every Habla module on the test class
     * path (found there, so a new module is importable as soon as this module depends on it; never
     * {@code .internal} packages, nor this module's own), then {@link #JDK_IMPORTS}.
     */
    static final List<String> DEFAULT_IMPORTS = defaultImports();

    private SnippetCompiler() {}

    /** The generated source and the line of the block's first code line in it. */
    record Source(String className, String text, int codeLine) {}

    static Source source(Snippet s) {
        String testClass = s.testClassName();
        StringBuilder b = new StringBuilder("package snippets;\n");
        for (String i : DEFAULT_IMPORTS) {
            b.append("import ").append(i).append(";\n");
        }
        for (String i : s.imports()) {
            b.append("import ").append(i).append(";\n");
        }
        if (testClass != null) {
            // A whole test class: as written, with JUnit's API importable like the library's packages.
            for (String i : TEST_IMPORTS) {
                b.append("import ").append(i).append(";\n");
            }
            int codeLine = (int) b.chars().filter(c -> c == '\n').count() + 1;
            b.append(s.code()).append("\n");
            return new Source(testClass, b.toString(), codeLine);
        }
        String className = "Snippet_L" + s.line();
        b.append("@SuppressWarnings(\"all\")\npublic final class ").append(className).append(" {\n");
        b.append(s.members());
        b.append("public static void run(LiveEmulator emulator, Path dir) throws Exception {\n");
        b.append(s.given());
        int codeLine = (int) b.chars().filter(c -> c == '\n').count() + 1;
        b.append(s.code()).append("\n");
        b.append(s.after());
        b.append("}\n}\n");
        return new Source(className, b.toString(), codeLine);
    }

    /**
     * Compiles {@code s} into {@code out}.
     *
     * @return the errors, each as "file:line: message" pointing into the Markdown file (or the context); empty when
     *         it compiled
     */
    static List<String> compile(Snippet s, Path root, Path out) {
        Source src = source(s);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///snippets/" + src.className() + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return src.text();
            }
        };
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            List<String> options = List.of("-classpath", testClassPath(), "-d", out.toString(),
                    "--release", "21", "-proc:none", "-parameters", "-Xlint:none");
            StringWriter sink = new StringWriter();
            boolean ok = javac.getTask(sink, files, diagnostics, options, null, List.of(file)).call();
            if (ok) {
                return List.of();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] generated = src.text().split("\n", -1);
        String[] code = s.code().split("\n", -1);
        return diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> {
                    int l = (int) d.getLineNumber();
                    int inCode = l - src.codeLine();
                    String at = inCode >= 0 && inCode < code.length
                            ? s.file().getFileName() + ":" + (s.line() + inCode)
                            : "context of " + s.where(root) + " (generated line: "
                                    + (l >= 1 && l <= generated.length ? generated[l - 1].strip() : "?") + ")";
                    return at + ": " + d.getMessage(Locale.ROOT);
                })
                .toList();
    }

    /**
     * Loads the compiled snippet and calls its {@code run}; a test class is run with the JUnit Platform instead (at
     * least one test must run, and the first failure is rethrown).
     */
    static void run(Snippet s, Path classes, LiveEmulator emulator, Path dir) throws Throwable {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                SnippetCompiler.class.getClassLoader())) {
            Class<?> type = loader.loadClass("snippets." + source(s).className());
            if (s.testClassName() != null) {
                runTests(type);
                return;
            }
            Method run = type.getMethod("run", LiveEmulator.class, Path.class);
            try {
                run.invoke(null, emulator, dir);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    private static void runTests(Class<?> type) throws Throwable {
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(
                DiscoverySelectors.selectClass(type)).build(), summary);
        TestExecutionSummary result = summary.getSummary();
        if (!result.getFailures().isEmpty()) {
            throw result.getFailures().getFirst().getException();
        }
        if (result.getTestsSucceededCount() == 0) {
            throw new AssertionError(type.getSimpleName() + " ran no test (found " + result.getTestsFoundCount() + ")");
        }
    }

    private static List<String> defaultImports() {
        java.util.TreeSet<String> packages = new java.util.TreeSet<>();
        for (String entry : testClassPath().split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (java.nio.file.Files.isDirectory(p)) {
                Path base = p.resolve("dev/habla");
                if (java.nio.file.Files.isDirectory(base)) {
                    try (var dirs = java.nio.file.Files.list(base)) {
                        dirs.filter(d -> hasClasses(d)).forEach(d -> packages.add(d.getFileName().toString()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            } else if (entry.endsWith(".jar") && java.nio.file.Files.isRegularFile(p)) {
                try (var jar = new java.util.jar.JarFile(p.toFile())) {
                    jar.stream().map(java.util.jar.JarEntry::getName)
                            .filter(n -> n.matches("dev/habla/[^/]+/[^/]+\\.class"))
                            .forEach(n -> packages.add(n.split("/")[2]));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        packages.remove("examples");
        // The OpenAI Realtime records (issue 13) share names with dev.habla.protocol (Tool, Transcription) and
        // dev.habla.audio (AudioFormat): snippets that use them import what they need (snippet-context imports).
        packages.remove("realtime");
        List<String> out = new java.util.ArrayList<>();
        packages.forEach(name -> out.add("dev.habla." + name + ".*"));
        out.addAll(JDK_IMPORTS);
        return List.copyOf(out);
    }

    private static boolean hasClasses(Path dir) {
        try (var files = java.nio.file.Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".class"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The class path the tests run with (Surefire sets {@code java.class.path} to it in the forked JVM). */
    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        String cp = surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
        return cp;
    }
}
